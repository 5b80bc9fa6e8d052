"""Discovery in the API: start a search job, follow it, run the e-mail finder, compare sources."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.models import ScanJob
from prospecting.core.serializers import ScanJobSerializer
from prospecting.discovery import services
from prospecting.discovery.models import DiscoverySource
from prospecting.discovery.selectors import source_performance
from prospecting.discovery.serializers import (
    DiscoveryJobRequestSerializer,
    DiscoveryJobSerializer,
    DiscoverySourceSerializer,
    EmailFinderRequestSerializer,
    SourcePerformanceSerializer,
)
from prospecting.discovery.sources.base import Search, SourceStopped


class DiscoveryJobCreateView(APIView):
    required_permissions = {"POST": ["discovery.add_rawrecord", "prospects.add_prospect"]}

    @extend_schema(
        summary="Search a source for businesses (background job)",
        tags=["discovery"],
        request=DiscoveryJobRequestSerializer,
        responses={202: DiscoveryJobSerializer},
    )
    def post(self, request: Request) -> Response:
        params = DiscoveryJobRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        search = Search(
            query=data["query"],
            city=data["city"],
            country=data["country"].upper(),
            postal_codes=tuple(data["postal_codes"]),
            max_results=data["max_results"],
        )
        try:
            job = services.discovery_start(
                source=data["source"], search=search, user=request.user, auto_import=data["auto_import"]
            )
        except (ValueError, SourceStopped) as exc:
            raise serializers.ValidationError({"query": [str(exc)]}) from exc
        return Response(DiscoveryJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DiscoveryJobDetailView(generics.RetrieveAPIView):
    serializer_class = DiscoveryJobSerializer
    queryset = ScanJob.objects.filter(job_type=ScanJob.JobType.DISCOVERY)

    @extend_schema(summary="A discovery job: progress, listings found and what became of them", tags=["discovery"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class DiscoverySourceListView(generics.ListAPIView):
    serializer_class = DiscoverySourceSerializer
    queryset = DiscoverySource.objects.all()

    @extend_schema(summary="Discovery sources (keys are never shown)", tags=["discovery"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class EmailFinderView(APIView):
    required_permissions = {"POST": ["prospects.change_prospect"]}

    @extend_schema(
        summary="Find e-mail addresses of prospects' domains with a provider (background job)",
        tags=["discovery"],
        request=EmailFinderRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        params = EmailFinderRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = services.emails_find_start(
            source=params.validated_data["source"],
            prospect_ids=params.validated_data["prospect_ids"],
            user=request.user,
        )
        return Response(ScanJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SourcePerformanceView(APIView):
    required_permissions = {"GET": ["prospects.view_prospect"]}

    @extend_schema(
        summary="Per source of prospects: found, enriched, with e-mail, average score, contacted, converted, cost",
        tags=["stats"],
        responses=SourcePerformanceSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(SourcePerformanceSerializer(source_performance(), many=True).data)
