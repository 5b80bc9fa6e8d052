from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "prospecting.prospects"
    label = "prospects"
    verbose_name = "Prospects"
