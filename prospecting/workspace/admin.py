"""The prospect page: the main working screen of the product, combining every app's part of a prospect
(contacts, interactions, tech and performance profiles, score). Every save goes through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportModelAdmin

from prospecting.core.admin_paging import LargeTablePaginator, cached_values_filter
from prospecting.core.admin_writes import ServiceWritesAdmin, ServiceWritesInline
from prospecting.core.export_formats import SafeCSV, SafeXLSX
from prospecting.core.models import ActivityLog
from prospecting.core.quotas import QuotaExceeded
from prospecting.enrichment import steps as enrichment_steps
from prospecting.enrichment.admin import JobOutcomeFilter
from prospecting.enrichment.models import PerformanceProfile
from prospecting.enrichment.services.batch import enrichment_batch_start
from prospecting.enrichment.services.full import FULL
from prospecting.interactions import services as interaction_services
from prospecting.interactions.forms import InteractionLogForm
from prospecting.interactions.models import Interaction
from prospecting.outreach.admin import OUTREACH_PROSPECT_ACTIONS
from prospecting.outreach.admin_actions import SendCampaignMixin
from prospecting.prospects import admin_views as import_views
from prospecting.prospects import services
from prospecting.prospects.admin import CreatedByImportFilter, status_badge
from prospecting.prospects.models import ImportBatch, Prospect, ProspectContact
from prospecting.prospects.resources import ProspectResource
from prospecting.prospects.selectors import (
    VIEW_ALL_PERMISSION,
    batch_targets_scoped,
    prospect_home_url,
    prospects_search,
    prospects_visible_to,
)
from prospecting.scoring.admin import breakdown_table, lead_tier_badge
from prospecting.scoring.exports import leads_csv_response
from prospecting.scoring.services import scores_batch_start
from prospecting.workspace import admin_views
from prospecting.workspace.admin_filters import (
    CmsFilter,
    LastContactFilter,
    LeadTierFilter,
    NextFollowUpFilter,
    OwnerFilter,
    PrimaryContactFilter,
    ScoreBandFilter,
)
from prospecting.workspace.duplicates import duplicate_groups, prospect_duplicates, prospects_merge
from prospecting.workspace.forms import AddTagForm, AssignOwnerForm, ProspectAdminForm
from prospecting.workspace.selectors import (
    ListExtras,
    prospect_campaign_sends,
    prospect_detail_queryset,
    prospect_steps_that_apply,
    prospect_timeline,
    prospects_list_extras,
)
from prospecting.workspace.serializers import ConversionsQuerySerializer
from prospecting.workspace.stats import stats_conversions, stats_dashboard


class ContactInline(ServiceWritesInline, admin.TabularInline):
    model = ProspectContact
    extra = 0
    fields = ["contact_type", "value", "label", "is_primary", "verification_status", "source_url"]

    def service_create(self, request, parent, data):
        return services.contact_create(prospect=parent, data=data, user=request.user)

    def service_update(self, request, obj, data):
        return services.contact_update(contact=obj, data=data, user=request.user)

    def service_delete(self, request, obj):
        services.contact_delete(contact=obj, user=request.user)


class InteractionInline(ServiceWritesInline, admin.TabularInline):
    model = Interaction
    extra = 0
    fields = ["interaction_type", "subject", "outcome", "next_action", "next_action_date", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    ordering = ["-created_at"]
    show_change_link = True
    classes = ["collapse"]  # the timeline shows them; "Log interaction" adds one
    verbose_name_plural = gettext_lazy("Interactions (edit)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        return super().get_queryset(request).select_related("created_by")

    def service_create(self, request, parent, data):
        return interaction_services.interaction_create(prospect=parent, data=data, user=request.user)

    def service_update(self, request, obj, data):
        return interaction_services.interaction_update(interaction=obj, data=data, user=request.user)

    def service_delete(self, request, obj):
        interaction_services.interaction_delete(interaction=obj, user=request.user)


def _enrichment_action(step, scan_mode=None):
    """The admin action that queues a batch of one registry step for the selected prospects (`scan_mode`: the
    tech scan's mode, for an action that asks for the browser)."""

    def action(model_admin, request, queryset):
        model_admin._enqueue(request, queryset, step, scan_mode=scan_mode)

    action.__name__ = f"run_{step.job_type}" + (f"_{scan_mode}" if scan_mode else "")
    live_only = " (live websites)" if step.eligible == enrichment_steps.LIVE_SITE else ""
    description = (
        "Full enrichment (HTTP check → tech → performance → contacts → score)"
        if step is FULL
        else f"Run {step.label if step.label[:2].isupper() else step.label.lower()}{live_only}"
    )
    if scan_mode == "browser":
        description = "Run tech scan in a browser (live websites; slower, finds what scripts set up)"
    return admin.action(description=description, permissions=["change"])(action)


def _prospect_page(prospect: Prospect) -> dict:
    """What the prospect page shows above its form: the header, each enrichment result in words, the score's
    reasons, the campaign sends and the step buttons that apply (a handful of queries, whatever the data)."""
    full = prospect_detail_queryset().get(pk=prospect.pk)
    tech = getattr(full, "tech_profile", None)
    performance = getattr(full, "performance_profile", None)
    score = getattr(full, "score", None)
    contacts = list(full.contacts.all())
    reach = [
        next((contact for contact in contacts if contact.contact_type == kind), None) for kind in ("phone", "email")
    ]
    steps = [
        {
            "url": reverse("admin:prospects_prospect_full_enrichment", args=[full.pk])
            if step is FULL
            else reverse("admin:prospects_prospect_run_step", args=[full.pk, step.slug]),
            "button": step.label if step is FULL else _("Run %(step)s") % {"step": _lower_label(str(step.label))},
        }
        for step in prospect_steps_that_apply(prospect=full, steps=[FULL, *enrichment_steps.PIPELINE])
    ]
    check = None
    if tech is not None and tech.check_result:
        check = {"result": tech.check_result, "label": tech.get_check_result_display(), "message": tech.check_message}
    return {
        "score": score,
        "breakdown": breakdown_table(score),
        "tech": tech,
        "tech_rows": _filled(
            [
                (_("CMS"), " ".join(filter(None, [tech.cms, tech.cms_version])) if tech else ""),
                (_("Server"), tech.server if tech else ""),
                (_("Hosting"), tech.hosting_provider if tech else ""),
                (_("CDN"), tech.cdn if tech else ""),
                (_("JavaScript"), tech.js_framework if tech else ""),
                (_("Analytics"), tech.analytics if tech else ""),
                (_("Shop"), tech.ecommerce_platform if tech else ""),
                (
                    _("Scan"),
                    " — ".join(filter(None, [tech.get_scan_mode_display(), tech.scan_note]))
                    if tech and tech.scan_mode
                    else "",
                ),
            ]
        ),
        "performance": performance,
        "performance_scores": [
            (_("Performance"), performance.performance_score),
            (_("Accessibility"), performance.accessibility_score),
            (_("SEO"), performance.seo_score),
            (_("Best practices"), performance.best_practices_score),
        ]
        if performance
        else [],
        "performance_rows": _performance_rows(performance),
        "contacts": contacts,
        "reach": [contact for contact in reach if contact is not None],
        "sends": prospect_campaign_sends(prospect_id=prospect.pk),
        "steps": steps,
        "check": check,
        "home_url": prospect_home_url(full) if full.domain_name else "",
        "follow_up_overdue": bool(full.next_follow_up_at and full.next_follow_up_at < timezone.localdate()),
    }


def _lower_label(label: str) -> str:
    """ "Tech scan" → "tech scan", but "HTTP check" stays."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _filled(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(label, value) for label, value in rows if value]


def _performance_rows(performance: PerformanceProfile | None) -> list[tuple[str, str]]:
    if performance is None:
        return []

    def ms(value: int | None) -> str:
        return f"{value / 1000:.1f} s" if value is not None else ""

    weight = performance.page_weight_bytes
    return _filled(
        [
            (_("Largest paint"), ms(performance.largest_contentful_paint_ms)),
            (_("First paint"), ms(performance.first_contentful_paint_ms)),
            (
                _("Blocking time"),
                f"{performance.total_blocking_time_ms} ms" if performance.total_blocking_time_ms else "",
            ),
            (
                _("Layout shift"),
                f"{performance.cumulative_layout_shift}" if performance.cumulative_layout_shift else "",
            ),
            (_("Page weight"), f"{weight / 1_000_000:.1f} MB" if weight else ""),
            (_("Mobile friendly"), {True: _("yes"), False: _("no")}.get(performance.is_mobile_friendly, "")),
            (
                "Audited",
                date_format(timezone.localtime(performance.scanned_at), "SHORT_DATETIME_FORMAT")
                if performance.scanned_at
                else "",
            ),
        ]
    )


class ProspectChangeList(ChangeList):
    """The prospects list: a page's primary contacts and last contact dates are read for the whole page at
    once (two queries), never row by row."""

    def get_results(self, request):
        super().get_results(request)
        extras = prospects_list_extras(prospect_ids=[row.pk for row in self.result_list])
        for row in self.result_list:
            row.list_extras = extras[row.pk]


@admin.register(Prospect)
class ProspectAdmin(SendCampaignMixin, ServiceWritesAdmin, ImportExportModelAdmin):
    resource_classes = [ProspectResource]
    export_formats = [SafeCSV, SafeXLSX]
    import_export_change_list_template = "admin/prospects/prospect/change_list.html"
    actions = [
        *(_enrichment_action(step) for step in [FULL, *enrichment_steps.PIPELINE]),
        _enrichment_action(enrichment_steps.TECH_SCAN, scan_mode="browser"),
        "recompute_scores",
        "export_leads_csv",
        "assign_owner",
        "add_tag",
        *OUTREACH_PROSPECT_ACTIONS,
    ]
    change_form_template = "admin/prospects/prospect/change_form.html"
    list_display = [  # what a sales user decides on first; on a phone the table scrolls sideways after these
        "display_name",
        "score_tier",
        "status_badge",
        "domain_link",
        "cms",
        "primary_contact",
        "owner_name",
        "last_contact",
        "next_follow_up",
        "city",
    ]
    list_display_links = ["display_name"]
    list_filter = [
        "status", ScoreBandFilter, LeadTierFilter, CmsFilter, PrimaryContactFilter, OwnerFilter,
        LastContactFilter, NextFollowUpFilter, "channel", "has_website", "uses_https",
        cached_values_filter("country", "country"), cached_values_filter("source", "source"),
        ("created_at", admin.DateFieldListFilter), CreatedByImportFilter, JobOutcomeFilter,
    ]  # fmt: skip
    paginator = LargeTablePaginator
    search_fields = ["business_name", "domain_name", "city"]  # and contacts: see get_search_results
    search_help_text = "Name, domain, city, e-mail or phone"
    list_select_related = ["tech_profile", "owner"]  # score and tier: the prospect's own copy
    list_per_page = 100
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted work
    autocomplete_fields = ["captured_by", "owner"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "last_http_check_at",
        "last_tech_scan_at",
        "last_performance_scan_at",
        "last_contact_scrape_at",
        "informed_at",
    ]
    inlines = [ContactInline, InteractionInline]  # scores, profiles and sends: read-only panels above the form
    form = ProspectAdminForm
    fieldsets = [
        (None, {"fields": ["channel", "business_name", "domain_name", "source", "owner", "tags"]}),
        ("Status", {"fields": ["status", "status_override", "status_reason"]}),
        (
            "Website",
            {"classes": ["collapse"], "fields": ["has_website", "uses_https", "http_status_code", "redirect_url"]},
        ),
        (
            "Location",
            {
                "classes": ["collapse"],
                "fields": ["address", "city", "postal_code", "country", "location_lat", "location_lng", "captured_by"],
            },
        ),
        ("Notes", {"fields": ["notes"]}),
        ("Privacy", {"fields": ["lawful_basis", "informed_at"]}),
        (
            "History",
            {
                "classes": ["collapse"],
                "fields": [
                    "created_at",
                    "updated_at",
                    "last_http_check_at",
                    "last_tech_scan_at",
                    "last_performance_scan_at",
                    "last_contact_scrape_at",
                ],
            },
        ),
    ]

    @admin.display(description=gettext_lazy("Name"), ordering="business_name")
    def display_name(self, obj: Prospect) -> str:
        return format_html('<span title="{0}">{0}</span>', obj.display_name)

    @admin.display(description=gettext_lazy("Domain"), ordering="domain_name")
    def domain_link(self, obj: Prospect) -> str:
        if not obj.domain_name:
            return "—"
        return format_html('<a href="https://{0}" target="_blank" rel="noopener noreferrer">{0}</a>', obj.domain_name)

    @admin.display(description=gettext_lazy("Score"), ordering="lead_score")
    def score_tier(self, obj: Prospect) -> str:
        if obj.lead_score is None:
            return "—"
        return format_html(
            '<span class="score-pill"><strong>{}</strong> {}</span>', obj.lead_score, lead_tier_badge(obj.lead_tier)
        )

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def status_badge(self, obj: Prospect) -> str:
        return status_badge(obj)

    @admin.display(description=gettext_lazy("CMS"))
    def cms(self, obj: Prospect) -> str:
        profile = getattr(obj, "tech_profile", None)
        return profile.cms if profile and profile.cms else "—"

    @admin.display(description=gettext_lazy("Primary contact"))
    def primary_contact(self, obj: Prospect) -> str:
        return getattr(obj, "list_extras", ListExtras()).primary_contact or "—"

    @admin.display(description=gettext_lazy("Owner"), ordering="owner__username")
    def owner_name(self, obj: Prospect) -> str:
        return obj.owner.get_username() if obj.owner else "—"

    @admin.display(description=gettext_lazy("Last contact"))
    def last_contact(self, obj: Prospect) -> str:
        at = getattr(obj, "list_extras", ListExtras()).last_contact_at
        return date_format(timezone.localtime(at)) if at else "—"

    @admin.display(description=gettext_lazy("Next follow-up"), ordering="next_follow_up_at")
    def next_follow_up(self, obj: Prospect) -> str:
        due = obj.next_follow_up_at
        if due is None:
            return "—"
        overdue = due < timezone.localdate()
        return format_html('<span class="{}">{}</span>', "overdue" if overdue else "", date_format(due))

    def get_changelist(self, request, **kwargs):
        return ProspectChangeList

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Prospects"), **(extra_context or {})})

    def get_search_results(self, request, queryset, search_term):
        return prospects_search(queryset, search_term), False

    def service_create(self, request, parent, data):
        data.pop("status_override", None)
        data.pop("status_reason", None)
        return services.prospect_create(data=data, user=request.user)

    def service_update(self, request, obj, data):
        override = bool(data.pop("status_override", False))
        reason = data.pop("status_reason", "") or ""
        return services.prospect_update(
            prospect=obj, data=data, user=request.user, status_reason=reason, status_override=override
        )

    def service_delete(self, request, obj):
        services.prospect_delete(prospect=obj, user=request.user)

    def get_urls(self):
        capture = path("capture/", self.admin_site.admin_view(self.capture_view), name="prospects_prospect_capture")
        full = path(
            "<path:object_id>/full-enrichment/",
            self.admin_site.admin_view(self.full_enrichment_view),
            name="prospects_prospect_full_enrichment",
        )
        enrich_import = path(
            "enrich-import/<int:batch_id>/",
            self.admin_site.admin_view(self.enrich_import_view),
            name="prospects_prospect_enrich_import",
        )
        log = path(
            "<path:object_id>/log-interaction/",
            self.admin_site.admin_view(self.log_interaction_view),
            name="prospects_prospect_log_interaction",
        )
        duplicates = path(
            "duplicates/", self.admin_site.admin_view(self.duplicates_view), name="prospects_prospect_duplicates"
        )
        merge = path("merge/", self.admin_site.admin_view(self.merge_view), name="prospects_prospect_merge")
        conversions = path(
            "conversions/",
            self.admin_site.admin_view(self.conversions_view),
            name="prospects_prospect_conversions_report",
        )
        step = path(
            "<path:object_id>/run/<slug:step>/",
            self.admin_site.admin_view(self.run_step_view),
            name="prospects_prospect_run_step",
        )
        return [capture, full, step, enrich_import, log, duplicates, merge, conversions, *super().get_urls()]

    def conversions_view(self, request):
        """The conversions report (by source, by lead tier) with the dashboard's numbers above it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = ConversionsQuerySerializer(
            data={
                name: request.GET[q] for name, q in {"date_from": "from", "date_to": "to"}.items() if request.GET.get(q)
            }
        )
        bounds = query.validated_data if query.is_valid() else {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Conversions and dashboard"),
            "stats": stats_dashboard(user=request.user),
            "report": stats_conversions(user=request.user, **bounds),
            "errors": query.errors if not bounds and query.errors else None,
            "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", ""),
        }
        return TemplateResponse(request, "admin/prospects/prospect/conversions.html", context)

    def _can_merge(self, request) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def duplicates_view(self, request):
        """Possible duplicates across the prospects the user may see, with a merge form per group."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Possible duplicates"),
            "groups": duplicate_groups(prospects=self.get_queryset(request)),
            "can_merge": self._can_merge(request),
        }
        return TemplateResponse(request, "admin/prospects/prospect/duplicates.html", context)

    def merge_view(self, request):
        """Merge the ticked prospects into the one kept (from the duplicates page or a prospect page)."""
        if request.method != "POST" or not self._can_merge(request):
            raise PermissionDenied
        visible = self.get_queryset(request)
        keep = (
            visible.filter(pk=request.POST.get("keep") or 0).first() if request.POST.get("keep", "").isdigit() else None
        )
        ids = {int(pk) for pk in request.POST.getlist("merge") if pk.isdigit()} - ({keep.pk} if keep else set())
        others = list(visible.filter(pk__in=ids))
        if keep is None or not others or len(others) != len(ids):
            self.message_user(
                request, _("Choose the prospect to keep and at least one other to merge."), messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:prospects_prospect_duplicates"))
        try:
            prospects_merge(keep=keep, others=others, user=request.user)
        except (ValidationError, Prospect.DoesNotExist) as exc:
            self.message_user(request, _("Not merged: %(reason)s") % {"reason": exc}, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:prospects_prospect_duplicates"))
        self.message_user(
            request,
            _("Merged %(count)s prospects into %(prospect)s.") % {"count": len(others), "prospect": keep},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:prospects_prospect_change", args=[keep.pk]))

    def get_queryset(self, request):
        return prospects_visible_to(request.user, super().get_queryset(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        prospect = self.get_object(request, object_id)
        if prospect is not None:
            extra_context["page"] = _prospect_page(prospect)
            extra_context["timeline"] = prospect_timeline(prospect_id=prospect.pk)
            extra_context["duplicates"] = prospect_duplicates(prospect=prospect, prospects=self.get_queryset(request))
            extra_context["can_merge"] = self._can_merge(request)
            extra_context["title"] = prospect.display_name
            if request.user.has_perm("interactions.add_interaction"):
                extra_context["log_form"] = InteractionLogForm()
        return super().change_view(request, object_id, form_url, extra_context)

    def log_interaction_view(self, request, object_id):
        """The "Log interaction" form at the top of the prospect page (and of quick capture): logs it without
        saving the prospect form, then comes back to where it was sent from."""
        if request.method != "POST" or not request.user.has_perm("interactions.add_interaction"):
            raise PermissionDenied
        prospect = self.get_object(request, object_id)
        if prospect is None:
            raise Http404
        back = reverse("admin:prospects_prospect_change", args=[prospect.pk])
        if request.POST.get("next") == "capture":
            back = reverse("admin:prospects_prospect_capture")
        form = InteractionLogForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label or field if field in form.fields else ""
                self.message_user(
                    request,
                    _("Interaction not logged. %(field)s: %(errors)s") % {"field": label, "errors": " ".join(errors)},
                    messages.ERROR,
                )
            return HttpResponseRedirect(back)
        try:
            interaction = interaction_services.interaction_create(
                prospect=prospect, data=form.service_data(), user=request.user
            )
        except ValidationError as exc:
            self.message_user(request, _("Interaction not logged: %s") % "; ".join(exc.messages), messages.ERROR)
        else:
            kind, name = interaction.get_interaction_type_display(), str(prospect)
            if interaction.next_action_date:
                message = _("%(kind)s logged on %(prospect)s, follow-up due %(date)s.") % {
                    "kind": kind,
                    "prospect": name,
                    "date": date_format(interaction.next_action_date),
                }
            else:
                message = _("%(kind)s logged on %(prospect)s.") % {"kind": kind, "prospect": name}
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(back)

    def capture_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return admin_views.prospect_capture_view(self, request)

    def import_action(self, request, **kwargs):
        """The Import button: our import service with its own preview and confirm steps."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        return import_views.prospect_import_view(self, request)

    def process_import(self, request, **kwargs):
        return self.import_action(request, **kwargs)

    def _enqueue(self, request, queryset, step, force=False, scan_mode=None):
        try:
            job = enrichment_batch_start(
                job_type=step.job_type,
                prospect_ids=list(queryset.values_list("pk", flat=True)),
                user=request.user,
                force=force,
                scan_mode=scan_mode,
            )
        except QuotaExceeded as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self._job_queued_message(request, job, step.label)

    def _job_queued_message(self, request, job, label):
        url = reverse("admin:core_scanjob_change", args=[job.pk])
        self.message_user(
            request,
            format_html('{} queued for {} prospects: <a href="{}">job #{}</a>.', label, job.total_items, url, job.pk),
            messages.SUCCESS,
        )

    def full_enrichment_view(self, request, object_id):
        """The "Full enrichment" button of the prospect page (and of quick capture): queue it, come back."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        prospect = self.get_object(request, object_id)
        if prospect is None:
            raise Http404
        self._enqueue(
            request,
            Prospect.objects.filter(pk=prospect.pk),
            FULL,
            force=request.POST.get("force") == "1",
        )
        return HttpResponseRedirect(reverse("admin:prospects_prospect_change", args=[prospect.pk]))

    def run_step_view(self, request, object_id, step):
        """A step button of the prospect page (HTTP check, tech scan, ...): queue it for this prospect, come back."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        prospect = self.get_object(request, object_id)
        chosen = next((item for item in [FULL, *enrichment_steps.PIPELINE] if item.slug == step), None)
        if prospect is None or chosen is None:
            raise Http404
        if chosen not in prospect_steps_that_apply(prospect=prospect, steps=[chosen]):
            self.message_user(
                request, _("%(step)s does not apply to this prospect.") % {"step": chosen.label}, messages.WARNING
            )
        else:
            self._enqueue(request, Prospect.objects.filter(pk=prospect.pk), chosen, force=True)
        return HttpResponseRedirect(reverse("admin:prospects_prospect_change", args=[prospect.pk]))

    def enrich_import_view(self, request, batch_id):
        """ "Enrich them" after an import: confirm, then full enrichment of the prospects it created."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        if request.method == "POST":
            filters = batch_targets_scoped(request.user, prospect_ids=None, filters={"import_batch": batch.pk})[1]
            try:
                job = enrichment_batch_start(job_type=FULL.job_type, filters=filters, user=request.user)
            except QuotaExceeded as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:prospects_importbatch_change", args=[batch.pk]))
            self._job_queued_message(request, job, FULL.label)
            return HttpResponseRedirect(reverse("admin:core_scanjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Enrich the prospects created by {batch.name}?",
            "batch": batch,
        }
        return TemplateResponse(request, "admin/prospects/prospect/enrich_import.html", context)

    @admin.action(description=gettext_lazy("Assign owner"), permissions=["change"])
    def assign_owner(self, request, queryset):
        form = AssignOwnerForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            owner = form.cleaned_data["owner"]
            changed = services.prospects_assign_owner(
                prospect_ids=queryset.values_list("pk", flat=True).iterator(chunk_size=5000),
                owner=owner,
                user=request.user,
            )
            name = owner.get_username() if owner else "nobody"
            self.message_user(
                request,
                _("%(count)s prospects now belong to %(name)s.") % {"count": changed, "name": name},
                messages.SUCCESS,
            )
            return None
        select_across = request.POST.get("select_across") == "1"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Assign owner"),
            "form": form,
            "select_across": select_across,
            "selected": [] if select_across else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "count": queryset.count(),
        }
        return TemplateResponse(request, "admin/prospects/prospect/assign_owner.html", context)

    @admin.action(description=gettext_lazy("Add a tag"), permissions=["change"])
    def add_tag(self, request, queryset):
        form = AddTagForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            changed = services.prospects_add_tag(
                prospect_ids=queryset.values_list("pk", flat=True).iterator(chunk_size=5000),
                tag=form.cleaned_data["tag"],
                user=request.user,
            )
            self.message_user(
                request,
                _("Tag “%(tag)s” added to %(count)s prospects.") % {"tag": form.cleaned_data["tag"], "count": changed},
                messages.SUCCESS,
            )
            return None
        select_across = request.POST.get("select_across") == "1"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Add a tag"),
            "form": form,
            "select_across": select_across,
            "selected": [] if select_across else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "count": queryset.count(),
        }
        return TemplateResponse(request, "admin/prospects/prospect/add_tag.html", context)

    @admin.action(description=gettext_lazy("Recompute scores"), permissions=["change"])
    def recompute_scores(self, request, queryset):
        job = scores_batch_start(
            params={"prospect_ids": list(queryset.values_list("pk", flat=True))}, user=request.user
        )
        self._job_queued_message(request, job, "Score recompute")

    @admin.action(description=gettext_lazy("Export selected as lead CSV"))
    def export_leads_csv(self, request, queryset):
        return leads_csv_response(queryset=queryset)


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    """Who did what and when, across the product (registered here: it links entries to the prospects the user
    may see). Filter by action, kind of record, person, date, or one prospect (`?prospect_id=`)."""

    list_display = ["created_at", "action", "prospect_link", "content_type", "object_id", "description", "actor"]
    list_filter = ["action", "content_type", ("actor", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["description", "object_id"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "content_type",
        "object_id",
        "prospect_id",
        "action",
        "description",
        "metadata",
        "actor",
        "created_at",
    ]
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm(VIEW_ALL_PERMISSION):
            return queryset
        visible = prospects_visible_to(request.user).values("pk")
        return queryset.filter(Q(prospect_id__isnull=True) | Q(prospect_id__in=visible))

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "prospect_id" or super().lookup_allowed(lookup, value, request)

    @admin.display(description=gettext_lazy("Prospect"), ordering="prospect_id")
    def prospect_link(self, obj: ActivityLog) -> str:
        if obj.prospect_id is None:
            return "—"
        url = reverse("admin:prospects_prospect_change", args=[obj.prospect_id])
        return format_html('<a href="{}">#{}</a>', url, obj.prospect_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
