"""The privacy API: erase a person, export what is held on them, run the retention purge."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import django_errors_as_api_errors
from prospecting.core.csv_safety import csv_stream
from prospecting.core.models import Suppression
from prospecting.core.serializers import ScanJobSerializer
from prospecting.core.suppression import suppression_add
from prospecting.privacy.serializers import (
    AccessRequestSerializer,
    EraseRequestSerializer,
    PrivacyRequestSerializer,
    RetentionRequestSerializer,
    SuppressionSerializer,
)
from prospecting.privacy.services import person_access_export, person_erase, retention_start, subject_normalize


def _subject_args(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name, []) for name in ("emails", "phones", "domains", "names")} | {
        "region": data.get("region") or "LU"
    }


class EraseView(APIView):
    """Erasure (GDPR Art. 17). Runs now, in this request: the values are never written to a job queue."""

    required_permissions = {"POST": ["privacy.erase_person"]}

    @extend_schema(
        summary="Erase a person from every table and put their e-mails, phones (and domains) on the suppression list",
        tags=["privacy"],
        request=EraseRequestSerializer,
        responses={201: PrivacyRequestSerializer},
    )
    def post(self, request: Request) -> Response:
        params = EraseRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            done = person_erase(
                **_subject_args(params.validated_data),
                reference=params.validated_data["reference"],
                user=request.user,
            )
        return Response(PrivacyRequestSerializer(done).data, status=status.HTTP_201_CREATED)


class AccessView(APIView):
    """Access export (GDPR Art. 15), POST so that the address never appears in a URL or a server log."""

    required_permissions = {"POST": ["privacy.export_person"]}

    @extend_schema(
        summary="Everything held on a person, with where each datum came from (JSON or CSV)",
        tags=["privacy"],
        request=AccessRequestSerializer,
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="The export"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The export as CSV"),
        },
    )
    def post(self, request: Request) -> HttpResponse:
        params = AccessRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            subject = subject_normalize(**_subject_args(params.validated_data))
        export = person_access_export(subject=subject, user=request.user)
        if params.validated_data["format"] == "csv":
            response = StreamingHttpResponse(csv_stream(export.csv_header, export.csv_rows), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="access-{timezone.now():%Y%m%d-%H%M}.csv"'
            return response
        return Response(export.data)


class RetentionView(APIView):
    required_permissions = {"POST": ["privacy.erase_person"]}

    @extend_schema(
        summary="Report (dry run, the default) or purge the prospects past retention, as a job",
        tags=["privacy"],
        request=RetentionRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        params = RetentionRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            job = retention_start(dry_run=params.validated_data["dry_run"], user=request.user)
        return Response(ScanJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(summary="The suppression list (filter by kind, reason)", tags=["privacy"]),
    post=extend_schema(
        summary="Put a value on the suppression list: an objection (Art. 21, the default reason), a manual entry",
        tags=["privacy"],
        responses={201: SuppressionSerializer},
    ),
)
class SuppressionListView(generics.ListCreateAPIView):
    """A person who says "do not contact me again" on the phone is recorded here by whoever took the call."""

    serializer_class = SuppressionSerializer
    queryset = Suppression.objects.all()
    filterset_fields = ["kind", "reason"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    required_permissions = {"GET": ["core.view_suppression"], "POST": ["core.add_suppression"]}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            entry = suppression_add(**params.validated_data, origin="api", user=request.user)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)
