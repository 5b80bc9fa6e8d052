"""The prospect FilterSet: one definition of the prospect filters, shared by the API, batches and exports
(the leads filters extend it in `prospecting/scoring/filters.py`)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospects_created_by_import, prospects_search


class ProspectFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Prospect.Status.choices)
    channel = django_filters.ChoiceFilter(choices=Prospect.Channel.choices)
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    source = django_filters.CharFilter(field_name="source", lookup_expr="iexact")
    has_website = django_filters.BooleanFilter()
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", label="Search name, domain, city, e-mail, phone")
    owner = django_filters.NumberFilter(
        field_name="owner_id", min_value=1, max_value=2**63 - 1, label="Owned by this user (id)"
    )
    unassigned = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label="No owner")
    visible_to = django_filters.NumberFilter(
        method="filter_visible_to",
        min_value=1,
        max_value=2**63 - 1,
        label="Only the prospects this user (id) owns or nobody owns (set for Sales users' batches)",
    )
    has_follow_up = django_filters.BooleanFilter(
        field_name="next_follow_up_at", lookup_expr="isnull", exclude=True, label="Has an open follow-up"
    )
    import_batch = django_filters.NumberFilter(
        method="filter_import_batch", min_value=1, max_value=2**63 - 1, label="Created by this import batch"
    )

    class Meta:
        model = Prospect
        fields = ["status", "channel", "country", "city", "source", "has_website"]

    def filter_import_batch(self, queryset: QuerySet[Prospect], name: str, value: int | None) -> QuerySet[Prospect]:
        return queryset.filter(pk__in=prospects_created_by_import(int(value))) if value else queryset

    def filter_search(self, queryset: QuerySet[Prospect], name: str, value: str) -> QuerySet[Prospect]:
        return prospects_search(queryset, value)

    def filter_visible_to(self, queryset: QuerySet[Prospect], name: str, value: int | None) -> QuerySet[Prospect]:
        if value is None:
            return queryset
        return queryset.filter(Q(owner_id=value) | Q(owner__isnull=True))
