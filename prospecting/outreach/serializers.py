"""Shapes of the campaigns API (seed 002: campaigns/templates, preview, send, sends)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from prospecting.core.api import MAX_ID
from prospecting.core.serializers import ScanJobSerializer
from prospecting.outreach.models import CampaignSend, CampaignTemplate


class CampaignTemplateSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=80, required=False, allow_null=True, allow_blank=True)

    class Meta:
        model = CampaignTemplate
        fields = [
            "id",
            "name",
            "slug",
            "lead_type",
            "channel",
            "language",
            "subject_template",
            "body_template",
            "html_template",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []  # uniqueness is checked by the service (one message, one place)


class PreviewRequestSerializer(serializers.Serializer):
    template_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    prospect_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class PreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body = serializers.CharField()
    html = serializers.CharField(allow_blank=True)
    recipient = serializers.CharField(allow_blank=True)
    from_email = serializers.CharField()
    headers = serializers.DictField(child=serializers.CharField())
    skip_reason = serializers.CharField(allow_blank=True, help_text="Empty when it would be sent.")
    skip_message = serializers.CharField(allow_blank=True)
    already_sent = serializers.BooleanField()


class SendRequestSerializer(serializers.Serializer):
    template_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    prospect_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=100_000
    )
    filter = serializers.DictField(
        required=False, help_text='The leads list filters, e.g. {"lead_type": ["no_website"], "min_score": 60}'
    )
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Count only; send nothing.")

    def validate(self, attrs: dict) -> dict:
        if ("prospect_ids" in attrs) == ("filter" in attrs):
            raise serializers.ValidationError("Give either prospect_ids or filter.")
        if "prospect_ids" in attrs and not attrs["prospect_ids"]:
            raise serializers.ValidationError({"prospect_ids": ["Give at least one prospect."]})
        return attrs


class SendResultSerializer(serializers.Serializer):
    to_send = serializers.IntegerField()
    already_sent = serializers.IntegerField()
    skipped = serializers.DictField(child=serializers.IntegerField(), help_text="Skip reason -> count")
    total = serializers.IntegerField()
    job = ScanJobSerializer(allow_null=True)


class CampaignSendSerializer(serializers.ModelSerializer):
    template_name = serializers.CharField(source="template.name", read_only=True)
    sequence_id = serializers.IntegerField(source="step.sequence_id", read_only=True, allow_null=True)

    class Meta:
        model = CampaignSend
        fields = [
            "id",
            "template",
            "template_name",
            "sequence_id",
            "step",
            "prospect",
            "channel",
            "recipient",
            "rendered_subject",
            "status",
            "skip_reason",
            "error",
            "message_id",
            "not_before",
            "wait_reason",
            "sender_account",
            "sent_at",
            "opened_at",
            "open_count",
            "clicked_at",
            "click_count",
            "bounced_at",
            "bounce_type",
            "complained_at",
            "unsubscribed_at",
            "created_at",
        ]


class SendStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    sent = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    queued = serializers.IntegerField()
    review = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    bounced = serializers.IntegerField()
    complained = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()


class BounceRequestSerializer(serializers.Serializer):
    message_id = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=["hard", "soft", "complaint"])
    detail = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


@extend_schema_serializer(many=False)  # already a page: the schema must not wrap it in another one
class CampaignSendPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    count_is_exact = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CampaignSendSerializer(many=True)
    stats = SendStatsSerializer(allow_null=True, help_text="With a template or sequence filter.")
