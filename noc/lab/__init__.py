"""The lab: a simulated city network on loopback, for demos and tests."""
