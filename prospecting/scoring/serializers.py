from rest_framework import serializers

from prospecting.scoring.models import ProspectScore


class ProspectScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProspectScore
        exclude = ["id", "prospect"]
