from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prospecting.core.models import ScanJob
from prospecting.enrichment.models import PerformanceProfile, TechProfile
from prospecting.enrichment.selectors import job_prospects_with_outcome
from prospecting.prospects.admin_scoping import ProspectScopedAdminMixin


@admin.register(TechProfile)
class TechProfileAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["prospect", "cms", "cms_version", "server", "cdn", "js_framework", "analytics", "scanned_at"]
    list_filter = ["cms", "server", "cdn", "ecommerce_platform"]
    search_fields = ["prospect__domain_name", "prospect__business_name", "cms", "hosting_provider"]
    list_select_related = ["prospect"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["scanned_at"]
    show_full_result_count = False


@admin.register(PerformanceProfile)
class PerformanceProfileAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "prospect",
        "performance_score",
        "accessibility_score",
        "seo_score",
        "best_practices_score",
        "largest_contentful_paint_ms",
        "is_mobile_friendly",
        "provider",
        "scanned_at",
    ]
    list_filter = ["provider", "is_mobile_friendly"]
    search_fields = ["prospect__domain_name", "prospect__business_name"]
    list_select_related = ["prospect"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["scanned_at"]
    show_full_result_count = False


class JobOutcomeFilter(admin.SimpleListFilter):
    """Prospects list filter behind the outcome links of a scan job's page (`?job_outcome=<job id>:<outcome>`)."""

    title = _("scan job outcome")
    parameter_name = "job_outcome"

    def _job_and_outcome(self) -> tuple[ScanJob | None, str]:
        job_id, _, outcome = (self.value() or "").partition(":")
        if not job_id.isdigit() or len(job_id) > 18:
            return None, outcome
        return ScanJob.objects.filter(pk=int(job_id)).first(), outcome

    def lookups(self, request, model_admin):
        job, outcome = self._job_and_outcome()
        if job is None:
            return []
        return [(self.value(), f"Job #{job.pk}: {outcome.replace('_', ' ')}")]

    def queryset(self, request, queryset):
        job, outcome = self._job_and_outcome()
        if job is None:
            return queryset
        return queryset.filter(pk__in=job_prospects_with_outcome(job, outcome).values("pk"))
