"""The prospect FilterSet: one definition of the prospect filters, shared by the API, batches and exports
(the leads filters extend it in `prospecting/scoring/filters.py`)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

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
