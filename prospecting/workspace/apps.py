from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The sales team's screens that combine several apps: the prospect page, quick capture, the prospect API
    with every profile, demo data (and the dashboard). It sits above every app; no app imports it."""

    name = "prospecting.workspace"
    label = "workspace"
    verbose_name = _("Workspace")
