"""Leads lists and the batch score computation."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.core.api import MAX_ID, CappedCountPagination
from prospecting.core.serializers import ScanJobSerializer
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospects_visible_to
from prospecting.scoring.filters import LeadFilter
from prospecting.scoring.models import ProspectScore
from prospecting.scoring.selectors import leads_queryset, main_reasons
from prospecting.scoring.services import scores_batch_start


class LeadSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(source="score.score")
    lead_tier = serializers.CharField(source="score.lead_tier")
    lead_type = serializers.CharField(source="score.lead_type")
    components = serializers.SerializerMethodField()
    reason_flags = serializers.ListField(source="score.reason_flags", child=serializers.CharField())
    main_reasons = serializers.SerializerMethodField()
    intent_level = serializers.CharField(source="score.intent_level")
    buying_signal = serializers.BooleanField(source="score.buying_signal")
    recommended_channel = serializers.CharField(source="score.recommended_channel")
    summary = serializers.CharField(source="score.summary")
    primary_email = serializers.CharField(allow_null=True)
    primary_phone = serializers.CharField(allow_null=True)

    class Meta:
        model = Prospect
        fields = [
            "id",
            "business_name",
            "domain_name",
            "channel",
            "status",
            "city",
            "country",
            "score",
            "lead_tier",
            "lead_type",
            "components",
            "reason_flags",
            "main_reasons",
            "intent_level",
            "buying_signal",
            "recommended_channel",
            "summary",
            "primary_email",
            "primary_phone",
        ]

    def get_components(self, prospect: Prospect) -> dict[str, int]:
        score = prospect.score
        return {
            "technical_health": score.technical_health_score,
            "modernity": score.modernity_score,
            "business_value": score.business_value_score,
            "engagement": score.engagement_score,
        }

    def get_main_reasons(self, prospect: Prospect) -> list[str]:
        return main_reasons(prospect.score.score_breakdown)


class LeadListView(generics.ListAPIView):
    """Scored prospects, best first; filters as the CSV export."""

    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    pagination_class = CappedCountPagination
    # Every lead has a score, so plain ordering (no NULLS LAST) lets PostgreSQL walk the score index.
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["score__score", "created_at", "business_name"]
    ordering = ["-score__score"]
    fixed_tier: str | None = None

    def get_queryset(self) -> QuerySet[Prospect]:
        queryset = leads_queryset(prospects_visible_to(self.request.user))
        if self.fixed_tier:
            queryset = queryset.filter(score__lead_tier=self.fixed_tier)
        return queryset

    @extend_schema(summary="List scored leads", tags=["leads"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class TopPriorityLeadsView(LeadListView):
    fixed_tier = ProspectScore.LeadTier.TOP_PRIORITY

    @extend_schema(summary="Top-priority leads (score ≥ 70)", tags=["leads"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class QuickWinLeadsView(LeadListView):
    fixed_tier = ProspectScore.LeadTier.QUICK_WIN

    @extend_schema(summary="Quick-win leads (score 50-69)", tags=["leads"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class ScoreComputeRequestSerializer(serializers.Serializer):
    prospect_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=100_000
    )
    filter = serializers.DictField(required=False, help_text='Prospect filters, e.g. {"status": ["active"]}')
    stale = serializers.BooleanField(required=False, default=False, help_text="Only missing or outdated scores")
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict) -> dict:
        chosen = [key for key in ("prospect_ids", "filter") if attrs.get(key)] + [
            key for key in ("stale", "all") if attrs.get(key)
        ]
        if len(chosen) != 1:
            raise serializers.ValidationError("Give exactly one of prospect_ids, filter, stale=true or all=true.")
        if attrs.get("filter"):
            filterset = ProspectFilter(attrs["filter"], queryset=Prospect.objects.none())
            if not filterset.is_valid():
                raise serializers.ValidationError({"filter": filterset.errors})
        return attrs


class ScoreComputeBatchView(APIView):
    required_permissions = {"POST": ["scoring.change_prospectscore"]}

    @extend_schema(
        summary="Recompute scores in the background",
        tags=["enrichment"],
        request=ScoreComputeRequestSerializer,
        responses={202: ScanJobSerializer},
    )
    def post(self, request: Request) -> Response:
        params = ScoreComputeRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job_params = {key: value for key, value in params.validated_data.items() if value}
        job = scores_batch_start(params=job_params, user=request.user)
        return Response(ScanJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
