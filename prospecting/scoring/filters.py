"""The leads FilterSet: the prospect filters plus score, tier, contact and technology filters."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.prospects.services.status import CLOSED_STATUSES
from prospecting.scoring.models import ProspectScore


def _has_contact(contact_type: str) -> Exists:
    return Exists(ProspectContact.objects.filter(prospect=OuterRef("pk"), contact_type=contact_type))


class LeadFilter(ProspectFilter):
    """Filters of the leads list; the CSV export (API, admin, command) uses the very same set."""

    min_score = django_filters.NumberFilter(field_name="score__score", lookup_expr="gte")
    max_score = django_filters.NumberFilter(field_name="score__score", lookup_expr="lte")
    lead_tier = django_filters.MultipleChoiceFilter(
        field_name="score__lead_tier", choices=ProspectScore.LeadTier.choices
    )
    has_email = django_filters.BooleanFilter(method="filter_has_contact")
    has_phone = django_filters.BooleanFilter(method="filter_has_contact")
    contact_type = django_filters.ChoiceFilter(
        choices=ProspectContact.ContactType.choices, method="filter_contact_type"
    )
    cms = django_filters.CharFilter(field_name="tech_profile__cms", lookup_expr="iexact")
    lead_type = django_filters.MultipleChoiceFilter(
        field_name="score__lead_type", choices=ProspectScore.LeadType.choices
    )
    intent_level = django_filters.ChoiceFilter(
        field_name="score__intent_level", choices=ProspectScore.IntentLevel.choices
    )

    class Meta(ProspectFilter.Meta):
        fields = [*ProspectFilter.Meta.fields]

    def filter_has_contact(self, queryset: QuerySet[Prospect], name: str, value: bool | None) -> QuerySet[Prospect]:
        if value is None:
            return queryset
        condition = _has_contact("email" if name == "has_email" else "phone")
        return queryset.filter(condition if value else ~condition)

    def filter_contact_type(self, queryset: QuerySet[Prospect], name: str, value: str) -> QuerySet[Prospect]:
        return queryset.filter(_has_contact(value)) if value else queryset

    @property
    def qs(self) -> QuerySet[Prospect]:
        """Lead lists and their presets leave converted and inactive prospects out unless a status is asked."""
        queryset = super().qs
        if not self.data.get("status") and not (hasattr(self.data, "getlist") and self.data.getlist("status")):
            queryset = queryset.exclude(status__in=CLOSED_STATUSES)
        return queryset
