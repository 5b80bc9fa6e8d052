"""Shapes of prospects in the API: separate input and output serializers."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from prospecting.core.api import DomainNameSerializerField
from prospecting.enrichment.serializers import PerformanceProfileSerializer, TechProfileSerializer
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.scoring.serializers import ProspectScoreSerializer


class ProspectContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProspectContact
        fields = [
            "id",
            "contact_type",
            "value",
            "label",
            "source_url",
            "is_primary",
            "verification_status",
            "created_at",
        ]


class ProspectListSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(source="score.score", read_only=True, default=None)
    lead_tier = serializers.CharField(source="score.lead_tier", read_only=True, default=None)

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
    tech_profile = TechProfileSerializer(read_only=True, default=None)
    performance_profile = PerformanceProfileSerializer(read_only=True, default=None)
    score = ProspectScoreSerializer(read_only=True, default=None)

    class Meta:
        model = Prospect
        fields = "__all__"


class ProspectWriteSerializer(serializers.ModelSerializer):
    """Input for create/update. The domain is normalized before the uniqueness check runs."""

    domain_name = DomainNameSerializerField(
        required=False,
        allow_null=True,
        allow_blank=True,
        validators=[
            UniqueValidator(queryset=Prospect.objects.all(), message="A prospect with this domain already exists.")
        ],
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)

    class Meta:
        model = Prospect
        fields = [
            "channel",
            "business_name",
            "domain_name",
            "status",
            "source",
            "address",
            "city",
            "postal_code",
            "country",
            "location_lat",
            "location_lng",
            "notes",
            "tags",
            "owner",
        ]
