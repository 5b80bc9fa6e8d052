from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "prospecting.scoring"
    label = "scoring"
    verbose_name = "Scoring"
