"""Filters of the sends list (API `campaigns/sends`)."""

from __future__ import annotations

import django_filters
from django import forms

from prospecting.core.api import MAX_ID
from prospecting.outreach.models import CampaignSend


class IdFilter(django_filters.NumberFilter):
    """A whole id that the database can hold (else a 400, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class CampaignSendFilter(django_filters.FilterSet):
    template = IdFilter(field_name="template_id")
    prospect = IdFilter(field_name="prospect_id")
    sequence = IdFilter(field_name="step__sequence_id")
    status = django_filters.MultipleChoiceFilter(choices=CampaignSend.Status.choices)
    skip_reason = django_filters.ChoiceFilter(choices=CampaignSend.SkipReason.choices)
    sent_after = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte")
    sent_before = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="lt")

    class Meta:
        model = CampaignSend
        fields = ["template", "prospect", "sequence", "status", "skip_reason"]
