"""SNMP collection: a lean BER codec, an asyncio client and MIB collectors."""
