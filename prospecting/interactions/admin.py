from django.contrib import admin

from prospecting.interactions.models import Interaction
from prospecting.scoring.services import score_refresh_on_commit


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "prospect",
        "interaction_type",
        "subject",
        "outcome",
        "next_action",
        "next_action_date",
        "created_by",
    ]
    list_filter = ["interaction_type", "outcome", "next_action_date"]
    search_fields = ["subject", "notes", "next_action", "prospect__business_name", "prospect__domain_name"]
    list_select_related = ["prospect", "created_by"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        score_refresh_on_commit(prospect_ids=[obj.prospect_id])
