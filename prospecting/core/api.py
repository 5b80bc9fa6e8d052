"""API building blocks shared by every app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.db import planner_row_estimate
from prospecting.core.domains import InvalidDomainError, normalize_domain

MAX_ID = 2**63 - 1  # the largest primary key a database column holds; a larger id in a request is a 400
MAX_PAGE = 10_000_000


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        """`page_size` must be a whole number from 1 (a wrong one is a 400, not silently the default)."""
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and not (value.isdigit() and int(value) > 0):
            raise serializers.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}, not {value!r}."]}
            )
        return super().get_page_size(request)


class NullsLastOrderingFilter(OrderingFilter):
    """`?ordering=-score__score` puts unscored rows last on every database (PostgreSQL puts NULLs first)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        expressions = [
            F(term[1:]).desc(nulls_last=True) if term.startswith("-") else F(term).asc(nulls_last=True)
            for term in ordering
        ]
        return queryset.order_by(*expressions)


ESTIMATE_MARGIN = 10  # an estimate this many times the cap is trusted to be above it (estimates err by less)


class CappedCountPagination(StandardPagination):
    """Page-number pagination whose total is counted up to `count_cap` rows only.

    An exact COUNT(*) over a filtered join of a million rows costs more than the page itself; past the
    cap the answer says `"count": 1000, "count_is_exact": false`, and `next` still leads on page by page.
    """

    count_cap = 1_000

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: APIView | None = None) -> list:
        self.request = request
        page_size = self.get_page_size(request)
        try:
            self.page_number = max(1, int(request.query_params.get(self.page_query_param, 1)))
        except ValueError as exc:
            raise NotFound("Invalid page.") from exc
        if self.page_number > MAX_PAGE:
            raise NotFound("Invalid page.")
        offset = (self.page_number - 1) * page_size
        rows = list(queryset[offset : offset + page_size + 1])
        self.has_next = len(rows) > page_size
        # Far more matches than the cap by PostgreSQL's estimate: no need to walk a thousand rows to say so.
        estimate = planner_row_estimate(queryset)
        if estimate is not None and estimate > ESTIMATE_MARGIN * self.count_cap:
            counted = self.count_cap + 1
        else:
            # Keep the ordering: with it PostgreSQL walks the sort index and stops at the cap.
            counted = queryset[: self.count_cap + 1].count()
        self.count_is_exact = counted <= self.count_cap
        self.count = counted if self.count_is_exact else self.count_cap
        self.page_size_used = page_size
        return rows[:page_size]

    def _page_link(self, number: int) -> str | None:
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data: list) -> Response:
        return Response(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "next": self._page_link(self.page_number + 1) if self.has_next else None,
                "previous": self._page_link(self.page_number - 1) if self.page_number > 1 else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_exact"] = {"type": "boolean"}
        return response


@contextmanager
def django_errors_as_api_errors() -> Iterator[None]:
    """Turn a model ValidationError raised by a service into DRF's 400 response with field messages, and a row
    deleted meanwhile into a 404."""
    try:
        yield
    except ObjectDoesNotExist as exc:
        raise NotFound(str(exc)) from exc
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise serializers.ValidationError(detail) from exc


class DomainNameSerializerField(serializers.CharField):
    """Accepts any URL or domain spelling and yields the normalized domain the database stores."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 253)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str | None:
        value = super().to_internal_value(data)
        if not value:
            return None
        try:
            return normalize_domain(value)
        except InvalidDomainError as exc:
            raise serializers.ValidationError(str(exc)) from exc


def api_aware_not_found(request: object, exception: Exception | None = None) -> object:
    """The 404 page: JSON under /api/ (clients parse it), Django's page elsewhere (settings' handler404)."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):  # type: ignore[attr-defined]
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def api_aware_bad_request(request: object, exception: Exception | None = None) -> object:
    """The 400 page (a SuspiciousOperation such as too many form fields): JSON under /api/ (handler400)."""
    from django.http import JsonResponse
    from django.views.defaults import bad_request

    if request.path.startswith("/api/"):  # type: ignore[attr-defined]
        return JsonResponse({"detail": "Bad request."}, status=400)
    return bad_request(request, exception)


def api_aware_server_error(request: object) -> object:
    """The 500 page: JSON under /api/, Django's page elsewhere (settings' handler500)."""
    from django.http import JsonResponse
    from django.views.defaults import server_error

    if request.path.startswith("/api/"):  # type: ignore[attr-defined]
        return JsonResponse({"detail": "Server error."}, status=500)
    return server_error(request)
