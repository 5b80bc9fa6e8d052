from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prospecting.core.admin_paging import LargeTablePaginator
from prospecting.prospects.admin_scoping import ProspectScopedAdminMixin
from prospecting.prospects.selectors import VIEW_ALL_PERMISSION, prospects_search
from prospecting.prospects.services.status import CLOSED_STATUSES
from prospecting.scoring.exports import leads_csv_response, leads_xlsx_response
from prospecting.scoring.models import Lead, ProspectScore
from prospecting.scoring.selectors import leads_queryset, main_reasons
from prospecting.scoring.services import scores_batch_start

COMPONENTS = {
    "technical_health": _("technical health"),
    "modernity": _("modernity"),
    "business_value": _("business value"),
    "engagement": _("engagement"),
}


def tier_badge(score: ProspectScore | None) -> str:
    """The lead tier as a coloured badge (colours in the admin's stylesheet, `prospecting/admin.css`)."""
    return lead_tier_badge(score.lead_tier if score is not None else "")


def lead_tier_badge(tier: str) -> str:
    """A lead tier code (a score's, or a prospect's copy of it) as a coloured badge; "—" without one."""
    if not tier:
        return "—"
    label = dict(ProspectScore.LeadTier.choices).get(tier, tier)
    return format_html('<span class="badge badge-tier-{}">{}</span>', tier, label)


def breakdown_table(score: ProspectScore | None) -> str:
    """The "why" of a score: every rule that fired, its points and component, and the total."""
    if score is None or not score.score_breakdown:
        return "—"
    rows = sorted(score.score_breakdown.values(), key=lambda item: (item["component"], -item["points"]))
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td style='text-align:right'>+{}</td></tr>",
        (
            (gettext(item["label"]), COMPONENTS.get(item["component"], item["component"]), item["points"])
            for item in rows
        ),
    )
    return format_html(
        "<table class='score-breakdown'><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody><tfoot><tr><th colspan='2'>{}</th><th style='text-align:right'>{}</th></tr></tfoot>"
        "</table>",
        _("Reason"),
        _("Component"),
        _("Points"),
        body,
        _("Score"),
        score.score,
    )


