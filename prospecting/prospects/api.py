"""Prospects API: plain CRUD on a viewset; every write goes through the services."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from prospecting.core.api import django_errors_as_api_errors
from prospecting.prospects import services
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_detail_queryset
from prospecting.prospects.serializers import (
    ProspectDetailSerializer,
    ProspectListSerializer,
    ProspectWriteSerializer,
)


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
        with django_errors_as_api_errors():
            prospect = services.prospect_create(data=serializer.validated_data, user=request.user)
        output = ProspectDetailSerializer(prospect_detail_queryset().get(pk=prospect.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        partial = kwargs.pop("partial", False)
        prospect = self.get_object()
        serializer = ProspectWriteSerializer(prospect, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            services.prospect_update(prospect=prospect, data=serializer.validated_data, user=request.user)
        return Response(ProspectDetailSerializer(prospect_detail_queryset().get(pk=prospect.pk)).data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        services.prospect_delete(prospect=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
