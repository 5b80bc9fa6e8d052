"""What enrichment learned about a prospect's website: technology and performance."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prospecting.prospects.models import Prospect

_percent = [MinValueValidator(0), MaxValueValidator(100)]


class CheckResult(models.TextChoices):
    """What the last HTTP check found, in the words the jobs count and the prospect page shows."""

    ACTIVE = "active", _("Active")
    PARKED = "parked", _("Parked")
    NO_WEBSITE = "no_website", "No website"  # the name has no address
    COULD_NOT_CHECK = "could_not_check", "Could not check"  # timeout, refused, resolver failing: retried later
    ERROR = "error", "Error"  # an HTTP error, a redirect loop, a redirect to a private address


class ScanMode(models.TextChoices):
    STATIC = "static", _("Static (HTML and inline scripts)")
    BROWSER = "browser", _("Browser (rendered page)")


class TechProfile(models.Model):
    """Technology stack detected on the prospect's website (one per prospect), and what the HTTP check found."""

    prospect = models.OneToOneField(Prospect, on_delete=models.CASCADE, related_name="tech_profile")
    cms = models.CharField(max_length=100, blank=True)
    cms_version = models.CharField(max_length=50, blank=True)
    server = models.CharField(max_length=100, blank=True)
    hosting_provider = models.CharField(max_length=100, blank=True)
    cdn = models.CharField(max_length=100, blank=True)
    js_framework = models.CharField(max_length=100, blank=True)
    analytics = models.CharField(max_length=200, blank=True)
    ecommerce_platform = models.CharField(max_length=100, blank=True)
    tech_stack_json = models.JSONField(default=dict, blank=True, help_text=_("Full detection results."))
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_mode = models.CharField(max_length=16, choices=ScanMode.choices, blank=True)
    scan_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why the last tech scan ran in another mode than asked (e.g. Chromium missing, page time box).",
    )
    check_result = models.CharField(max_length=16, choices=CheckResult.choices, blank=True)
    check_message = models.CharField(
        max_length=300, blank=True, help_text=_("What the last HTTP check found, in words.")
    )
    check_retry_at = models.DateTimeField(
        null=True, blank=True, help_text=_("A check that could not be made is worth retrying after this time.")
    )
    certificate_valid = models.BooleanField(null=True, blank=True)
    certificate_problem = models.CharField(
        max_length=300, blank=True, help_text=_("Why browsers show a security warning (expired, self-signed, ...).")
    )

    class Meta:
        indexes = [
            models.Index(fields=["cms"], name="tech_cms_idx"),
            models.Index(fields=["check_result"], name="tech_check_result_idx"),
        ]

    def __str__(self) -> str:
        return f"Tech profile of {self.prospect_id}"


class PerformanceProfile(models.Model):
    """Lighthouse-style audit of the prospect's home page (one per prospect)."""

    prospect = models.OneToOneField(Prospect, on_delete=models.CASCADE, related_name="performance_profile")
    performance_score = models.PositiveSmallIntegerField(null=True, blank=True, validators=_percent)
    accessibility_score = models.PositiveSmallIntegerField(null=True, blank=True, validators=_percent)
    seo_score = models.PositiveSmallIntegerField(null=True, blank=True, validators=_percent)
    best_practices_score = models.PositiveSmallIntegerField(null=True, blank=True, validators=_percent)
    first_contentful_paint_ms = models.PositiveIntegerField(null=True, blank=True)
    largest_contentful_paint_ms = models.PositiveIntegerField(null=True, blank=True)
    total_blocking_time_ms = models.PositiveIntegerField(null=True, blank=True)
    cumulative_layout_shift = models.FloatField(null=True, blank=True)
    speed_index_ms = models.PositiveIntegerField(null=True, blank=True)
    time_to_first_byte_ms = models.PositiveIntegerField(null=True, blank=True)
    page_weight_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    is_mobile_friendly = models.BooleanField(null=True, blank=True)
    provider = models.CharField(max_length=32, blank=True, help_text=_("builtin, pagespeed or lighthouse"))
    raw_json = models.JSONField(default=dict, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Performance profile of {self.prospect_id}"
