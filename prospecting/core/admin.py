from django.contrib import admin, messages
from django.utils.html import format_html

from prospecting.core.jobs import job_cancel, job_resume, jobs_mark_stalled
from prospecting.core.models import ScanJob


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
        "attempts",
        "created_by",
        "created_at",
        "heartbeat_at",
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
        "task",
        "task_id",
        "attempts",
        "worker",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "heartbeat_at",
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

    def changelist_view(self, request, extra_context=None):
        jobs_mark_stalled()  # a job whose worker died shows as interrupted as soon as someone looks
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        jobs_mark_stalled()
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Cancel selected jobs", permissions=["change"])
    def cancel_jobs(self, request, queryset):
        cancelled = sum(job_cancel(job=job) for job in queryset)
        self.message_user(request, f"Cancelled {cancelled} jobs.", messages.SUCCESS)

    @admin.action(
        description="Resume selected jobs (interrupted, failed or stopped with their worker)", permissions=["change"]
    )
    def resume_jobs(self, request, queryset):
        resumed = sum(job_resume(job=job) for job in queryset)
        skipped = len(queryset) - resumed
        message = f"Resumed {resumed} jobs on the workers; they continue where they stopped."
        if skipped:
            message += f" {skipped} completed, cancelled or still running were left as they are."
        self.message_user(request, message, messages.SUCCESS if resumed else messages.WARNING)
