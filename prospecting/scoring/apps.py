from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "prospecting.scoring"
    label = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from prospecting.core.events import prospects_changed
        from prospecting.scoring.receivers import scores_refresh_when_prospects_change

        prospects_changed.connect(scores_refresh_when_prospects_change, dispatch_uid="scoring-refresh")
