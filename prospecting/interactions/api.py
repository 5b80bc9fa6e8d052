"""Interactions API (seed 002): a prospect's interactions (list, log), one interaction (read, change, delete),
its follow-up (done, snooze) and the upcoming follow-ups across prospects."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import StandardPagination, django_errors_as_api_errors
from prospecting.interactions import services
from prospecting.interactions.calendar import calendar_feed_reset, calendar_feed_revoke, calendar_feed_url
from prospecting.interactions.models import CalendarFeed, Interaction
from prospecting.interactions.selectors import followups_upcoming, interactions_of_prospect
from prospecting.interactions.serializers import (
    FollowUpDoneSerializer,
    FollowUpSnoozeSerializer,
    InteractionSerializer,
    InteractionWriteSerializer,
    UpcomingQuerySerializer,
)
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_visibility_q, prospects_visible_to


def _visible_interaction(request: Request, pk: int) -> Interaction:
    queryset = Interaction.objects.filter(prospect_visibility_q(request.user, path="prospect"))
    return get_object_or_404(queryset.select_related("prospect", "created_by", "follow_up_owner"), pk=pk)


@extend_schema_view(
    get=extend_schema(summary="A prospect's interactions, newest first", tags=["interactions"]),
    post=extend_schema(
        summary="Log an interaction (closes the prospect's open follow-up; a next action date opens a new one)",
        tags=["interactions"],
        request=InteractionWriteSerializer,
        responses={201: InteractionSerializer},
    ),
)
class ProspectInteractionsView(generics.ListCreateAPIView):
    serializer_class = InteractionSerializer
    pagination_class = StandardPagination
    filter_backends: list = []
    required_permissions = {"GET": ["interactions.view_interaction"], "POST": ["interactions.add_interaction"]}

    def _prospect(self) -> Prospect:
        return get_object_or_404(prospects_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[Interaction]:
        return interactions_of_prospect(prospect=self._prospect())

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        prospect = self._prospect()
        body = InteractionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            interaction = services.interaction_create(prospect=prospect, data=body.validated_data, user=request.user)
        return Response(InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)


class InteractionDetailView(APIView):
    required_permissions = {
        "GET": ["interactions.view_interaction"],
        "PATCH": ["interactions.change_interaction"],
        "DELETE": ["interactions.delete_interaction"],
    }

    @extend_schema(summary="One interaction", tags=["interactions"], responses=InteractionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(InteractionSerializer(_visible_interaction(request, pk)).data)

    @extend_schema(
        summary="Change an interaction (its follow-up's due date and owner included)",
        tags=["interactions"],
        request=InteractionWriteSerializer,
        responses=InteractionSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        body = InteractionWriteSerializer(interaction, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            services.interaction_update(interaction=interaction, data=body.validated_data, user=request.user)
        return Response(InteractionSerializer(_visible_interaction(request, pk)).data)

    @extend_schema(summary="Delete an interaction", tags=["interactions"], responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        with django_errors_as_api_errors():
            services.interaction_delete(interaction=interaction, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowUpDoneView(APIView):
    required_permissions = {"POST": ["interactions.change_interaction"]}

    @extend_schema(
        summary="Tick a follow-up done (or open it again with done=false)",
        tags=["interactions"],
        request=FollowUpDoneSerializer,
        responses=InteractionSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        body = FollowUpDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with django_errors_as_api_errors():
            services.follow_up_done(interaction=interaction, user=request.user, done=body.validated_data["done"])
        return Response(InteractionSerializer(_visible_interaction(request, pk)).data)


class FollowUpSnoozeView(APIView):
    required_permissions = {"POST": ["interactions.change_interaction"]}

    @extend_schema(
        summary="Move an open follow-up's due date (until a date, or by some days from today)",
        tags=["interactions"],
        request=FollowUpSnoozeSerializer,
        responses=InteractionSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        body = FollowUpSnoozeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        until = body.validated_data.get("until") or timezone.localdate() + datetime.timedelta(
            days=body.validated_data["days"]
        )
        with django_errors_as_api_errors():
            services.follow_up_snooze(interaction=interaction, until=until, user=request.user)
        return Response(InteractionSerializer(_visible_interaction(request, pk)).data)


class UpcomingFollowUpsView(generics.ListAPIView):
    serializer_class = InteractionSerializer
    pagination_class = StandardPagination
    filter_backends: list = []
    required_permissions = {"GET": ["interactions.view_interaction"]}

    def get_queryset(self) -> QuerySet[Interaction]:
        params = self.request.query_params
        names = {"owner": "owner", "date_from": "from", "date_to": "to", "overdue": "overdue"}
        query = UpcomingQuerySerializer(
            data={name: params[param] for name, param in names.items() if params.get(param) not in (None, "")}
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        owner = data.get("owner")
        tasks = followups_upcoming(
            owner=(self.request.user.pk if owner == "me" else int(owner)) if owner else None,
            date_from=data.get("date_from"),
            until=data.get("date_to"),
            overdue=data.get("overdue"),
        )
        return tasks.filter(prospect_visibility_q(self.request.user, path="prospect"))

    @extend_schema(
        summary="Open follow-ups, oldest due first (default: up to 7 days ahead, overdue included)",
        tags=["interactions"],
        parameters=[
            OpenApiParameter("owner", OpenApiTypes.STR, description='A user id, or "me"'),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Due on or after"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Due on or before"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="true: only overdue; false: none overdue"),
        ],
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class CalendarFeedSerializer(serializers.Serializer):
    active = serializers.BooleanField(help_text="Whether you have a feed; false after it was switched off.")
    url = serializers.CharField(allow_null=True, help_text="Subscribe to it in Outlook, Google or Apple Calendar.")
    created_at = serializers.DateTimeField(allow_null=True)
    last_read_at = serializers.DateTimeField(allow_null=True, help_text="When a calendar app last fetched it.")


def _feed_answer(feed: CalendarFeed | None) -> dict:
    return {
        "active": feed is not None,
        "url": calendar_feed_url(feed) if feed else None,
        "created_at": feed.created_at if feed else None,
        "last_read_at": feed.last_read_at if feed else None,
    }


class CalendarFeedView(APIView):
    """Your own private iCalendar feed of your follow-ups (the secret URL is the only key)."""

    required_permissions = {"GET": ["interactions.view_interaction"], "DELETE": ["interactions.view_interaction"]}

    @extend_schema(summary="My follow-ups' calendar feed", tags=["interactions"], responses=CalendarFeedSerializer)
    def get(self, request: Request) -> Response:
        return Response(_feed_answer(CalendarFeed.objects.filter(user=request.user).first()))

    @extend_schema(
        summary="Switch my calendar feed off (its URL answers 404 from now on)",
        tags=["interactions"],
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedResetView(APIView):
    required_permissions = {"POST": ["interactions.view_interaction"]}

    @extend_schema(
        summary="Give my calendar feed a new secret URL (the old one stops working at once)",
        tags=["interactions"],
        request=None,
        responses=CalendarFeedSerializer,
    )
    def post(self, request: Request) -> Response:
        return Response(_feed_answer(calendar_feed_reset(user=request.user)))
