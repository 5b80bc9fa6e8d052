from __future__ import annotations

from rest_framework import serializers

from prospecting.core.serializers import ScanJobSerializer
from prospecting.discovery.models import DiscoverySource, RawRecord


class DiscoverySourceSerializer(serializers.ModelSerializer):
    """A source as the API shows it: never its key, only whether it has one."""

    has_api_key = serializers.BooleanField(read_only=True)

    class Meta:
        model = DiscoverySource
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "enabled",
            "base_url",
            "config",
            "has_api_key",
            "monthly_call_limit",
            "cost_per_call",
            "cost_per_lead",
            "attribution",
        ]


class DiscoveryJobRequestSerializer(serializers.Serializer):
    source = serializers.SlugRelatedField(slug_field="slug", queryset=DiscoverySource.objects.filter(enabled=True))
    query = serializers.CharField(max_length=200, help_text="A trade (boulangerie, Bäckerei, bakery) or OSM tags")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, default="LU")
    postal_codes = serializers.ListField(child=serializers.CharField(max_length=10), required=False, default=list)
    max_results = serializers.IntegerField(min_value=1, max_value=10_000, default=100)
    auto_import = serializers.BooleanField(default=True, help_text="Turn the listings into prospects at once")


class DiscoveryJobSerializer(ScanJobSerializer):
    counts = serializers.SerializerMethodField()

    class Meta(ScanJobSerializer.Meta):
        fields = [*ScanJobSerializer.Meta.fields, "counts"]

    def get_counts(self, job: object) -> dict[str, int]:
        from prospecting.discovery.selectors import discovery_job_counts

        return discovery_job_counts(job)


class EmailFinderRequestSerializer(serializers.Serializer):
    source = serializers.SlugRelatedField(
        slug_field="slug", queryset=DiscoverySource.objects.filter(enabled=True, kind="email_finder")
    )
    prospect_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=10_000
    )


class RawRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = RawRecord
        fields = ["id", "source", "external_id", "name", "status", "error", "prospect", "source_url", "fields"]


class SourcePerformanceSerializer(serializers.Serializer):
    source = serializers.CharField()
    name = serializers.CharField()
    prospects = serializers.IntegerField()
    enriched = serializers.IntegerField()
    with_email = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True)
    contacted = serializers.IntegerField()
    converted = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost_per_lead = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    cost_per_conversion = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
