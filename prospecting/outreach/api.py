"""The campaigns API (seed 002, Journey 4): templates, preview, send, sends, and bounce reports."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import CappedCountPagination, django_errors_as_api_errors
from prospecting.core.quotas import QuotaExceeded
from prospecting.core.serializers import ScanJobSerializer
from prospecting.outreach.filters import CampaignSendFilter
from prospecting.outreach.models import CampaignSend, CampaignTemplate
from prospecting.outreach.rendering import TemplateError
from prospecting.outreach.selectors import send_stats, sends_queryset
from prospecting.outreach.serializers import (
    BounceRequestSerializer,
    CampaignSendPageSerializer,
    CampaignSendSerializer,
    CampaignTemplateSerializer,
    PreviewRequestSerializer,
    PreviewSerializer,
    SendRequestSerializer,
    SendResultSerializer,
    SendStatsSerializer,
)
from prospecting.outreach.services import templates as template_services
from prospecting.outreach.services.sending import (
    TemplateNotSendable,
    campaign_plan,
    campaign_send,
    campaign_targets,
    plan_summary,
)
from prospecting.outreach.services.tracking import bounce_record
from prospecting.prospects.selectors import batch_targets_scoped, prospect_visibility_q, prospects_visible_to

_Conflict = inline_serializer("TemplateInUse", {"detail": serializers.CharField()})


@extend_schema_view(
    get=extend_schema(summary="List campaign templates", tags=["campaigns"]),
    post=extend_schema(
        summary="Create a campaign template", tags=["campaigns"], responses={201: CampaignTemplateSerializer}
    ),
)
class TemplateListCreateView(generics.ListCreateAPIView):
    serializer_class = CampaignTemplateSerializer
    queryset = CampaignTemplate.objects.all()
    filterset_fields = ["lead_type", "language", "channel", "is_active"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["name"]

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            template = template_services.template_create(data=serializer.validated_data, user=request.user)
        return Response(self.get_serializer(template).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="A campaign template", tags=["campaigns"]),
    put=extend_schema(summary="Replace a campaign template", tags=["campaigns"]),
    patch=extend_schema(summary="Change some fields of a campaign template", tags=["campaigns"]),
    delete=extend_schema(
        summary="Delete a campaign template that never sent anything",
        tags=["campaigns"],
        responses={204: None, 409: OpenApiResponse(_Conflict, description="It has sends: deactivate it instead.")},
    ),
)
class TemplateDetailView(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = CampaignTemplateSerializer
    queryset = CampaignTemplate.objects.all()

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        partial = kwargs.pop("partial", False)
        template = self.get_object()
        serializer = self.get_serializer(template, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            template = template_services.template_update(
                template=template, data=serializer.validated_data, user=request.user
            )
        return Response(self.get_serializer(template).data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        try:
            template_services.template_delete(template=self.get_object(), user=request.user)
        except template_services.TemplateInUse as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreviewView(APIView):
    required_permissions = {"POST": ["outreach.view_campaigntemplate", "prospects.view_prospect"]}

    @extend_schema(
        summary="What a template sends to a prospect: subject, body, recipient, headers, or why it is skipped",
        tags=["campaigns"],
        request=PreviewRequestSerializer,
        responses=PreviewSerializer,
    )
    def post(self, request: Request) -> Response:
        params = PreviewRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        template = get_object_or_404(CampaignTemplate, pk=params.validated_data["template_id"])
        get_object_or_404(prospects_visible_to(request.user), pk=params.validated_data["prospect_id"])
        try:
            preview = template_services.campaign_preview(
                template=template, prospect_id=params.validated_data["prospect_id"]
            )
        except TemplateError as exc:
            raise serializers.ValidationError({"template_id": [str(exc)]}) from exc
        return Response(PreviewSerializer(preview).data)


class SendView(APIView):
    required_permissions = {"POST": ["outreach.add_campaignsend"]}

    @extend_schema(
        summary="Send a template to prospects (ids or a leads filter) in the background; dry_run counts only",
        tags=["campaigns"],
        request=SendRequestSerializer,
        responses={200: SendResultSerializer, 202: SendResultSerializer},
    )
    def post(self, request: Request) -> Response:
        params = SendRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        template = get_object_or_404(CampaignTemplate, pk=data["template_id"])
        prospect_ids, lead_filter = batch_targets_scoped(
            request.user, prospect_ids=data.get("prospect_ids"), filters=data.get("filter")
        )
        if prospect_ids == []:
            raise NotFound("None of these prospects is yours or unassigned.")
        data = {**data, "prospect_ids": prospect_ids, "filter": lead_filter}
        try:
            if data["dry_run"]:
                targets = campaign_targets(
                    prospect_ids=data.get("prospect_ids"), lead_filter=data.get("filter"), user=request.user
                )
                plan = campaign_plan(template=template, targets=targets)
                return Response({**plan_summary(plan), "job": None})
            plan = campaign_send(
                template=template,
                prospect_ids=data.get("prospect_ids"),
                lead_filter=data.get("filter"),
                user=request.user,
            )
        except TemplateNotSendable as exc:
            raise serializers.ValidationError({"template_id": [str(exc)]}) from exc
        except QuotaExceeded as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        except ValueError as exc:
            raise serializers.ValidationError({"filter": [str(exc)]}) from exc
        body = {**plan_summary(plan), "job": ScanJobSerializer(plan.job).data}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class SendListView(generics.ListAPIView):
    """The sends, newest first; filtered by template or sequence, with their statistics."""

    serializer_class = CampaignSendSerializer
    filterset_class = CampaignSendFilter
    pagination_class = CappedCountPagination
    ordering_fields = ["created_at", "sent_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[CampaignSend]:
        return sends_queryset().filter(prospect_visibility_q(self.request.user, path="prospect"))

    @extend_schema(
        summary="Campaign sends and their statistics", tags=["campaigns"], responses=CampaignSendPageSerializer
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        response = self.list(request, *args, **kwargs)
        visible = CampaignSend.objects.filter(prospect_visibility_q(request.user, path="prospect"))
        filters = self.filterset_class(request.query_params, queryset=visible)
        stats = None
        if filters.is_valid() and (
            filters.form.cleaned_data.get("template") or filters.form.cleaned_data.get("sequence")
        ):
            stats = SendStatsSerializer(send_stats(queryset=filters.qs)).data
        response.data["stats"] = stats
        return response


class BounceView(APIView):
    required_permissions = {"POST": ["outreach.change_campaignsend"]}

    @extend_schema(
        summary="Record a bounce or spam complaint for a Message-ID",
        tags=["campaigns"],
        request=BounceRequestSerializer,
        responses={200: CampaignSendSerializer},
    )
    def post(self, request: Request) -> Response:
        params = BounceRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        send = bounce_record(**params.validated_data)
        if send is None:
            return Response({"detail": "No message with this Message-ID."}, status=status.HTTP_404_NOT_FOUND)
        return Response(CampaignSendSerializer(send).data)
