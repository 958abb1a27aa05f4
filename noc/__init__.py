"""Metronet NOC: network operations center for a city government WAN."""
