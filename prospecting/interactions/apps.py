from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "prospecting.interactions"
    label = "interactions"
    verbose_name = "Interactions"
