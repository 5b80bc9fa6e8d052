"""Prospects API: plain CRUD on a viewset (every write goes through the services), answered with the
prospect's detail from every app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import django_errors_as_api_errors
from prospecting.enrichment.services import enrichment_full_run
from prospecting.enrichment.steps import Step
from prospecting.prospects import services
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.serializers import ProspectWriteSerializer
from prospecting.workspace.selectors import prospect_detail_queryset
from prospecting.workspace.serializers import ProspectDetailSerializer, ProspectListSerializer


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
            return Prospect.objects.select_related("score")
        return prospect_detail_queryset()

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
        prospect = get_object_or_404(Prospect, pk=pk)
        outcome = self.step.run(prospect)
        return Response({"result": self.step.result(outcome), "prospect": _prospect_payload(prospect)})


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
        prospect = get_object_or_404(Prospect, pk=pk)
        params = FullRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        steps = enrichment_full_run(prospect=prospect, force=params.validated_data["force"])
        return Response({"steps": steps, "prospect": _prospect_payload(prospect)})
