"""Shapes of the interaction log in the API (seed 002's bodies) and of its follow-up tasks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from prospecting.interactions.models import Interaction


class InteractionSerializer(serializers.ModelSerializer):
    """An interaction as listed; `follow_up_done` and `follow_up_owner` describe its follow-up task."""

    created_by = serializers.CharField(
        source="created_by.get_username", read_only=True, default=None, allow_null=True, help_text="The author"
    )
    outcome = serializers.CharField(
        read_only=True, help_text="positive, neutral, negative, no_answer, or empty when none was given"
    )
    follow_up_owner_name = serializers.CharField(
        source="follow_up_owner.get_username", read_only=True, default=None, allow_null=True
    )
    follow_up_done = serializers.SerializerMethodField()
    prospect_name = serializers.CharField(source="prospect.display_name", read_only=True)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "prospect",
            "prospect_name",
            "interaction_type",
            "subject",
            "notes",
            "outcome",
            "next_action",
            "next_action_date",
            "follow_up_owner",
            "follow_up_owner_name",
            "follow_up_done",
            "follow_up_done_at",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_follow_up_done(self, interaction: Interaction) -> bool | None:
        """None when the interaction has no follow-up (no next action date)."""
        if interaction.next_action_date is None:
            return None
        return interaction.follow_up_done_at is not None


class InteractionWriteSerializer(serializers.ModelSerializer):
    """Body of POST prospects/{id}/interactions and PATCH interactions/{id}:
    `{"interaction_type": "call", "subject": "Follow-up call", "outcome": "positive",
    "next_action": "Send proposal", "next_action_date": "2026-03-15"}`."""

    follow_up_owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True),
        required=False,
        allow_null=True,
        help_text="User id; default: the prospect's owner, else you.",
    )

    class Meta:
        model = Interaction
        fields = [
            "interaction_type",
            "subject",
            "notes",
            "outcome",
            "next_action",
            "next_action_date",
            "follow_up_owner",
        ]


class FollowUpDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True, help_text="false opens the follow-up again")


class FollowUpSnoozeSerializer(serializers.Serializer):
    until = serializers.DateField(required=False, help_text="New due date")
    days = serializers.IntegerField(required=False, min_value=1, max_value=365, help_text="Or: postpone by days")

    def validate(self, attrs: dict) -> dict:
        if ("until" in attrs) == ("days" in attrs):
            raise serializers.ValidationError("Give either until (a date) or days.")
        return attrs


class UpcomingQuerySerializer(serializers.Serializer):
    owner = serializers.CharField(required=False, help_text='A user id, or "me"')
    date_from = serializers.DateField(required=False, help_text="Due on or after (query parameter `from`)")
    date_to = serializers.DateField(required=False, help_text="Due on or before (query parameter `to`)")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_owner(self, value: str) -> str:
        if value != "me" and not (value.isdigit() and 0 < int(value) < 2**63):
            raise serializers.ValidationError('A user id or "me".')
        return value
