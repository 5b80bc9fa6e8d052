from django.apps import AppConfig


class EnrichmentConfig(AppConfig):
    name = "prospecting.enrichment"
    label = "enrichment"
    verbose_name = "Enrichment"
