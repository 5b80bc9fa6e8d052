"""Lead discovery: where listings come from (sources), every listing as found (raw records), provider usage."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from prospecting.core.models import ScanJob
from prospecting.core.secrets import secret_decrypt, secret_encrypt
from prospecting.prospects.models import Prospect


class DiscoverySourceManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> DiscoverySource:
        return self.get(slug=slug)


class DiscoverySource(models.Model):
    """A place listings come from: OpenStreetMap, a directory defined here, or a key-based data provider."""

    class Kind(models.TextChoices):
        OSM = "osm", _("OpenStreetMap (Overpass API)")
        DIRECTORY = "directory", _("Web directory (CSS selectors)")
        GOOGLE_PLACES = "google_places", _("Google Places")
        EMAIL_FINDER = "email_finder", _("E-mail finder (Hunter-style domain search)")

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=50, unique=True, help_text=_("Recorded as the source of the prospects it finds, e.g. osm.")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    base_url = models.URLField(
        max_length=500, blank=True, help_text=_("API endpoint (empty: the provider's default from the settings).")
    )
    config = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "Directories: search_url (with {query}, {city} and {page}), first_page, max_pages, listing "
            "(CSS selector of one listing), fields (listing field -> CSS selector, '@attr' for an attribute), "
            "next_page (CSS selector of the next-page link, instead of {page})."
        ),
    )
    api_key_encrypted = models.TextField(blank=True, editable=False)
    monthly_call_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Calls per calendar month; empty: no limit.")
    )
    cost_per_call = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    cost_per_lead = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    attribution = models.CharField(
        max_length=255, blank=True, help_text=_("Kept with every record, e.g. © OpenStreetMap contributors (ODbL).")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DiscoverySourceManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def api_key(self) -> str:
        return secret_decrypt(self.api_key_encrypted)

    @api_key.setter
    def api_key(self, value: str) -> None:
        self.api_key_encrypted = secret_encrypt(value)

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)


class RawRecord(models.Model):
    """One listing exactly as a source returned it, before (and after) it became a prospect."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IMPORTED = "imported", _("Imported (new prospect)")
        MERGED = "merged", _("Merged into an existing prospect")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(DiscoverySource, on_delete=models.PROTECT, related_name="records")
    job = models.ForeignKey(ScanJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_id = models.CharField(max_length=255, blank=True)
    data_hash = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, help_text=_("The record as the source returned it."))
    fields = models.JSONField(default=dict, help_text=_("The listing's fields as read from the payload."))
    source_url = models.URLField(max_length=2000, blank=True)
    attribution = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    error = models.TextField(blank=True)
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="discovery_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "data_hash"], name="raw_record_once_per_source"),
        ]
        indexes = [
            models.Index(fields=["job", "status"], name="raw_record_job_status_idx"),
            models.Index(fields=["status", "id"], name="raw_record_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.name or self.external_id}"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class ProviderUsage(models.Model):
    """What a source cost in one calendar month: calls made, leads delivered, money."""

    source = models.ForeignKey(DiscoverySource, on_delete=models.CASCADE, related_name="usage")
    month = models.DateField(help_text=_("First day of the month"))
    calls = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=4, default=0)

    class Meta:
        ordering = ["-month", "source"]
        constraints = [models.UniqueConstraint(fields=["source", "month"], name="usage_once_per_month")]

    def __str__(self) -> str:
        return f"{self.source} {self.month:%Y-%m}"
