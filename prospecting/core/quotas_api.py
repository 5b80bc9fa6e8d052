"""Monthly quotas in the API (seed 004 subscriptions and usage tracking): your own usage, everyone's usage
against their limits (for admins), and setting a user's limits."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import StandardPagination
from prospecting.core.quotas import quota_set, quota_usage, quotas_usage_of


class UsageSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True, help_text="Empty: no limit.")
    left = serializers.IntegerField(allow_null=True)
    period = serializers.DateField(help_text="First day of the month counted.")


class QuotaUsageSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    username = serializers.CharField()
    scans = UsageSerializer()
    emails = UsageSerializer()


class QuotaLimitsSerializer(serializers.Serializer):
    scans_per_month = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, allow_null=True, help_text="Prospect scans per month; null: no limit."
    )
    emails_per_month = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, allow_null=True, help_text="E-mails sent per month; null: no limit."
    )


def _row(user: object, usage: dict) -> dict:
    return {"user": user.pk, "username": user.get_username(), **usage}


class MyQuotaView(APIView):
    required_permissions = {"GET": ["core.view_usagecounter"]}

    @extend_schema(summary="My usage this month against my quota", tags=["quotas"], responses=QuotaUsageSerializer)
    def get(self, request: Request) -> Response:
        return Response(_row(request.user, quota_usage(user=request.user)))


class QuotaListView(generics.ListAPIView):
    """Every staff user's usage this month against their limits."""

    serializer_class = QuotaUsageSerializer
    pagination_class = StandardPagination
    filter_backends: list = []
    required_permissions = {"GET": ["core.view_userquota"]}

    def get_queryset(self) -> QuerySet:
        return get_user_model().objects.filter(is_staff=True).order_by("username", "pk")

    @extend_schema(summary="Everyone's usage against their quotas", tags=["quotas"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        usage = quotas_usage_of(users=page)
        return self.get_paginated_response([_row(user, usage[user.pk]) for user in page])


class QuotaDetailView(APIView):
    required_permissions = {"GET": ["core.view_userquota"], "PUT": ["core.change_userquota", "core.add_userquota"]}

    @extend_schema(summary="One user's usage against their quota", tags=["quotas"], responses=QuotaUsageSerializer)
    def get(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(get_user_model(), pk=pk, is_staff=True)
        return Response(_row(user, quota_usage(user=user)))

    @extend_schema(
        summary="Set a user's monthly limits (null: no limit)",
        tags=["quotas"],
        request=QuotaLimitsSerializer,
        responses=QuotaUsageSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(get_user_model(), pk=pk, is_staff=True)
        body = QuotaLimitsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        quota_set(user=user, actor=request.user, **body.validated_data)
        return Response(_row(user, quota_usage(user=user)))
