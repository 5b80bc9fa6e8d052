"""Admin changelists over a million rows: page counts from the planner, deep pages by a deferred join, and
list filters whose choices are read once in a while instead of on every page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.cache import cache
from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from prospecting.core.db import planner_row_estimate

EXACT_COUNT_BELOW = 20_000  # a planner estimate above this is shown as the count; below, rows are counted
FILTER_CHOICES_SECONDS = 300


class LargeTablePaginator(Paginator):
    """A paginator for admin lists of a million rows.

    * The count is PostgreSQL's planner estimate when that is large (COUNT(*) reads every matching row on each
      page load; the exact figure of a million-row list helps nobody), the exact count when it is small.
    * A page reads the ids of its rows first, along the index of the sort order, then the rows with their
      joins and subqueries for those ids only: page 5,000 costs about what page 1 does.
    """

    @cached_property
    def count(self) -> int:
        estimate = planner_row_estimate(self.object_list) if isinstance(self.object_list, QuerySet) else None
        if estimate is not None and estimate >= EXACT_COUNT_BELOW:
            return estimate
        return super().count

    def validate_number(self, number: Any) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.count >= EXACT_COUNT_BELOW and str(number).isdigit() and int(number) > 0:
                return int(number)  # past an estimated end: an empty page, not an error
            raise

    def page_ids(self, bottom: int, top: int) -> Any:
        """The ids of the rows from `bottom` to `top` in the list's order (a subclass may read them from a
        narrower index)."""
        return self.object_list.values_list("pk", flat=True)[bottom:top]

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.page_ids(bottom, bottom + self.per_page))
        position = {pk: index for index, pk in enumerate(ids)}
        rows = sorted(self.object_list.filter(pk__in=ids), key=lambda row: position[row.pk])
        return self._get_page(rows, number, self)


def cached_values_filter(field_name: str, title: str) -> type[admin.SimpleListFilter]:
    """A list filter on the distinct values of a column, like Django's `AllValuesFieldListFilter`, whose
    choices (a full scan at a million rows) are read at most every few minutes."""

    class CachedValuesFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
            model = model_admin.model
            key = f"admin-filter-values:{model._meta.label}:{field_name}"
            values = cache.get(key)
            if values is None:
                values = list(
                    model._default_manager.exclude(**{field_name: ""})
                    .exclude(**{f"{field_name}__isnull": True})
                    .order_by(field_name)
                    .values_list(field_name, flat=True)
                    .distinct()[:200]
                )
                cache.set(key, values, FILTER_CHOICES_SECONDS)
            return [(value, value) for value in values]

        def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
            value = self.value()
            return queryset.filter(**{field_name: value}) if value else queryset

    CachedValuesFilter.title = title
    CachedValuesFilter.__name__ = f"{field_name.title().replace('_', '')}ValuesFilter"
    return CachedValuesFilter
