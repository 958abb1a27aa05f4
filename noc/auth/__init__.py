"""Access control: users, roles, sessions, API tokens, CSRF (see :mod:`noc.auth.roles`).

Importing the package registers its tables (:mod:`noc.auth.models`) on
:data:`inventory.models.Base.metadata`, next to the inventory's.
"""

from noc.auth import models as models  # registers user_account, api_token, login_session
