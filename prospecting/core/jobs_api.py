"""Background jobs in the API (seed 002: stats/jobs): list, detail, cancel, resume."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.jobs import job_cancel, job_resume, jobs_mark_stalled
from prospecting.core.models import ScanJob
from prospecting.core.serializers import ScanJobSerializer


class _FreshJobsMixin:
    """Jobs whose worker died show as interrupted as soon as anyone looks (not only at the next watchdog run)."""

    def get_queryset(self):
        jobs_mark_stalled()
        return ScanJob.objects.select_related("created_by")


class JobListView(_FreshJobsMixin, generics.ListAPIView):
    """Recent background jobs, newest first."""

    serializer_class = ScanJobSerializer
    filterset_fields = ["job_type", "status"]
    ordering = ["-created_at", "-id"]

    @extend_schema(summary="Recent jobs", tags=["stats"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class JobDetailView(_FreshJobsMixin, generics.RetrieveAPIView):
    serializer_class = ScanJobSerializer

    @extend_schema(summary="One job and its progress", tags=["stats"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class JobCancelView(APIView):
    required_permissions = {"POST": ["core.change_scanjob"]}

    @extend_schema(
        summary="Cancel a job that did not finish",
        tags=["stats"],
        request=None,
        responses={200: ScanJobSerializer, 409: OpenApiResponse(description="Job already finished")},
    )
    def post(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(ScanJob, pk=pk)
        if not job_cancel(job=job):
            return Response(
                {"detail": f"Job is {job.status}; it cannot be cancelled."}, status=status.HTTP_409_CONFLICT
            )
        job.refresh_from_db()
        return Response(ScanJobSerializer(job).data)


class JobResumeView(APIView):
    required_permissions = {"POST": ["core.change_scanjob"]}

    @extend_schema(
        summary="Resume a job that stopped (interrupted, failed, or its worker died): it continues where it stopped",
        tags=["stats"],
        request=None,
        responses={
            202: ScanJobSerializer,
            409: OpenApiResponse(description="Job completed, cancelled, or running right now"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(ScanJob, pk=pk)
        if not job_resume(job=job):
            return Response(
                {"detail": f"Job is {job.status}; there is nothing to resume."}, status=status.HTTP_409_CONFLICT
            )
        return Response(ScanJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
