"""Access control: users, roles, sessions, API tokens, CSRF (see :mod:`noc.auth.roles`)."""
