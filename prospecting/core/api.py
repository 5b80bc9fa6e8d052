"""API building blocks shared by every app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, QuerySet
from rest_framework import serializers
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from prospecting.core.domains import InvalidDomainError, normalize_domain


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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


@contextmanager
def django_errors_as_api_errors() -> Iterator[None]:
    """Turn a model ValidationError raised by a service into DRF's 400 response with field messages."""
    try:
        yield
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
