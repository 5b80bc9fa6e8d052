from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "prospecting.discovery"
    label = "discovery"
    verbose_name = "Lead discovery"
