from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "prospecting.outreach"
    label = "outreach"
    verbose_name = "Campaigns"
