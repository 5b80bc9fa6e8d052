from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "prospecting.privacy"
    label = "privacy"
    verbose_name = "Privacy"
