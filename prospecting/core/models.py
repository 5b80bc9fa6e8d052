"""Cross-app tables: background jobs and the activity log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScanJob(models.Model):
    """A batch of work (enrichment, scoring, import, campaign send) run by the workers, with progress.

    The row records what to run (`task`, the dotted path of a job function, and its `params`) when the job is
    queued, so the one runner in `core/jobs.py` can start, resume and retry any kind of job the same way.
    """

    class JobType(models.TextChoices):
        HTTP_CHECK = "http_check", _("HTTP check")
        TECH_SCAN = "tech_scan", _("Tech scan")
        PERFORMANCE = "performance", _("Performance audit")
        CONTACTS = "contacts", _("Contact scrape")
        FULL = "full", _("Full enrichment")
        SCORE_COMPUTE = "score_compute", _("Score compute")
        IMPORT = "import", _("Import")
        CAMPAIGN_SEND = "campaign_send", _("Campaign send")
        DISCOVERY = "discovery", _("Discovery")
        EMAIL_FINDER = "email_finder", _("E-mail finder")
        FOLLOW_UP_DIGEST = "follow_up_digest", _("Follow-up digest")
        RETENTION = "retention", _("Retention purge")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        INTERRUPTED = "interrupted", _("Interrupted")
        PAUSED = "paused", _("Paused")

    job_type = models.CharField(max_length=32, choices=JobType.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total_items = models.PositiveIntegerField(default=0)
    processed_items = models.PositiveIntegerField(default=0)
    failed_items = models.PositiveIntegerField(default=0)
    task = models.CharField(max_length=200, blank=True, help_text=_("The job function the runner calls."))
    params = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text=_("The queue's id of the latest hand-over."))
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("How many times a runner started it."))
    worker = models.CharField(max_length=200, blank=True, help_text=_("host:pid of the process running it."))
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "job_type"]),
            models.Index(fields=["-created_at"]),
            models.Index(fields=["status", "heartbeat_at"], name="scanjob_status_heartbeat_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_job_type_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_items:
            return 100 if self.status == self.Status.COMPLETED else 0
        return min(100, round(100 * self.processed_items / self.total_items))


class ActivityLog(models.Model):
    """An audit trail entry: who did what to which record, with structured details."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    entity = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prospect_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "The prospect this entry is about (its contacts, interactions, sends included); kept after the "
            "prospect is deleted, so its history stays readable."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"]),
            models.Index(fields=["prospect_id", "-created_at"], name="activity_prospect_idx"),
            models.Index(fields=["action", "-created_at"], name="activity_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model} #{self.object_id}"


class UserQuota(models.Model):
    """Optional monthly limits of one user (seed 004 subscriptions): empty means no limit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota")
    scans_per_month = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Prospects enriched per calendar month (each step on each prospect counts).")
    )
    emails_per_month = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("E-mails sent per calendar month.")
    )

    def __str__(self) -> str:
        return f"Quota of {self.user}"


class UsageCounter(models.Model):
    """What a user used in one month (seed 004 usage_tracking), counted as work is started."""

    class Kind(models.TextChoices):
        SCANS = "scans", _("Enrichment scans")
        EMAILS = "emails", _("E-mails sent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    period = models.DateField(help_text=_("First day of the month."))
    used = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period", "user_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "period"], name="usage_counter_once_per_month")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.period:%Y-%m}: {self.used}"


class Suppression(models.Model):
    """A value no import, discovery, scrape or message may bring back: the one suppression list.

    Keyed by a salted hash (HMAC with PRIVACY_HASH_KEY) of the normalized value, so an erased person stays
    erased without the list holding their address: entries of erased people keep the hash only. Other
    entries (unsubscribed, bounced, complained, objection, added by hand) also keep the value for staff.
    `core/suppression.py` writes and consults it.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        DOMAIN = "domain", "Domain"

    class Reason(models.TextChoices):
        ERASED = "erased", "Erased (GDPR Art. 17)"
        OBJECTION = "objection", "Objected (GDPR Art. 21)"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained (spam report)"
        MANUAL = "manual", "Added by hand"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    value_hash = models.CharField(max_length=64, unique=True, editable=False)
    value = models.CharField(
        max_length=255, blank=True, help_text="Normalized value; empty for erased people (only the hash is kept)."
    )
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.MANUAL)
    note = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=100, blank=True, help_text="What added it, e.g. campaign send #12.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "suppression list entry"
        verbose_name_plural = "suppression list"
        indexes = [
            models.Index(fields=["kind", "value"], name="suppression_kind_value_idx"),
            models.Index(fields=["reason", "-created_at"], name="suppression_reason_idx"),
        ]

    def __str__(self) -> str:
        shown = self.value or f"hash {self.value_hash[:12]}…"
        return f"{self.get_kind_display()} {shown} ({self.get_reason_display()})"
