"""GET leads/export/csv: the filtered leads as a streamed CSV file."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from prospecting.prospects.selectors import prospects_visible_to
from prospecting.scoring.exports import leads_csv_response
from prospecting.scoring.filters import LeadFilter


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
        filterset = LeadFilter(request.query_params, queryset=prospects_visible_to(request.user))
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return leads_csv_response(queryset=filterset.qs)
