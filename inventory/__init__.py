"""Inventory: agencies, sites, devices and links, the source of truth."""
