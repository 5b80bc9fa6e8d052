from django.contrib import admin

from prospecting.scoring.models import ProspectScore


@admin.register(ProspectScore)
class ProspectScoreAdmin(admin.ModelAdmin):
    list_display = [
        "prospect",
        "score",
        "lead_tier",
        "technical_health_score",
        "modernity_score",
        "business_value_score",
        "engagement_score",
        "computed_at",
    ]
    list_filter = ["lead_tier", "rules_version"]
    search_fields = ["prospect__domain_name", "prospect__business_name"]
    list_select_related = ["prospect"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["computed_at"]
    ordering = ["-score"]
    show_full_result_count = False
