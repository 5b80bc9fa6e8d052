"""Input shapes of prospects and their contacts (the combined output shapes live in the workspace)."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from prospecting.core.api import DomainNameSerializerField
from prospecting.prospects.models import Prospect, ProspectContact


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
