"""Prospects as the API shows them: the list row with its score, the detail with every app's profile."""

from __future__ import annotations

from rest_framework import serializers

from prospecting.enrichment.serializers import PerformanceProfileSerializer, TechProfileSerializer
from prospecting.prospects.models import Prospect
from prospecting.prospects.serializers import ProspectContactSerializer
from prospecting.scoring.serializers import ProspectScoreSerializer


class ProspectListSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(source="score.score", read_only=True, default=None, allow_null=True)
    lead_tier = serializers.CharField(source="score.lead_tier", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Prospect
        fields = [
            "id",
            "channel",
            "business_name",
            "domain_name",
            "status",
            "source",
            "has_website",
            "uses_https",
            "http_status_code",
            "city",
            "postal_code",
            "country",
            "tags",
            "score",
            "lead_tier",
            "owner",
            "next_follow_up_at",
            "created_at",
            "updated_at",
        ]


class ProspectDetailSerializer(serializers.ModelSerializer):
    contacts = ProspectContactSerializer(many=True, read_only=True)
    tech_profile = TechProfileSerializer(read_only=True, default=None, allow_null=True)
    performance_profile = PerformanceProfileSerializer(read_only=True, default=None, allow_null=True)
    score = ProspectScoreSerializer(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Prospect
        fields = "__all__"


class _CoverageSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    percent = serializers.FloatField()


class _ProspectCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    by_tier = serializers.DictField(child=serializers.IntegerField())


class _OutreachSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    opened = serializers.IntegerField()
    failed = serializers.IntegerField()
    replies = serializers.IntegerField(help_text="E-mails received logged as interactions")


class _FollowUpCountsSerializer(serializers.Serializer):
    overdue = serializers.IntegerField()
    due_today = serializers.IntegerField()
    mine_overdue = serializers.IntegerField()
    mine_due_today = serializers.IntegerField()


class _MonthConversionsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mrr = serializers.DecimalField(max_digits=14, decimal_places=2)


class StatsSerializer(serializers.Serializer):
    """The dashboard's numbers (seed 002 `GET stats`)."""

    prospects = _ProspectCountsSerializer()
    enrichment_coverage = serializers.DictField(child=_CoverageSerializer())
    average_score = serializers.FloatField(allow_null=True)
    outreach = _OutreachSerializer()
    follow_ups = _FollowUpCountsSerializer()
    conversions_this_month = _MonthConversionsSerializer()


class ConversionRowSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="The source or the lead tier (empty: none)")
    prospects = serializers.IntegerField()
    contacted = serializers.IntegerField(help_text="Contacted, converted or inactive")
    converted = serializers.IntegerField()
    conversion_rate = serializers.FloatField(help_text="Converted per 100 contacted")
    mrr = serializers.DecimalField(max_digits=14, decimal_places=2)
    median_days_to_convert = serializers.FloatField(allow_null=True)


class ConversionsReportSerializer(serializers.Serializer):
    by_source = ConversionRowSerializer(many=True)
    by_tier = ConversionRowSerializer(many=True)


class ConversionsQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class ConvertSerializer(serializers.Serializer):
    """Body of POST prospects/{id}/convert."""

    plan = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    mrr = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, default=0)
    lifetime_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    converted_at = serializers.DateField(required=False, allow_null=True, default=None)
    attributed_source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    override = serializers.BooleanField(required=False, default=False)


class ConversionSerializer(serializers.Serializer):
    prospect = serializers.IntegerField(source="prospect_id")
    plan = serializers.CharField()
    mrr = serializers.DecimalField(max_digits=10, decimal_places=2)
    lifetime_value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    converted_at = serializers.DateField()
    attributed_source = serializers.CharField()
    first_contact_at = serializers.DateTimeField(allow_null=True)
    days_to_convert = serializers.IntegerField(allow_null=True)


class DuplicateGroupSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["domain", "phone", "email", "name"])
    key = serializers.CharField(help_text="What they share: the registrable domain, the value, the name")
    prospects = ProspectListSerializer(many=True)


class MergeRequestSerializer(serializers.Serializer):
    prospect_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=50,
        help_text="The prospects merged into this one (then deleted)",
    )
