from rest_framework import serializers

from prospecting.enrichment.models import PerformanceProfile, TechProfile


class TechProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = TechProfile
        exclude = ["id", "prospect"]


class PerformanceProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = PerformanceProfile
        exclude = ["id", "prospect", "raw_json"]
