"""Filters of the sends list (API `campaigns/sends`)."""

from __future__ import annotations

import django_filters

from prospecting.outreach.models import CampaignSend


class CampaignSendFilter(django_filters.FilterSet):
    template = django_filters.NumberFilter(field_name="template_id")
    prospect = django_filters.NumberFilter(field_name="prospect_id")
    sequence = django_filters.NumberFilter(field_name="step__sequence_id")
    status = django_filters.MultipleChoiceFilter(choices=CampaignSend.Status.choices)
    skip_reason = django_filters.ChoiceFilter(choices=CampaignSend.SkipReason.choices)
    sent_after = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte")
    sent_before = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="lt")

    class Meta:
        model = CampaignSend
        fields = ["template", "prospect", "sequence", "status", "skip_reason"]
