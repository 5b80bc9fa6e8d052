"""Outreach: templates, sender accounts, the messages sent (one row per template or step and prospect) and
sequences of follow-ups. The do-not-contact list is the suppression list of `core` (`core/suppression.py`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from prospecting.core.models import ScanJob
from prospecting.core.secrets import secret_decrypt, secret_encrypt
from prospecting.prospects.models import Prospect
from prospecting.scoring.models import ProspectScore


class Language(models.TextChoices):
    FR = "fr", "Français"
    DE = "de", "Deutsch"
    EN = "en", "English"
    LB = "lb", "Lëtzebuergesch"


class CampaignTemplateManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> CampaignTemplate:
        return self.get(slug=slug)


class CampaignTemplate(models.Model):
    """A message for one kind of lead, with placeholders (`{business_name}` or `{{business_name}}`)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        LETTER = "letter", "Letter"

    name = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=80, unique=True, null=True, blank=True, help_text="Stable name for fixtures (optional)."
    )
    lead_type = models.CharField(
        max_length=24, choices=ProspectScore.LeadType.choices, blank=True, help_text="Empty: any kind of lead."
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.FR)
    subject_template = models.CharField(max_length=500, blank=True)
    body_template = models.TextField(help_text="Plain text (required). Placeholders: see the list below the form.")
    html_template = models.TextField(blank=True, help_text="Optional HTML version; values are HTML-escaped.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignTemplateManager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["lead_type", "is_active"], name="template_lead_type_idx")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str | None]:
        return (self.slug,)


class CustomVariable(models.Model):
    """An admin-defined placeholder with a default value (e.g. `{offer}` → "a free audit")."""

    key = models.CharField(
        max_length=50,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Lower-case letters, digits and _, starting with a letter.")],
    )
    label = models.CharField(max_length=255, blank=True)
    default_value = models.CharField(max_length=1000, blank=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


def _weekdays_default() -> list[int]:
    return [0, 1, 2, 3, 4]


class SenderAccount(models.Model):
    """An SMTP account messages go out through, with its caps and sending window; lower priority goes first."""

    name = models.CharField(max_length=100)
    from_email = models.EmailField()
    from_name = models.CharField(max_length=100, blank=True)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=587, validators=[MaxValueValidator(65535)])
    username = models.CharField(max_length=255, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    password_env = models.CharField(
        max_length=100, blank=True, help_text="Name of an environment variable holding the password (instead)."
    )
    use_tls = models.BooleanField(default=True, help_text="STARTTLS")
    use_ssl = models.BooleanField(default=False, help_text="Implicit TLS (port 465)")
    timeout = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    daily_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no daily cap.")
    hourly_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no hourly cap.")
    priority = models.PositiveSmallIntegerField(default=10, help_text="Lower goes first; the next one takes over.")
    is_active = models.BooleanField(default=True)
    window_days = models.JSONField(
        default=_weekdays_default, blank=True, help_text="Week days it sends on (0 = Monday … 6 = Sunday)."
    )
    window_start = models.TimeField(default=datetime.time(8, 0))
    window_end = models.TimeField(default=datetime.time(18, 0))
    time_zone = models.CharField(max_length=64, default="Europe/Luxembourg")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority", "pk"]
        constraints = [
            models.CheckConstraint(condition=~(Q(use_tls=True) & Q(use_ssl=True)), name="sender_tls_or_ssl_not_both"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.from_email}>"

    @property
    def password(self) -> str:
        import os

        if self.password_env:
            return os.environ.get(self.password_env, "")
        return secret_decrypt(self.password_encrypted)

    @password.setter
    def password(self, value: str) -> None:
        self.password_encrypted = secret_encrypt(value)

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted or self.password_env)


class Sequence(models.Model):
    """Ordered follow-ups: step 1 when enrolled, each next step some days after the previous one was sent."""

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SequenceStep(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    template = models.ForeignKey(CampaignTemplate, on_delete=models.PROTECT, related_name="sequence_steps")
    delay_days = models.PositiveSmallIntegerField(default=0, help_text="Days after the previous step (step 1: 0).")

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [models.UniqueConstraint(fields=["sequence", "position"], name="sequence_step_position_unique")]

    def __str__(self) -> str:
        return f"{self.sequence} · step {self.position}"


class SequenceEnrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        EXITED = "exited", "Exited"

    class ExitReason(models.TextChoices):
        REPLIED = "replied", "Replied"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        CONVERTED = "converted", "Converted"
        STOPPED = "stopped", "Stopped by hand"
        SKIPPED = "skipped", "Could not be sent"

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrolments")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="sequence_enrolments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    exit_reason = models.CharField(max_length=16, choices=ExitReason.choices, blank=True)
    last_position = models.PositiveSmallIntegerField(default=0, help_text="The last step sent (0: none yet).")
    next_send_at = models.DateTimeField(null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    exited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["sequence", "prospect"], name="enrolment_once_per_sequence")]
        indexes = [models.Index(fields=["status", "next_send_at"], name="enrolment_due_idx")]

    def __str__(self) -> str:
        return f"{self.prospect} in {self.sequence}"


class CampaignSend(models.Model):
    """One message (or letter) of a template or sequence step to one prospect; written only by the services.

    queued → sending → sent | failed | skipped (with its reason); a message whose outcome is unknown because
    the worker stopped while sending is put under *review* and never re-sent blindly.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        REVIEW = "review", "Needs review"

    class SkipReason(models.TextChoices):
        NO_EMAIL = "no_email", "No e-mail address"
        DO_NOT_CONTACT = "do_not_contact", "On the suppression list"
        CONVERTED = "converted", "Prospect converted"
        INACTIVE = "inactive", "Prospect inactive"
        NO_ADDRESS = "no_address", "No postal address"
        LEFT_SEQUENCE = "left_sequence", "Left the sequence"

    class BounceType(models.TextChoices):
        HARD = "hard", "Hard"
        SOFT = "soft", "Soft"

    template = models.ForeignKey(CampaignTemplate, on_delete=models.PROTECT, related_name="sends")
    step = models.ForeignKey(SequenceStep, null=True, blank=True, on_delete=models.PROTECT, related_name="sends")
    enrolment = models.ForeignKey(
        SequenceEnrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="sends"
    )
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="campaign_sends")
    channel = models.CharField(max_length=16, choices=CampaignTemplate.Channel.choices)
    recipient = models.CharField(max_length=255, blank=True)
    rendered_subject = models.CharField(max_length=500, blank=True)
    rendered_body = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    error = models.TextField(blank=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Waits until then (window or cap).")
    wait_reason = models.CharField(max_length=255, blank=True)
    job = models.ForeignKey(ScanJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claim_token = models.CharField(max_length=32, blank=True)
    sender_account = models.ForeignKey(
        SenderAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="sends"
    )
    message_id = models.CharField(max_length=255, blank=True)
    links = models.JSONField(default=list, blank=True, help_text="The URLs of the message (click tracking).")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    clicked_at = models.DateTimeField(null=True, blank=True)
    click_count = models.PositiveIntegerField(default=0)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_type = models.CharField(max_length=8, choices=BounceType.choices, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="send_status_idx"),
            models.Index(fields=["job", "status"], name="send_job_status_idx"),
            models.Index(fields=["sender_account", "claimed_at"], name="send_account_claimed_idx"),
            models.Index(fields=["template", "status"], name="send_template_status_idx"),
            models.Index(fields=["recipient", "-sent_at"], name="send_recipient_idx"),
            models.Index(fields=["status", "not_before"], name="send_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "prospect"],
                condition=Q(step__isnull=True),
                name="send_once_per_template",
                violation_error_message="This template was already sent to this prospect.",
            ),
            models.UniqueConstraint(
                fields=["step", "prospect"],
                condition=Q(step__isnull=False),
                name="send_once_per_step",
                violation_error_message="This sequence step was already sent to this prospect.",
            ),
            models.UniqueConstraint(fields=["message_id"], condition=~Q(message_id=""), name="send_message_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient or self.prospect_id}"
