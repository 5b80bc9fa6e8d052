from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrichmentConfig(AppConfig):
    name = "prospecting.enrichment"
    label = "enrichment"
    verbose_name = _("Enrichment")
