from django.contrib import admin

from prospecting.enrichment.models import PerformanceProfile, TechProfile
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
