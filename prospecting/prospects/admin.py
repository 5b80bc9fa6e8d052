"""Admin for prospects: the main working screen of the product."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin

from prospecting.core.export_formats import SafeCSV, SafeXLSX
from prospecting.core.models import ScanJob
from prospecting.enrichment.models import PerformanceProfile, TechProfile
from prospecting.enrichment.services.batch import enrichment_batch_create
from prospecting.interactions.models import Interaction
from prospecting.prospects import admin_views, services
from prospecting.prospects.exports_api import leads_csv_response
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect, ProspectContact
from prospecting.prospects.resources import ProspectResource
from prospecting.scoring.admin import breakdown_table
from prospecting.scoring.models import ProspectScore
from prospecting.scoring.services import score_refresh_on_commit, scores_compute_batch


class ContactInline(admin.TabularInline):
    model = ProspectContact
    extra = 0
    fields = ["contact_type", "value", "label", "is_primary", "verification_status", "source_url"]


class InteractionInline(admin.TabularInline):
    model = Interaction
    extra = 0
    fields = ["interaction_type", "subject", "outcome", "next_action", "next_action_date", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    ordering = ["-created_at"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        return super().get_queryset(request).select_related("created_by")


class _ReadOnlyProfileInline(admin.StackedInline):
    extra = 0
    max_num = 1
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TechProfileInline(_ReadOnlyProfileInline):
    model = TechProfile
    fields = [
        "cms",
        "cms_version",
        "server",
        "hosting_provider",
        "cdn",
        "js_framework",
        "analytics",
        "ecommerce_platform",
        "scanned_at",
    ]


class PerformanceProfileInline(_ReadOnlyProfileInline):
    model = PerformanceProfile
    fields = [
        "performance_score",
        "accessibility_score",
        "seo_score",
        "best_practices_score",
        "largest_contentful_paint_ms",
        "first_contentful_paint_ms",
        "total_blocking_time_ms",
        "cumulative_layout_shift",
        "page_weight_bytes",
        "is_mobile_friendly",
        "provider",
        "scanned_at",
    ]


class ScoreInline(_ReadOnlyProfileInline):
    model = ProspectScore
    fields = [
        "score",
        "lead_tier",
        "lead_type",
        "summary",
        "breakdown",
        "technical_health_score",
        "modernity_score",
        "business_value_score",
        "engagement_score",
        "intent_level",
        "buying_signal",
        "recommended_channel",
        "rules_version",
        "computed_at",
    ]
    readonly_fields = ["breakdown"]

    @admin.display(description="Why this score")
    def breakdown(self, obj):
        return breakdown_table(obj)


@admin.register(Prospect)
class ProspectAdmin(ImportExportModelAdmin):
    resource_classes = [ProspectResource]
    export_formats = [SafeCSV, SafeXLSX]
    import_export_change_list_template = "admin/prospects/prospect/change_list.html"
    actions = [
        "run_full_enrichment",
        "run_http_check",
        "run_tech_scan",
        "run_performance",
        "run_contacts",
        "recompute_scores",
        "export_leads_csv",
    ]
    change_form_template = "admin/prospects/prospect/change_form.html"
    list_display = [
        "display_name",
        "domain_link",
        "channel",
        "status",
        "city",
        "score_value",
        "has_website",
        "created_at",
    ]
    list_display_links = ["display_name"]
    list_filter = ["status", "channel", "has_website", "uses_https", "country", "source", "score__lead_tier"]
    search_fields = ["business_name", "domain_name", "city", "postal_code"]
    date_hierarchy = "created_at"
    list_select_related = ["score"]
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
    ]
    inlines = [ScoreInline, ContactInline, InteractionInline, TechProfileInline, PerformanceProfileInline]
    fieldsets = [
        (None, {"fields": ["channel", "business_name", "domain_name", "status", "source", "owner", "tags"]}),
        ("Website", {"fields": ["has_website", "uses_https", "http_status_code", "redirect_url"]}),
        (
            "Location",
            {"fields": ["address", "city", "postal_code", "country", "location_lat", "location_lng", "captured_by"]},
        ),
        ("Notes", {"fields": ["notes"]}),
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

    @admin.display(description="Name", ordering="business_name")
    def display_name(self, obj: Prospect) -> str:
        return obj.display_name

    @admin.display(description="Domain", ordering="domain_name")
    def domain_link(self, obj: Prospect) -> str:
        if not obj.domain_name:
            return "—"
        return format_html('<a href="https://{0}" target="_blank" rel="noopener noreferrer">{0}</a>', obj.domain_name)

    @admin.display(description="Score", ordering="score__score")
    def score_value(self, obj: Prospect) -> int | None:
        score = getattr(obj, "score", None)
        return score.score if score else None

    def save_model(self, request, obj, form, change):
        if not change and obj.captured_by_id is None:
            obj.captured_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        capture = path("capture/", self.admin_site.admin_view(self.capture_view), name="prospects_prospect_capture")
        full = path(
            "<path:object_id>/full-enrichment/",
            self.admin_site.admin_view(self.full_enrichment_view),
            name="prospects_prospect_full_enrichment",
        )
        return [capture, full, *super().get_urls()]

    def capture_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return admin_views.prospect_capture_view(self, request)

    def import_action(self, request, **kwargs):
        """The Import button: our import service with its own preview and confirm steps."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        return admin_views.prospect_import_view(self, request)

    def process_import(self, request, **kwargs):
        return self.import_action(request, **kwargs)

    def save_formset(self, request, form, formset, change):
        if formset.model is Interaction:
            for interaction in formset.save(commit=False):
                if interaction.created_by_id is None:
                    interaction.created_by = request.user
                interaction.save()
            for deleted in formset.deleted_objects:
                deleted.delete()
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        score_refresh_on_commit(prospect_ids=[form.instance.pk])

    def _enqueue(self, request, queryset, job_type, label, force=False):
        job = enrichment_batch_create(
            job_type=job_type, prospect_ids=list(queryset.values_list("pk", flat=True)), user=request.user, force=force
        )
        url = reverse("admin:core_scanjob_change", args=[job.pk])
        self.message_user(
            request,
            format_html('{} queued for {} prospects: <a href="{}">job #{}</a>.', label, job.total_items, url, job.pk),
            messages.SUCCESS,
        )

    @admin.action(description="Full enrichment (HTTP check → tech → performance → contacts → score)")
    def run_full_enrichment(self, request, queryset):
        self._enqueue(request, queryset, ScanJob.JobType.FULL, "Full enrichment")

    @admin.action(description="Run performance audit (live websites)")
    def run_performance(self, request, queryset):
        self._enqueue(request, queryset, ScanJob.JobType.PERFORMANCE, "Performance audit")

    @admin.action(description="Run contact scrape (live websites)")
    def run_contacts(self, request, queryset):
        self._enqueue(request, queryset, ScanJob.JobType.CONTACTS, "Contact scrape")

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
            ScanJob.JobType.FULL,
            "Full enrichment",
            force=request.POST.get("force") == "1",
        )
        return HttpResponseRedirect(reverse("admin:prospects_prospect_change", args=[prospect.pk]))

    @admin.action(description="Run HTTP check")
    def run_http_check(self, request, queryset):
        self._enqueue(request, queryset, ScanJob.JobType.HTTP_CHECK, "HTTP check")

    @admin.action(description="Run tech scan (live websites)")
    def run_tech_scan(self, request, queryset):
        self._enqueue(request, queryset, ScanJob.JobType.TECH_SCAN, "Tech scan")

    @admin.action(description="Recompute scores")
    def recompute_scores(self, request, queryset):
        count = scores_compute_batch(queryset=queryset)
        self.message_user(request, f"Recomputed {count} scores.", messages.SUCCESS)

    @admin.action(description="Export selected as lead CSV")
    def export_leads_csv(self, request, queryset):
        return leads_csv_response(queryset=queryset)


