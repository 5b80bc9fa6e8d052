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
