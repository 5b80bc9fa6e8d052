"""GET leads/export/csv: the filtered leads as a streamed CSV file."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from prospecting.core.csv_safety import csv_stream
from prospecting.prospects.models import Prospect
from prospecting.scoring.filters import LeadFilter
from prospecting.scoring.selectors import LEAD_EXPORT_HEADER, leads_export_rows


def leads_csv_response(*, queryset: object, filename_prefix: str = "leads") -> StreamingHttpResponse:
    """A streamed CSV download of the given prospects in the lead export format."""
    rows = leads_export_rows(queryset=queryset)
    response = StreamingHttpResponse(csv_stream(LEAD_EXPORT_HEADER, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename_prefix}-{stamp}.csv"'
    return response


class LeadExportView(APIView):
    required_permissions = {"GET": ["prospects.view_prospect"]}
    filterset_class = LeadFilter  # also documents the query parameters in the OpenAPI schema

    @extend_schema(
        summary="Export leads as CSV",
        description="Same filters as the leads list. Streamed: any number of rows, constant memory.",
        tags=["leads"],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV file")},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        filterset = LeadFilter(request.query_params, queryset=Prospect.objects.all())
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return leads_csv_response(queryset=filterset.qs)
