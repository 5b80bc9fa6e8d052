"""The "Send campaign…" action of the prospects and leads lists: pick a template, see how many will be sent
and skipped (and why), confirm. It calls the same `campaign_send` as the API and the command."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from prospecting.outreach.models import CampaignSend, CampaignTemplate
from prospecting.outreach.services.sending import TemplateNotSendable, campaign_plan, campaign_send
from prospecting.prospects.models import Prospect


class SendCampaignForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=CampaignTemplate.objects.filter(is_active=True, channel=CampaignTemplate.Channel.EMAIL),
        help_text="Only active e-mail templates.",
    )


def _skip_labels(skipped: dict[str, int]) -> list[tuple[str, int]]:
    return [(CampaignSend.SkipReason(reason).label, count) for reason, count in sorted(skipped.items())]


@admin.action(description="Send campaign…", permissions=["send_campaign"])
def send_campaign(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    """Step 1 picks the template and shows the counts; step 2 (confirm) queues the send job."""
    ids = list(queryset.values_list("pk", flat=True))
    form = SendCampaignForm(request.POST if "template" in request.POST else None)
    plan = None
    if form.is_bound and form.is_valid():
        template = form.cleaned_data["template"]
        if request.POST.get("confirm") == "yes":
            try:
                result = campaign_send(template=template, prospect_ids=ids, user=request.user)
            except TemplateNotSendable as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
                return None
            url = reverse("admin:core_scanjob_change", args=[result.job.pk])
            skipped = sum(result.skipped.values())
            modeladmin.message_user(
                request,
                format_html(
                    '“{}”: {} queued, {} skipped, {} already sent: <a href="{}">job #{}</a>.',
                    template.name,
                    result.to_send,
                    skipped,
                    result.already_sent,
                    url,
                    result.job.pk,
                ),
                messages.SUCCESS,
            )
            return None
        plan = campaign_plan(template=template, targets=Prospect.objects.filter(pk__in=ids))
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Send campaign",
        "form": form,
        "plan": plan,
        "skipped": _skip_labels(plan.skipped) if plan else [],
        "ids": ids,
        "count": len(ids),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "action": "send_campaign",
    }
    return TemplateResponse(request, "admin/outreach/send_campaign.html", context)


class SendCampaignMixin:
    """Mixed into a ModelAdmin of prospects: offers "Send campaign…" to users who may create sends."""

    def has_send_campaign_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("outreach.add_campaignsend")
