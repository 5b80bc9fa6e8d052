from django.contrib import admin, messages
from django.utils.html import format_html

from prospecting.core.models import ActivityLog, ScanJob


@admin.register(ScanJob)
class ScanJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "job_type",
        "status",
        "progress",
        "processed_items",
        "total_items",
        "failed_items",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["job_type", "status"]
    search_fields = ["task_id", "error"]
    actions = ["cancel_jobs", "resume_jobs"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "job_type",
        "status",
        "total_items",
        "processed_items",
        "failed_items",
        "params",
        "task_id",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]

    @admin.display(description="Progress")
    def progress(self, obj: ScanJob) -> str:
        return format_html(
            '<progress value="{}" max="100" style="width:6em"></progress> {}%',
            obj.progress_percent,
            obj.progress_percent,
        )

    def has_add_permission(self, request):
        return False

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request, queryset):
        from prospecting.enrichment.services.batch import scan_job_cancel

        cancelled = sum(scan_job_cancel(job=job) for job in queryset)
        self.message_user(request, f"Cancelled {cancelled} jobs.", messages.SUCCESS)

    @admin.action(description="Resume selected jobs (after a worker crash)")
    def resume_jobs(self, request, queryset):
        from prospecting.core.services import scan_job_resume

        resumed = sum(scan_job_resume(job=job) for job in queryset)
        self.message_user(request, f"Resumed {resumed} jobs.", messages.SUCCESS)


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "content_type", "object_id", "description", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["description", "object_id"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "content_type",
        "object_id",
        "action",
        "description",
        "metadata",
        "actor",
        "created_at",
    ]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
