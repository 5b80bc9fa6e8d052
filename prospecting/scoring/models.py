"""The opportunity score of a prospect."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prospecting.prospects.models import Prospect


class ProspectScore(models.Model):
    """0-100 opportunity score, its four components and the reasons behind it (one per prospect)."""

    class LeadTier(models.TextChoices):
        TOP_PRIORITY = "top_priority", _("Top priority")
        QUICK_WIN = "quick_win", _("Quick win")
        STRATEGIC = "strategic", _("Strategic")
        LOW_PRIORITY = "low_priority", _("Low priority")

    class LeadType(models.TextChoices):
        NO_WEBSITE = "no_website", _("No website")
        PARKED = "parked", _("Parked domain")
        BAD_WEBSITE = "bad_website", _("Bad website")
        OUTDATED_CMS = "outdated_cms", _("Outdated CMS")
        NO_HTTPS = "no_https", _("No HTTPS")
        SLOW_SITE = "slow_site", _("Slow site")
        NOT_MOBILE_FRIENDLY = "not_mobile_friendly", _("Not mobile friendly")
        GOOD_WEBSITE = "good_website", _("Good website")

    class IntentLevel(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")
        LETTER = "letter", _("Letter")

    prospect = models.OneToOneField(Prospect, on_delete=models.CASCADE, related_name="score")
    score = models.PositiveSmallIntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(100)])
    technical_health_score = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(40)])
    modernity_score = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(25)])
    business_value_score = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(25)])
    engagement_score = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(10)])
    reason_flags = models.JSONField(default=list, blank=True)
    score_breakdown = models.JSONField(default=dict, blank=True)
    lead_tier = models.CharField(max_length=16, choices=LeadTier.choices, default=LeadTier.LOW_PRIORITY)
    rules_version = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    lead_type = models.CharField(
        max_length=24, choices=LeadType.choices, blank=True, help_text=_("Empty until the website was checked.")
    )
    intent_level = models.CharField(max_length=8, choices=IntentLevel.choices, default=IntentLevel.LOW)
    buying_signal = models.BooleanField(default=False)
    recommended_channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["lead_tier", "score"], name="score_tier_score_idx"),
            # Best first, ties by newest prospect: the leads list's order, read along this index alone.
            models.Index(fields=["-score", "-prospect"], name="score_best_first_idx"),
            models.Index(fields=["lead_type", "score"], name="score_lead_type_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=100), name="score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.get_lead_tier_display()})"


class Lead(Prospect):
    """Scored prospects, as the sales team looks at them (the admin's Leads list)."""

    class Meta:
        proxy = True
        verbose_name = "lead"
        verbose_name_plural = "leads"
