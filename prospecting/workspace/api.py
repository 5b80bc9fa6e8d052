"""Prospects API: plain CRUD on a viewset (every write goes through the services), answered with the
prospect's detail from every app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import django_errors_as_api_errors
from prospecting.core.quotas import quota_consume
from prospecting.core.services import activity_log_record
from prospecting.enrichment.services import enrichment_full_run
from prospecting.enrichment.steps import Step
from prospecting.prospects import services
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospects_visible_to
from prospecting.prospects.serializers import ProspectWriteSerializer
from prospecting.workspace.duplicates import duplicate_groups, prospect_duplicates, prospects_merge
from prospecting.workspace.selectors import prospect_detail_queryset
from prospecting.workspace.serializers import (
    ConversionSerializer,
    ConversionsQuerySerializer,
    ConversionsReportSerializer,
    ConvertSerializer,
    DuplicateGroupSerializer,
    MergeRequestSerializer,
    ProspectDetailSerializer,
    ProspectListSerializer,
    StatsSerializer,
)
from prospecting.workspace.stats import stats_conversions, stats_dashboard


@extend_schema_view(
    list=extend_schema(summary="List prospects", tags=["prospects"]),
    retrieve=extend_schema(summary="Prospect detail with profiles and contacts", tags=["prospects"]),
    create=extend_schema(
        summary="Create a prospect",
        tags=["prospects"],
        request=ProspectWriteSerializer,
        responses={201: ProspectDetailSerializer},
    ),
    update=extend_schema(
        summary="Replace a prospect",
        tags=["prospects"],
        request=ProspectWriteSerializer,
        responses=ProspectDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Update some fields of a prospect",
        tags=["prospects"],
        request=ProspectWriteSerializer,
        responses=ProspectDetailSerializer,
    ),
    destroy=extend_schema(summary="Delete a prospect", tags=["prospects"]),
)
class ProspectViewSet(viewsets.ModelViewSet):
    filterset_class = ProspectFilter
    ordering_fields = ["created_at", "updated_at", "business_name", "domain_name", "score__score"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Prospect]:
        if self.action == "list":
            return prospects_visible_to(self.request.user, Prospect.objects.select_related("score"))
        return prospects_visible_to(self.request.user, prospect_detail_queryset())

    def get_serializer_class(self) -> type:
        if self.action == "list":
            return ProspectListSerializer
        if self.action in {"create", "update", "partial_update"}:
            return ProspectWriteSerializer
        return ProspectDetailSerializer

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = ProspectWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("status_reason", None)
        data.pop("status_override", None)
        with django_errors_as_api_errors():
            prospect = services.prospect_create(data=data, user=request.user)
            output = ProspectDetailSerializer(prospect_detail_queryset().get(pk=prospect.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        partial = kwargs.pop("partial", False)
        prospect = self.get_object()
        serializer = ProspectWriteSerializer(prospect, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("status_reason", "")
        override = data.pop("status_override", False)
        with django_errors_as_api_errors():
            services.prospect_update(
                prospect=prospect, data=data, user=request.user, status_reason=reason, status_override=override
            )
            output = ProspectDetailSerializer(prospect_detail_queryset().get(pk=prospect.pk))
        return Response(output.data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        with django_errors_as_api_errors():
            services.prospect_delete(prospect=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- enrichment of one prospect, now: answered with the prospect as every app sees it -----------------------

_StepResult = inline_serializer(
    "EnrichmentStepResult", {"result": serializers.DictField(), "prospect": ProspectDetailSerializer()}
)


def _json_safe(value: object) -> object:
    """A step's API result as the activity log's JSON column stores it (dates and decimals as text)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def _prospect_payload(prospect: Prospect) -> dict:
    return ProspectDetailSerializer(prospect_detail_queryset().get(pk=prospect.pk)).data


class EnrichmentRunView(APIView):
    """Run one registry step on one prospect inside the request (a few seconds at most) and show the result."""

    step: Step
    required_permissions = {"POST": ["prospects.change_prospect"]}

    @classmethod
    def for_step(cls, step: Step) -> Any:
        view = type(
            f"{step.job_type.title().replace('_', '')}RunView",
            (cls,),
            {
                "step": step,
                "post": extend_schema(
                    summary=f"{step.label} of one prospect (runs now)",
                    tags=["enrichment"],
                    request=None,
                    responses=_StepResult,
                )(cls.post),
            },
        )
        return view.as_view()

    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(prospects_visible_to(request.user), pk=pk)
        with django_errors_as_api_errors():
            quota_consume(user=request.user, kind="scans", amount=1)
        activity_log_record(entity=prospect, action="scan_started", actor=request.user, description=self.step.label)
        outcome = self.step.run(prospect)
        result = self.step.result(outcome)
        activity_log_record(
            entity=prospect,
            action="scan_finished",
            actor=request.user,
            description=f"{self.step.label} finished",
            metadata={"step": self.step.slug, "result": _json_safe(result)},
        )
        return Response({"result": result, "prospect": _prospect_payload(prospect)})


class FullRequestSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="Run every step even if its last run is recent")


class FullEnrichmentView(APIView):
    required_permissions = {"POST": ["prospects.change_prospect"]}

    @extend_schema(
        summary="Full enrichment of one prospect: HTTP check, tech scan, performance, contacts, score (runs now)",
        tags=["enrichment"],
        request=FullRequestSerializer,
        responses=inline_serializer(
            "FullEnrichmentResult", {"steps": serializers.DictField(), "prospect": ProspectDetailSerializer()}
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(prospects_visible_to(request.user), pk=pk)
        params = FullRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            quota_consume(user=request.user, kind="scans", amount=1)
        activity_log_record(entity=prospect, action="scan_started", actor=request.user, description="Full enrichment")
        steps = enrichment_full_run(prospect=prospect, force=params.validated_data["force"])
        outcome = ", ".join(
            f"{name} {item.get('status', '')}" for name, item in steps.items() if isinstance(item, dict)
        )
        activity_log_record(
            entity=prospect,
            action="scan_finished",
            actor=request.user,
            description=f"Full enrichment finished: {outcome}"[:1000],
            metadata={"step": "full", "result": _json_safe(steps)},
        )
        return Response({"steps": steps, "prospect": _prospect_payload(prospect)})


# --- stats and conversions -----------------------------------------------------------------------------------


class StatsView(APIView):
    required_permissions = {"GET": ["prospects.view_prospect"]}

    @extend_schema(summary="Dashboard numbers", tags=["stats"], responses=StatsSerializer)
    def get(self, request: Request) -> Response:
        return Response(StatsSerializer(stats_dashboard(user=request.user)).data)


class ConversionsReportView(APIView):
    required_permissions = {"GET": ["prospects.view_conversion"]}

    @extend_schema(
        summary="Conversions by source and by lead tier (rate, MRR, median days to convert)",
        tags=["stats"],
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Prospects created on or after"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Prospects created on or before"),
        ],
        responses=ConversionsReportSerializer,
    )
    def get(self, request: Request) -> Response:
        names = {"date_from": "from", "date_to": "to"}
        params = {name: request.query_params[q] for name, q in names.items() if request.query_params.get(q)}
        query = ConversionsQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        report = stats_conversions(user=request.user, **query.validated_data)
        return Response(ConversionsReportSerializer(report).data)


class ProspectConvertView(APIView):
    required_permissions = {"POST": ["prospects.change_prospect", "prospects.add_conversion"]}

    @extend_schema(
        summary="Convert a prospect (from contacted, or an override with a reason): plan, MRR, lifetime value",
        tags=["prospects"],
        request=ConvertSerializer,
        responses=ConversionSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        prospect = get_object_or_404(prospects_visible_to(request.user), pk=pk)
        body = ConvertSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            conversion = services.prospect_convert(prospect=prospect, user=request.user, **body.validated_data)
        return Response(ConversionSerializer(conversion).data)


# --- duplicates and merge --------------------------------------------------------------------------------------


class ProspectDuplicatesView(APIView):
    required_permissions = {"GET": ["prospects.view_prospect"]}

    @extend_schema(
        summary="Possible duplicates of a prospect (same registrable domain, phone, e-mail, or name and postal code)",
        operation_id="prospect_duplicates",
        tags=["prospects"],
        responses=DuplicateGroupSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        visible = prospects_visible_to(request.user)
        prospect = get_object_or_404(visible, pk=pk)
        groups = prospect_duplicates(prospect=prospect, prospects=visible.select_related("score"))
        return Response(DuplicateGroupSerializer(groups, many=True).data)


class DuplicatesListView(APIView):
    required_permissions = {"GET": ["prospects.view_prospect"]}

    @extend_schema(
        summary="Groups of possible duplicates across prospects (the largest first, 100 per reason)",
        operation_id="prospects_duplicate_groups",
        tags=["prospects"],
        responses=DuplicateGroupSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        groups = duplicate_groups(prospects=prospects_visible_to(request.user).select_related("score"))
        return Response(DuplicateGroupSerializer(groups, many=True).data)


class ProspectMergeView(APIView):
    required_permissions = {"POST": ["prospects.change_prospect", "prospects.delete_prospect"]}

    @extend_schema(
        summary="Merge other prospects into this one: contacts, interactions, sends and activity move here",
        tags=["prospects"],
        request=MergeRequestSerializer,
        responses=ProspectDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        visible = prospects_visible_to(request.user)
        keep = get_object_or_404(visible, pk=pk)
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = set(body.validated_data["prospect_ids"]) - {keep.pk}
        others = list(visible.filter(pk__in=ids))
        if len(others) != len(ids) or not ids:
            missing = sorted(ids - {other.pk for other in others})
            raise serializers.ValidationError({"prospect_ids": [f"Not found or not yours: {missing or [keep.pk]}."]})
        with django_errors_as_api_errors():
            prospects_merge(keep=keep, others=others, user=request.user)
        return Response(_prospect_payload(keep))
