"""FilterSets: one definition of each list's filters, shared by the API, exports and the admin."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.scoring.models import ProspectScore


class ProspectFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Prospect.Status.choices)
    channel = django_filters.ChoiceFilter(choices=Prospect.Channel.choices)
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    source = django_filters.CharFilter(field_name="source", lookup_expr="iexact")
    has_website = django_filters.BooleanFilter()
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", label="Search name, domain, city")

    class Meta:
        model = Prospect
        fields = ["status", "channel", "country", "city", "source", "has_website"]

    def filter_search(self, queryset: QuerySet[Prospect], name: str, value: str) -> QuerySet[Prospect]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(business_name__icontains=value) | Q(domain_name__icontains=value.lower()) | Q(city__icontains=value)
        )


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
