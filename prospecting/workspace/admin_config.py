"""Django's admin with our site (its own module: an app module may declare one default AppConfig only)."""

from django.contrib.admin.apps import AdminConfig


class ProspectingAdminConfig(AdminConfig):
    """Django's admin with our site: the sales pages first (see `admin_site.py`)."""

    default_site = "prospecting.workspace.admin_site.ProspectingAdminSite"