@admin.register(ProspectContact)
class ProspectContactAdmin(admin.ModelAdmin):
    list_display = ["value", "contact_type", "prospect", "label", "is_primary", "verification_status", "created_at"]
    list_filter = ["contact_type", "is_primary", "verification_status"]
    search_fields = ["value", "label", "prospect__business_name", "prospect__domain_name"]
    list_select_related = ["prospect"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False


class ImportRowInline(admin.TabularInline):
    model = ImportRow
    extra = 0
    fields = ["line_number", "outcome", "error", "prospect", "raw_payload"]
    readonly_fields = fields
    can_delete = False
    ordering = ["line_number"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportRow]:
        # The batch page lists what needs attention: failed rows first, capped so a 1M-row batch renders.
        queryset = super().get_queryset(request).select_related("prospect")
        return queryset.filter(outcome=ImportRow.Outcome.FAILED)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "duplicate_count",
        "failed_count",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["name", "source_file"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "total_rows",
        "created_count",
        "updated_count",
        "failed_count",
        "duplicate_count",
        "status",
        "created_at",
        "completed_at",
        "uploaded_by",
    ]
    inlines = [ImportRowInline]
    actions = ["revert_batches"]

    @admin.action(description="Revert: delete the prospects these imports created", permissions=["delete"])
    def revert_batches(self, request, queryset):
        batches = list(queryset.exclude(status=ImportBatch.Status.REVERTED))
        if request.POST.get("confirm") != "yes":
            to_delete = ImportRow.objects.filter(
                batch__in=batches, outcome=ImportRow.Outcome.CREATED, prospect__isnull=False
            ).count()
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Revert imports?",
                "batches": batches,
                "to_delete": to_delete,
            }
            return TemplateResponse(request, "admin/prospects/importbatch/revert_confirmation.html", context)
        deleted = sum(services.import_batch_revert(batch=batch, user=request.user) for batch in batches)
        self.message_user(request, f"Reverted {len(batches)} imports: {deleted} prospects deleted.", messages.SUCCESS)
        return None


@admin.register(ImportRow)
class ImportRowAdmin(admin.ModelAdmin):
    list_display = ["batch", "line_number", "outcome", "error", "prospect"]
    list_filter = ["outcome"]
    search_fields = ["error", "data_hash", "batch__name"]
    list_select_related = ["batch", "prospect"]
    autocomplete_fields = ["prospect"]
    raw_id_fields = ["batch"]
    show_full_result_count = False
