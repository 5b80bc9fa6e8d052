from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "prospecting.outreach"
    label = "outreach"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        try:
            from anymail.signals import tracking
        except ImportError:  # django-anymail is optional: SMTP accounts need nothing more
            return
        from prospecting.outreach.services.tracking import anymail_tracking_received

        tracking.connect(anymail_tracking_received, dispatch_uid="outreach-anymail-tracking")
