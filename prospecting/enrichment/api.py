"""Enrichment operations (seed 002): one prospect inline, or a batch as a background job; job status."""

from __future__ import annotations

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.models import ScanJob
from prospecting.core.serializers import ScanJobSerializer
from prospecting.enrichment.services import (
    contacts_run,
    enrichment_full_run,
    http_check_run,
    performance_run,
    tech_scan_run,
)
from prospecting.enrichment.services.batch import enrichment_batch_create, scan_job_cancel
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_detail_queryset
from prospecting.prospects.serializers import ProspectDetailSerializer


class BatchRequestSerializer(serializers.Serializer):
    prospect_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100_000
    )
    filter = serializers.DictField(required=False, help_text='Prospect filters, e.g. {"status": ["pending"]}')
    force = serializers.BooleanField(default=False, help_text="Full enrichment: rerun steps that are still fresh")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("prospect_ids")) == bool(attrs.get("filter")):
            raise serializers.ValidationError("Give either prospect_ids or filter.")
        if attrs.get("filter"):
            filterset = ProspectFilter(attrs["filter"], queryset=Prospect.objects.none())
            if not filterset.is_valid():
                raise serializers.ValidationError({"filter": filterset.errors})
        return attrs


_StepResult = inline_serializer(
    "EnrichmentStepResult",
    {"result": serializers.DictField(), "prospect": ProspectDetailSerializer()},
)


def _prospect_payload(prospect: Prospect) -> dict:
    return ProspectDetailSerializer(prospect_detail_queryset().get(pk=prospect.pk)).data


class HttpCheckView(APIView):
    @extend_schema(
        summary="HTTP check of one prospect (runs now)", tags=["enrichment"], request=None, responses=_StepResult
    )
    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(Prospect, pk=pk)
        outcome = http_check_run(prospect=prospect)
        result = {key: value for key, value in asdict(outcome).items() if key != "page"}
        return Response({"result": result, "prospect": _prospect_payload(prospect)})


class TechScanView(APIView):
    @extend_schema(
        summary="Tech scan of one prospect (runs now)", tags=["enrichment"], request=None, responses=_StepResult
    )
    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(Prospect, pk=pk)
        outcome = tech_scan_run(prospect=prospect)
        result = {
            "scanned": outcome.scanned,
            "reason": outcome.reason,
            "fields": outcome.fields or {},
            "technologies": [d.as_dict() for d in outcome.detections or []],
        }
        return Response({"result": result, "prospect": _prospect_payload(prospect)})


class _BatchView(APIView):
    job_type = ""

    def post(self, request: Request) -> Response:
        params = BatchRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = enrichment_batch_create(
            job_type=self.job_type,
            prospect_ids=params.validated_data.get("prospect_ids"),
            filters=params.validated_data.get("filter"),
            user=request.user,
            force=params.validated_data.get("force", False),
        )
        return Response(ScanJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class HttpCheckBatchView(_BatchView):
    job_type = ScanJob.JobType.HTTP_CHECK

    @extend_schema(
        summary="HTTP check of many prospects (background job)",
        tags=["enrichment"],
        request=BatchRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class TechScanBatchView(_BatchView):
    job_type = ScanJob.JobType.TECH_SCAN

    @extend_schema(
        summary="Tech scan of many prospects (background job)",
        tags=["enrichment"],
        request=BatchRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class JobListView(generics.ListAPIView):
    """Recent background jobs, newest first (seed 002: stats/jobs)."""

    serializer_class = ScanJobSerializer
    queryset = ScanJob.objects.all()
    filterset_fields = ["job_type", "status"]
    ordering = ["-created_at", "-id"]

    @extend_schema(summary="Recent jobs", tags=["stats"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class JobDetailView(generics.RetrieveAPIView):
    serializer_class = ScanJobSerializer
    queryset = ScanJob.objects.all()

    @extend_schema(summary="One job and its progress", tags=["stats"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class JobCancelView(APIView):
    @extend_schema(
        summary="Cancel a pending or running job",
        tags=["stats"],
        request=None,
        responses={200: ScanJobSerializer, 409: OpenApiResponse(description="Job already finished")},
    )
    def post(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(ScanJob, pk=pk)
        if not scan_job_cancel(job=job):
            return Response(
                {"detail": f"Job is {job.status}; it cannot be cancelled."}, status=status.HTTP_409_CONFLICT
            )
        job.refresh_from_db()
        return Response(ScanJobSerializer(job).data)


class PerformanceView(APIView):
    @extend_schema(
        summary="Performance audit of one prospect (runs now)", tags=["enrichment"], request=None, responses=_StepResult
    )
    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(Prospect, pk=pk)
        outcome = performance_run(prospect=prospect)
        result = {"audited": outcome.audited, "reason": outcome.reason}
        if outcome.result:
            result.update({k: v for k, v in asdict(outcome.result).items() if k != "raw"})
        return Response({"result": result, "prospect": _prospect_payload(prospect)})


class ContactsView(APIView):
    @extend_schema(
        summary="Contact scrape of one prospect (runs now)", tags=["enrichment"], request=None, responses=_StepResult
    )
    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(Prospect, pk=pk)
        outcome = contacts_run(prospect=prospect)
        result = {
            "scraped": outcome.scraped,
            "reason": outcome.reason,
            "added": outcome.added,
            "pages": outcome.result.pages if outcome.result else [],
            "site_features": outcome.result.features if outcome.result else {},
        }
        return Response({"result": result, "prospect": _prospect_payload(prospect)})


class FullRequestSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="Run every step even if its last run is recent")


class FullEnrichmentView(APIView):
    @extend_schema(
        summary="Full enrichment of one prospect: HTTP check, tech scan, performance, contacts, score (runs now)",
        tags=["enrichment"],
        request=FullRequestSerializer,
        responses=inline_serializer(
            "FullEnrichmentResult", {"steps": serializers.DictField(), "prospect": ProspectDetailSerializer()}
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(Prospect, pk=pk)
        params = FullRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        steps = enrichment_full_run(prospect=prospect, force=params.validated_data["force"])
        return Response({"steps": steps, "prospect": _prospect_payload(prospect)})


class PerformanceBatchView(_BatchView):
    job_type = ScanJob.JobType.PERFORMANCE

    @extend_schema(
        summary="Performance audit of many prospects (background job)",
        tags=["enrichment"],
        request=BatchRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class ContactsBatchView(_BatchView):
    job_type = ScanJob.JobType.CONTACTS

    @extend_schema(
        summary="Contact scrape of many prospects (background job)",
        tags=["enrichment"],
        request=BatchRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class FullBatchView(_BatchView):
    job_type = ScanJob.JobType.FULL

    @extend_schema(
        summary="Full enrichment of many prospects (background job); `force` reruns fresh steps",
        tags=["enrichment"],
        request=BatchRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)
