from django.contrib import admin

from prospecting.outreach.models import CampaignSend, CampaignTemplate
from prospecting.prospects.admin_scoping import ProspectScopedAdminMixin


@admin.register(CampaignTemplate)
class CampaignTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "lead_type", "channel", "language", "is_active", "updated_at"]
    list_filter = ["channel", "language", "is_active", "lead_type"]
    search_fields = ["name", "subject_template", "body_template"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(CampaignSend)
class CampaignSendAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "template", "prospect", "recipient", "channel", "status", "sent_at", "sent_by"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["recipient", "rendered_subject", "prospect__business_name", "prospect__domain_name"]
    list_select_related = ["template", "prospect", "sent_by"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["created_at", "sent_at", "sent_by"]
    date_hierarchy = "created_at"
    show_full_result_count = False
