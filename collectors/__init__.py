"""Collectors: one package per way of reaching a device (SNMP, SSH, ICMP, traps)."""
