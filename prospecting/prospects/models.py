"""Prospects, their contacts, and import batches."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from prospecting.core.emails import InvalidEmailError, email_normalize
from prospecting.core.fields import DomainNameField


def validate_finite(value: float) -> None:
    if value is not None and not math.isfinite(value):
        raise ValidationError("Enter a finite number.")


class ProspectChannel(models.TextChoices):
    DIGITAL = "digital", "Digital"
    OFFLINE = "offline", "Offline"


class ProspectStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    PARKED = "parked", "Parked"
    ERROR = "error", "Error"
    CONTACTED = "contacted", "Contacted"
    CONVERTED = "converted", "Converted"


class LawfulBasis(models.TextChoices):
    """Why the agency may process the data of the people behind a prospect (GDPR Art. 6)."""

    LEGITIMATE_INTEREST = "legitimate_interest", "Legitimate interest (B2B prospecting)"
    CONSENT = "consent", "Consent"
    CONTRACT = "contract", "Contract"


class Prospect(models.Model):
    """A business that might buy a website or hosting: found by domain (digital) or met in person (offline)."""

    Channel = ProspectChannel
    Status = ProspectStatus
    LawfulBasis = LawfulBasis

    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.DIGITAL)
    business_name = models.CharField(max_length=255, blank=True)
    domain_name = DomainNameField(unique=True, help_text="Stored normalized: example.lu (no scheme, www or path).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=100, blank=True, help_text="e.g. domain_scan, networking_event, street")

    has_website = models.BooleanField(null=True, blank=True)
    uses_https = models.BooleanField(null=True, blank=True)
    http_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    redirect_url = models.URLField(max_length=2000, blank=True)

    address = models.CharField(max_length=500, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    country = models.CharField(
        max_length=2,
        default="LU",
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter ISO country code, e.g. LU.")],
        help_text="ISO 3166-1 alpha-2",
    )
    location_lat = models.FloatField(
        null=True, blank=True, validators=[validate_finite, MinValueValidator(-90), MaxValueValidator(90)]
    )
    location_lng = models.FloatField(
        null=True, blank=True, validators=[validate_finite, MinValueValidator(-180), MaxValueValidator(180)]
    )

    industry = models.CharField(max_length=100, blank=True, help_text="Category, e.g. bakery (from a listing).")
    rating = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text="Review rating 0–5 (map listings).",
    )
    review_count = models.PositiveIntegerField(null=True, blank=True)
    price_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(4)], help_text="0 (free) to 4 (very expensive)."
    )

    notes = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="captured_prospects",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_prospects",
    )

    next_follow_up_at = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Due date of the open follow-up task, kept in step by the interactions service.",
    )
    contacted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the prospect was first contacted."
    )
    lawful_basis = models.CharField(
        max_length=24,
        choices=LawfulBasis.choices,
        default=LawfulBasis.LEGITIMATE_INTEREST,
        blank=True,
        help_text="Why its people's data may be processed (GDPR Art. 6); empty means legitimate interest.",
    )
    informed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When its people were first told about the processing (GDPR Art. 14): the first message "
        "carrying the privacy notice.",
    )
    field_sources = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text='Where each field came from: {"city": {"source": "import", "detail": "batch 3, line 12", '
        '"at": "2026-11-23T10:00:00+00:00"}}.',
    )

    lead_score = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="Copy of the score, written by scoring with it."
    )
    lead_tier = models.CharField(
        max_length=16, blank=True, editable=False, help_text="Copy of the lead tier, written by scoring with it."
    )

    last_http_check_at = models.DateTimeField(null=True, blank=True)
    last_tech_scan_at = models.DateTimeField(null=True, blank=True)
    last_performance_scan_at = models.DateTimeField(null=True, blank=True)
    last_contact_scrape_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="prospect_status_created_idx"),
            models.Index(fields=["channel", "status"], name="prospect_channel_status_idx"),
            models.Index(fields=["country", "city"], name="prospect_country_city_idx"),
            # The list's order (newest first, then id): deep pages read this index alone.
            models.Index(fields=["-created_at", "-id"], name="prospect_created_id_idx"),
            models.Index(Lower("business_name"), name="prospect_business_name_idx"),
            models.Index(fields=["next_follow_up_at"], name="prospect_follow_up_idx"),
            models.Index(fields=["owner", "next_follow_up_at"], name="prospect_owner_follow_up_idx"),
        ]
        permissions = [("view_all_prospects", "Can see and change the prospects of every owner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="offline") | Q(domain_name__isnull=False),
                name="prospect_digital_requires_domain",
                violation_error_message="A digital prospect needs a domain name.",
            ),
            models.CheckConstraint(
                condition=Q(channel="digital") | ~Q(business_name=""),
                name="prospect_offline_requires_business_name",
                violation_error_message="An offline prospect needs a business name.",
            ),
            models.CheckConstraint(
                condition=Q(domain_name__isnull=True)
                | (
                    Q(domain_name=Lower("domain_name"))
                    & ~Q(domain_name="")
                    & ~Q(domain_name__contains="/")
                    & ~Q(domain_name__contains=":")
                    & ~Q(domain_name__startswith="www.")
                ),
                name="prospect_domain_normalized",
                violation_error_message="The domain name must be stored normalized (e.g. example.lu).",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ProspectChannel.values),
                name="prospect_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProspectStatus.values),
                name="prospect_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.business_name or self.domain_name or f"Prospect #{self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.channel == self.Channel.DIGITAL and not self.domain_name:
            errors["domain_name"] = "A digital prospect needs a domain name."
        if self.channel == self.Channel.OFFLINE and not (self.business_name or "").strip():
            errors["business_name"] = "An offline prospect needs a business name."
        if self.country:
            self.country = self.country.upper()
        if not self.lawful_basis:
            self.lawful_basis = LawfulBasis.LEGITIMATE_INTEREST
        if errors:
            raise ValidationError(errors)


class Conversion(models.Model):
    """A won prospect (seed 003 leadSourceRoi): what it bought, what it brings, and how long it took."""

    prospect = models.OneToOneField(Prospect, on_delete=models.CASCADE, related_name="conversion")
    plan = models.CharField(max_length=50, blank=True, help_text="e.g. basic, business, premium")
    mrr = models.DecimalField(
        "MRR",
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Monthly recurring revenue",
    )
    lifetime_value = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    converted_at = models.DateField()
    attributed_source = models.CharField(max_length=100, blank=True, help_text="Default: the prospect's source.")
    first_contact_at = models.DateTimeField(null=True, blank=True)
    days_to_convert = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-converted_at", "-id"]
        indexes = [models.Index(fields=["converted_at"], name="conversion_date_idx")]

    def __str__(self) -> str:
        return f"{self.prospect} ({self.plan or 'converted'}, {self.converted_at})"


class ProspectContact(models.Model):
    """One way to reach a prospect: an e-mail, phone, address, website or social profile."""

    class ContactType(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        ADDRESS = "address", "Address"
        WEBSITE = "website", "Website"
        FACEBOOK = "facebook", "Facebook"
        LINKEDIN = "linkedin", "LinkedIn"
        INSTAGRAM = "instagram", "Instagram"
        TWITTER = "twitter", "X / Twitter"
        OTHER = "other", "Other"

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        VERIFIED = "verified", "Verified"
        INVALID = "invalid", "Invalid"

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="contacts")
    contact_type = models.CharField(max_length=16, choices=ContactType.choices)
    value = models.CharField(max_length=500)
    label = models.CharField(max_length=100, blank=True, help_text="e.g. contact person's name, 'Sales', 'GSM'")
    source_url = models.URLField(max_length=2000, blank=True, help_text="Page it was found on; empty if typed in.")
    source = models.CharField(
        max_length=100, blank=True, help_text="Where it came from: scrape, import, a discovery source, manual."
    )
    source_detail = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        help_text="Which import line, discovery record or person, e.g. import batch 3, line 12.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="0–100, when the source gives one."
    )
    is_primary = models.BooleanField(default=False)
    verification_status = models.CharField(max_length=16, choices=Verification.choices, default=Verification.UNVERIFIED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "contact_type", "id"]
        indexes = [models.Index(fields=["contact_type", "value"], name="contact_type_value_idx")]
        constraints = [
            models.UniqueConstraint(fields=["prospect", "contact_type", "value"], name="contact_unique_per_prospect"),
            models.UniqueConstraint(
                fields=["prospect", "contact_type"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_type",
                violation_error_message="This prospect already has a primary contact of this type.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()}: {self.value}"

    def clean(self) -> None:
        if self.contact_type == self.ContactType.EMAIL and self.value:
            try:
                self.value = email_normalize(self.value)
            except InvalidEmailError as exc:
                raise ValidationError({"value": str(exc)}) from exc

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.Verification.VERIFIED


class ImportBatch(models.Model):
    """One uploaded file of prospects, with counts, so an import can be audited, resumed and reverted."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REVERTED = "reverted", "Reverted"

    name = models.CharField(max_length=255)
    source_file = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    suppressed_count = models.PositiveIntegerField(
        default=0, help_text="Lines skipped, or e-mails and phones left out, because they are on the suppression list."
    )
    settings = models.JSONField(default=dict, blank=True, help_text="Mode, source, channel, column mapping.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return self.name


class ImportRow(models.Model):
    """One line of an import file and what became of it."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DUPLICATE = "duplicate", "Duplicate"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    line_number = models.PositiveIntegerField()
    raw_payload = models.JSONField(default=dict)
    data_hash = models.CharField(max_length=64, db_index=True)
    prospect = models.ForeignKey(Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_rows")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_number"], name="import_row_unique_line"),
        ]
        indexes = [models.Index(fields=["batch", "outcome"], name="import_row_outcome_idx")]

    def __str__(self) -> str:
        return f"Line {self.line_number}: {self.get_outcome_display()}"
