from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _roles_sync_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    """After `migrate` has created every app's permissions (the signal comes once per app, the last app last),
    bring the role groups up to date."""
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is last:
        from prospecting.core.roles import roles_sync

        roles_sync()


class CoreConfig(AppConfig):
    name = "prospecting.core"
    label = "core"
    verbose_name = _("Jobs and activity")

    def ready(self) -> None:
        post_migrate.connect(_roles_sync_after_migrate, dispatch_uid="prospecting-roles-sync")
        from prospecting.core.model_names import model_names_translate

        model_names_translate()
