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
            "source",
            "source_detail",
            "added_by",
            "is_primary",
            "verification_status",
            "created_at",
        ]
        read_only_fields = ["source", "source_detail", "added_by"]


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
    status_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, write_only=True, help_text="Why the status changes."
    )
    status_override = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="Staff override of the status flow (needs status_reason).",
    )

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
            "lawful_basis",
            "owner",
            "status_reason",
            "status_override",
        ]
