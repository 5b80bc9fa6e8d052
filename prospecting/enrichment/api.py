"""Enrichment batches in the API (seed 002: `enrichment/<step>/batch`): one view, one URL per registry step.

Single-prospect runs answer with the whole prospect (every app's profile), so they live with the other
combined screens in `prospecting/workspace/api.py`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import MAX_ID, django_errors_as_api_errors
from prospecting.core.serializers import ScanJobSerializer
from prospecting.enrichment.models import ScanMode
from prospecting.enrichment.services.batch import enrichment_batch_start
from prospecting.enrichment.steps import Step
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import batch_targets_scoped


class BatchRequestSerializer(serializers.Serializer):
    prospect_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=100_000
    )
    filter = serializers.DictField(required=False, help_text='Prospect filters, e.g. {"status": ["pending"]}')
    force = serializers.BooleanField(default=False, help_text="Full enrichment: rerun steps that are still fresh")
    scan_mode = serializers.ChoiceField(
        choices=ScanMode.choices,
        required=False,
        help_text="Tech scan and full enrichment: `browser` renders each page in Chromium (seconds a page, finds "
        "what scripts set at run time); `static` reads the fetched HTML. Default: the TECH_SCAN_MODE setting.",
    )

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("prospect_ids")) == bool(attrs.get("filter")):
            raise serializers.ValidationError("Give either prospect_ids or filter.")
        if attrs.get("filter"):
            filterset = ProspectFilter(attrs["filter"], queryset=Prospect.objects.none())
            if not filterset.is_valid():
                raise serializers.ValidationError({"filter": filterset.errors})
        return attrs


class EnrichmentBatchView(APIView):
    """Start a batch of one step over ids or a prospect filter; answers 202 with the job."""

    step: Step
    required_permissions = {"POST": ["prospects.change_prospect"]}

    @classmethod
    def for_step(cls, step: Step) -> Any:
        view = type(
            f"{step.job_type.title().replace('_', '')}BatchView",
            (cls,),
            {
                "step": step,
                "post": extend_schema(
                    summary=f"{step.label} of many prospects (background job)",
                    tags=["enrichment"],
                    request=BatchRequestSerializer,
                    responses={202: ScanJobSerializer},
                )(cls.post),
            },
        )
        return view.as_view()

    def post(self, request: Request) -> Response:
        params = BatchRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        prospect_ids, filters = params.validated_data.get("prospect_ids"), params.validated_data.get("filter")
        prospect_ids, filters = batch_targets_scoped(request.user, prospect_ids=prospect_ids, filters=filters)
        if prospect_ids == []:
            raise NotFound("None of these prospects is yours or unassigned.")
        with django_errors_as_api_errors():
            job = enrichment_batch_start(
                job_type=self.step.job_type,
                prospect_ids=prospect_ids,
                filters=filters,
                user=request.user,
                force=params.validated_data.get("force", False),
                scan_mode=params.validated_data.get("scan_mode"),
            )
        return Response(ScanJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
