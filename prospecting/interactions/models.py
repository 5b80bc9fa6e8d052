"""The CRM log: calls, visits, e-mails and follow-ups with prospects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prospecting.prospects.models import Prospect


class Interaction(models.Model):
    class InteractionType(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        EMAIL_SENT = "email_sent", _("E-mail sent")
        EMAIL_RECEIVED = "email_received", _("E-mail received")
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        SMS = "sms", _("SMS")
        PROPOSAL_SENT = "proposal_sent", _("Proposal sent")
        LETTER_SENT = "letter_sent", _("Letter sent")

    class Outcome(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")
        NO_ANSWER = "no_answer", _("No answer")

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="interactions")
    interaction_type = models.CharField(max_length=16, choices=InteractionType.choices)
    subject = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    next_action = models.CharField(max_length=255, blank=True)
    next_action_date = models.DateField(
        null=True, blank=True, help_text=_("Due date of the follow-up task (a next action without a date is a note).")
    )
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        help_text=_("Who does the next action (default: the prospect's owner, else the author)."),
    )
    follow_up_done_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the follow-up was ticked done or closed by the next interaction on the prospect."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_action_date"], name="interaction_next_action_idx"),
            models.Index(fields=["prospect", "-created_at"], name="interaction_prospect_idx"),
            models.Index(fields=["interaction_type", "prospect"], name="interaction_type_idx"),
            # "My follow-ups": one index range scan over the open tasks of one owner, by due date.
            models.Index(
                fields=["follow_up_owner", "next_action_date"],
                condition=Q(follow_up_done_at__isnull=True, next_action_date__isnull=False),
                name="interaction_open_follow_up_idx",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d}" if self.created_at else "new"
        return f"{self.get_interaction_type_display()} — {self.subject or when}"

    @property
    def is_follow_up(self) -> bool:
        return self.next_action_date is not None

    @property
    def follow_up_open(self) -> bool:
        return self.next_action_date is not None and self.follow_up_done_at is None


class FollowUp(Interaction):
    """The follow-up tasks of the interaction log (interactions with a next action date), as a screen."""

    class Meta:
        proxy = True
        verbose_name = "follow-up"


class CalendarFeed(models.Model):
    """A user's private iCalendar feed of their follow-ups: the secret token in its URL is the only key.

    Resetting gives a new token (the old URL stops working); revoking deletes it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