@admin.register(ProspectScore)
class ProspectScoreAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "prospect",
        "score",
        "lead_tier",
        "lead_type",
        "technical_health_score",
        "modernity_score",
        "business_value_score",
        "engagement_score",
        "computed_at",
    ]
    list_filter = ["lead_tier", "lead_type", "intent_level", "rules_version"]
    search_fields = ["prospect__domain_name", "prospect__business_name"]
    list_select_related = ["prospect"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["computed_at", "breakdown"]
    ordering = ["-score"]
    show_full_result_count = False

    @admin.display(description=_("Breakdown"))
    def breakdown(self, obj):
        return breakdown_table(obj)


class LeadPaginator(LargeTablePaginator):
    """The unfiltered leads list reads each page's ids from the scores' best-first index alone (no join with
    the prospects until the page's hundred rows): page 5,000 of a million costs about what page 1 does."""

    def page_ids(self, bottom, top):
        return ProspectScore.objects.order_by("-score", "-prospect_id").values_list("prospect_id", flat=True)[
            bottom:top
        ]


class PresetFilter(admin.SimpleListFilter):
    title = _("preset")
    parameter_name = "preset"

    def lookups(self, request, model_admin):
        return [("top_priority", "Top priority (≥ 70)"), ("quick_wins", "Quick wins (50-69)")]

    def queryset(self, request, queryset):
        tiers = {"top_priority": "top_priority", "quick_wins": "quick_win"}
        if self.value() not in tiers:
            return queryset
        queryset = queryset.filter(score__lead_tier=tiers[self.value()])
        if "status__exact" not in request.GET:  # presets leave converted and inactive out unless asked
            queryset = queryset.exclude(status__in=CLOSED_STATUSES)
        return queryset


@admin.register(Lead)
class LeadAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    prospect_path = ""
    list_display = [  # what decides the call first: on a phone the table scrolls sideways after these
        "name",
        "tier",
        "score_value",
        "domain_name",
        "lead_type",
        "reasons",
        "primary_contact",
        "city",
        "status",
    ]
    list_filter = [PresetFilter, "score__lead_tier", "score__lead_type", "channel", "status", "score__intent_level"]
    search_fields = ["business_name", "domain_name", "city"]
    list_display_links = None
    list_per_page = 100
    show_full_result_count = False
    ordering = ["-score__score", "-pk"]  # best first (the model's own order is newest first)
    paginator = LargeTablePaginator
    actions = ["export_xlsx", "export_csv", "export_csv_semicolon", "recompute_scores"]
    change_list_template = "admin/scoring/lead/change_list.html"

    def get_queryset(self, request):
        return leads_queryset(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        return prospects_search(queryset, search_term), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # No filter, search or other order, and every prospect visible: the scores' index alone serves.
        unfiltered = set(request.GET) <= {"p"} and request.user.has_perm(VIEW_ALL_PERMISSION)
        paginator = LeadPaginator if unfiltered else LargeTablePaginator
        return paginator(queryset, per_page, orphans, allow_empty_first_page)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a lead is a prospect: deleting stays on the prospect page, with its confirmation

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="scoring_lead_export"), *super().get_urls()]

    def export_view(self, request):
        """Every lead the list shows with its current filters, search and order, as a file."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.GET = request.GET.copy()
        file_format = request.GET.pop("format", ["xlsx"])[-1]
        queryset = self.get_changelist_instance(request).get_queryset(request)
        return self._export(queryset, file_format)

    def _export(self, queryset, file_format):
        if file_format == "csv":
            return leads_csv_response(queryset=queryset, for_people=True)
        if file_format == "csv-semicolon":
            return leads_csv_response(queryset=queryset, for_people=True, delimiter=";")
        return leads_xlsx_response(queryset=queryset)

    @admin.action(description=_("Export selected leads (Excel)"))
    def export_xlsx(self, request, queryset):
        return self._export(queryset, "xlsx")

    @admin.action(description=_("Export selected leads (CSV)"))
    def export_csv(self, request, queryset):
        return self._export(queryset, "csv")

    @admin.action(description=_("Export selected leads (CSV with ; for Excel in French or German)"))
    def export_csv_semicolon(self, request, queryset):
        return self._export(queryset, "csv-semicolon")

    @admin.display(description=_("Name"), ordering="business_name")
    def name(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:prospects_prospect_change", args=[obj.pk]), obj.display_name
        )

    @admin.display(description=_("Tier"), ordering="score__lead_tier")
    def tier(self, obj):
        return tier_badge(obj.score)

    @admin.display(description=_("Score"), ordering="-score__score")
    def score_value(self, obj):
        return obj.score.score

    @admin.display(description=_("Lead type"), ordering="score__lead_type")
    def lead_type(self, obj):
        return obj.score.get_lead_type_display() or "—"

    @admin.display(description=_("Main reasons"))
    def reasons(self, obj):
        reasons = "; ".join(gettext(reason) for reason in main_reasons(obj.score.score_breakdown))
        return format_html('<span title="{}">{}</span>', reasons, reasons) if reasons else "—"

    @admin.display(description=_("Primary contact"))
    def primary_contact(self, obj):
        return obj.primary_email or obj.primary_phone or "—"

    def has_recompute_permission(self, request):
        return request.user.has_perm("scoring.change_prospectscore")

    @admin.action(description=_("Recompute scores"), permissions=["recompute"])
    def recompute_scores(self, request, queryset):
        job = scores_batch_start(
            params={"prospect_ids": list(queryset.values_list("pk", flat=True))}, user=request.user
        )
        url = reverse("admin:core_scanjob_change", args=[job.pk])
        self.message_user(
            request,
            format_html(
                _('Score recompute queued for {} leads: <a href="{}">job #{}</a>.'), job.total_items, url, job.pk
            ),
            messages.SUCCESS,
        )
