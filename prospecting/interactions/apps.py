from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _digest_schedule_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    from prospecting.interactions.digest import followup_digest_schedule_sync

    followup_digest_schedule_sync()


class InteractionsConfig(AppConfig):
    name = "prospecting.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        post_migrate.connect(_digest_schedule_after_migrate, sender=self, dispatch_uid="prospecting-digest-schedule")
