"""The prospects list's filters for the columns it shows (score, CMS, primary contact, owner, last contact, next
follow-up). Each one is an indexed condition or an EXISTS on one prospect's rows, and none reads its choices
from the prospects table on each page load: fast at a million prospects."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prospecting.core.admin_paging import FILTER_CHOICES_SECONDS
from prospecting.enrichment.models import TechProfile
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import ProspectContact
from prospecting.scoring.models import ProspectScore


class ScoreBandFilter(admin.SimpleListFilter):
    title = _("score")
    parameter_name = "score_band"
    BANDS = {
        "70": (70, 100, _("70 and above (top priority)")),
        "50": (50, 69, _("50–69")),
        "30": (30, 49, _("30–49")),
        "0": (0, 29, _("below 30")),
    }

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [(key, label) for key, (_low, _high, label) in self.BANDS.items()] + [("none", _("not scored"))]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        if self.value() == "none":
            return queryset.filter(lead_score__isnull=True)
        if self.value() in self.BANDS:
            low, high, _label = self.BANDS[self.value()]
            return queryset.filter(lead_score__gte=low, lead_score__lte=high)  # the prospect's copy: no join
        return queryset


class LeadTierFilter(admin.SimpleListFilter):
    """The lead tier, read from the prospect's own copy of it (no join of the scores)."""

    title = _("lead tier")
    parameter_name = "lead_tier"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return list(ProspectScore.LeadTier.choices)

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(lead_tier=self.value()) if self.value() in ProspectScore.LeadTier.values else queryset


class CmsFilter(admin.SimpleListFilter):
    """The CMS the tech scan found; the choices are the distinct CMS of the tech profiles, read every few
    minutes."""

    title = _("CMS")
    parameter_name = "cms"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        values = cache.get("admin-filter-values:cms")
        if values is None:
            values = list(
                TechProfile.objects.exclude(cms="").order_by("cms").values_list("cms", flat=True).distinct()[:100]
            )
            cache.set("admin-filter-values:cms", values, FILTER_CHOICES_SECONDS)
        return [("-", _("none detected")), *((value, value) for value in values)]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "-":
            return queryset.filter(tech_profile__isnull=False, tech_profile__cms="")
        return queryset.filter(tech_profile__cms=value) if value else queryset


class PrimaryContactFilter(admin.SimpleListFilter):
    title = _("contact")
    parameter_name = "contact"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [("email", _("has an e-mail")), ("phone", _("has a phone")), ("none", _("no e-mail or phone"))]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        contacts = ProspectContact.objects.filter(prospect=OuterRef("pk"))
        if self.value() in ("email", "phone"):
            return queryset.filter(Exists(contacts.filter(contact_type=self.value())))
        if self.value() == "none":
            return queryset.exclude(Exists(contacts.filter(contact_type__in=["email", "phone"])))
        return queryset


class OwnerFilter(admin.SimpleListFilter):
    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        staff = cache.get("owner-filter-staff")
        if staff is None:  # the users table has no index on is_staff: read it once a minute, not on every page
            users = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")[:50]
            staff = [(str(user.pk), user.get_username()) for user in users]
            cache.set("owner-filter-staff", staff, FILTER_CHOICES_SECONDS)
        return [("me", _("me")), ("none", _("nobody (unassigned)")), *staff]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "me":
            return queryset.filter(owner=request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit() and len(value) < 19:
            return queryset.filter(owner_id=int(value))
        return queryset


class LastContactFilter(admin.SimpleListFilter):
    title = _("last contact")
    parameter_name = "last_contact"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("30", _("in the last 30 days")),
            ("stale", _("more than 90 days ago")),
            ("never", _("never")),
        ]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        interactions = Interaction.objects.filter(prospect=OuterRef("pk"))
        now = timezone.now()
        if self.value() == "30":
            return queryset.filter(Exists(interactions.filter(created_at__gte=now - datetime.timedelta(days=30))))
        if self.value() == "stale":
            recent = interactions.filter(created_at__gte=now - datetime.timedelta(days=90))
            return queryset.filter(Exists(interactions)).exclude(Exists(recent))
        if self.value() == "never":
            return queryset.exclude(Exists(interactions))
        return queryset


class NextFollowUpFilter(admin.SimpleListFilter):
    title = _("next follow-up")
    parameter_name = "follow_up"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("overdue", _("overdue")),
            ("today", _("today")),
            ("week", _("in the next 7 days")),
            ("none", _("none planned")),
        ]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        conditions = {
            "overdue": Q(next_follow_up_at__lt=today),
            "today": Q(next_follow_up_at=today),
            "week": Q(next_follow_up_at__gt=today, next_follow_up_at__lte=today + datetime.timedelta(days=7)),
            "none": Q(next_follow_up_at__isnull=True),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset
