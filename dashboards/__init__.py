"""Web dashboards: Jinja2 views, templates and static files."""
