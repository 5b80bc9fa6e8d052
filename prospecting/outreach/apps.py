from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "prospecting.outreach"
    label = "outreach"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        try:
            from anymail.signals import tracking
        except ImportError:  # django-anymail is optional: SMTP accounts need nothing more
            return
        from prospecting.outreach.services.tracking import anymail_tracking_received

        tracking.connect(anymail_tracking_received, dispatch_uid="outreach-anymail-tracking")
