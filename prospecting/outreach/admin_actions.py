"""The "Send campaign…" action of the prospects and leads lists: pick a template, see how many will be sent
and skipped (and why), confirm. It calls the same `campaign_send` as the API and the command."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prospecting.core.quotas import QuotaExceeded
from prospecting.outreach.models import CampaignSend, CampaignTemplate
from prospecting.outreach.services.sending import TemplateNotSendable, campaign_plan, campaign_send
from prospecting.prospects.models import Prospect


class SendCampaignForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=CampaignTemplate.objects.filter(is_active=True, channel=CampaignTemplate.Channel.EMAIL),
        help_text=_("Only active e-mail templates."),
    )


def _skip_labels(skipped: dict[str, int]) -> list[tuple[str, int]]:
    return [(CampaignSend.SkipReason(reason).label, count) for reason, count in sorted(skipped.items())]


@admin.action(description=_("Send campaign…"), permissions=["send_campaign"])
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
            except QuotaExceeded as exc:
                modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
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
        "title": _("Send campaign"),
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

    def has_plan_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("interactions.add_interaction")


class LettersForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=CampaignTemplate.objects.filter(is_active=True, channel=CampaignTemplate.Channel.LETTER),
        help_text=_("Only active letter templates."),
    )


class PlanForm(forms.Form):
    kind = forms.ChoiceField(choices=[("call", "Call"), ("visit", "Visit")])
    due = forms.DateField(help_text=_("YYYY-MM-DD"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=500)


def form_page(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, form: forms.Form, title: str, action: str
) -> TemplateResponse:
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "plan": None,
        "ids": list(queryset.values_list("pk", flat=True)),
        "count": queryset.count(),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "action": action,
        "submit_label": title,
    }
    return TemplateResponse(request, "admin/outreach/send_campaign.html", context)


@admin.action(description=_("Print letters…"), permissions=["send_campaign"])
def print_letters(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    """A PDF of the chosen letter template for the selection, recorded as letters sent (a job stores it)."""
    from prospecting.outreach.services.letters import letters_start

    form = LettersForm(request.POST if "template" in request.POST else None)
    if not (form.is_bound and form.is_valid()):
        return form_page(modeladmin, request, queryset, form, "Print letters", "print_letters")
    ids = list(queryset.values_list("pk", flat=True))
    small = len(ids) <= 200
    job = letters_start(template=form.cleaned_data["template"], prospect_ids=ids, user=request.user, foreground=small)
    url = reverse("admin:outreach_letters_download", args=[job.pk])
    if small and job.params.get("file"):
        return HttpResponseRedirect(url)
    if small:
        modeladmin.message_user(request, _("No letter to print (no postal address, or converted)."), messages.WARNING)
        return None
    modeladmin.message_user(
        request,
        format_html(
            'Letters are being printed (job #{}); <a href="{}">download the PDF</a> when it is done.', job.pk, url
        ),
        messages.SUCCESS,
    )
    return None


@admin.action(description=_("Plan calls/visits…"), permissions=["plan"])
def plan_calls(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    """A follow-up task per prospect (call or visit, due date) instead of a message."""
    from prospecting.outreach.services.letters import calls_plan

    form = PlanForm(request.POST if "kind" in request.POST else None)
    if not (form.is_bound and form.is_valid()):
        return form_page(modeladmin, request, queryset, form, "Plan calls/visits", "plan_calls")
    data = form.cleaned_data
    planned = calls_plan(
        prospect_ids=list(queryset.values_list("pk", flat=True)),
        kind=data["kind"],
        due=data["due"],
        note=data["note"],
        user=request.user,
    )
    modeladmin.message_user(
        request,
        _("%(count)s follow-up task(s) planned; converted and inactive ones were left out.") % {"count": planned},
    )
    return None
