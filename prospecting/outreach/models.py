"""Campaign templates and the messages sent from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from prospecting.prospects.models import Prospect


class CampaignTemplate(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"
        LETTER = "letter", "Letter"

    name = models.CharField(max_length=255)
    lead_type = models.CharField(max_length=32, blank=True, help_text="e.g. no_website, bad_website, outdated_cms")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(max_length=8, default="fr")
    subject_template = models.CharField(max_length=500, blank=True)
    body_template = models.TextField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["lead_type", "is_active"], name="template_lead_type_idx")]

    def __str__(self) -> str:
        return self.name


class CampaignSend(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        OPENED = "opened", "Opened"
        CLICKED = "clicked", "Clicked"

    template = models.ForeignKey(CampaignTemplate, on_delete=models.PROTECT, related_name="sends")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="campaign_sends")
    channel = models.CharField(max_length=16, choices=CampaignTemplate.Channel.choices)
    rendered_subject = models.CharField(max_length=500, blank=True)
    rendered_body = models.TextField(blank=True)
    recipient = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    is_resend = models.BooleanField(default=False, help_text="An explicit resend to a prospect already sent to.")
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="send_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "prospect"],
                condition=Q(is_resend=False),
                name="send_once_per_template_unless_resend",
                violation_error_message="This template was already sent to this prospect.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient or self.prospect_id}"
