from django.contrib import admin

from prospecting.core.admin_writes import ServiceWritesAdmin
from prospecting.interactions import services
from prospecting.interactions.models import Interaction


@admin.register(Interaction)
class InteractionAdmin(ServiceWritesAdmin, admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        # The prospect of a logged interaction does not change (log a new one on the other prospect).
        return [*self.readonly_fields, "prospect"] if obj else self.readonly_fields

    def service_create(self, request, parent, data):
        prospect = data.pop("prospect")
        return services.interaction_create(prospect=prospect, data=data, user=request.user)

    def service_update(self, request, obj, data):
        return services.interaction_update(interaction=obj, data=data, user=request.user)

    def service_delete(self, request, obj):
        services.interaction_delete(interaction=obj, user=request.user)
