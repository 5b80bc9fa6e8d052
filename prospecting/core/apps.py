from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prospecting.core"
    label = "core"
    verbose_name = "Jobs and activity"
