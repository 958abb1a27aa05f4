"""The inventory: what the city owns, where it is, who owns it, and what the network says.

Importing the package registers every table (inventory and operational) on
:data:`inventory.models.Base.metadata`, so migrations and ``create_all`` see all.
"""

from inventory import records as records  # registers the operational tables
