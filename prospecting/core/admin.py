import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from prospecting.core.admin_writes import ServiceWritesAdmin
from prospecting.core.jobs import job_cancel, job_resume, jobs_mark_stalled
from prospecting.core.models import ScanJob, Suppression, UsageCounter, UserQuota
from prospecting.core.suppression import suppression_add, suppression_import, suppression_remove, value_hash


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
        "progress",
        "outcomes",
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
    fieldsets = [
        (None, {"fields": ["job_type", "status", "progress", "outcomes", "error"]}),
        ("Counts", {"fields": ["total_items", "processed_items", "failed_items"]}),
        ("When and who", {"fields": ["created_by", "created_at", "started_at", "heartbeat_at", "finished_at"]}),
        ("Technical details", {"classes": ["collapse"], "fields": ["params", "task", "task_id", "attempts", "worker"]}),
    ]
    change_form_template = "admin/core/scanjob/change_form.html"

    @admin.display(description=_("Outcomes"))
    def outcomes(self, obj: ScanJob) -> str:
        """What the job found, e.g. 812 active · 97 parked · 41 could not check, each linked to those prospects."""
        counts = (obj.params or {}).get("outcomes") or {}
        items = [(key, value) for key, value in counts.items() if isinstance(value, int)]
        if not items:
            return "—"
        changelist = reverse("admin:prospects_prospect_changelist")
        links = format_html_join(
            " · ",
            '<a href="{}?job_outcome={}:{}">{} {}</a>',
            ((changelist, obj.pk, key, value, key.replace("_", " ")) for key, value in items),
        )
        failed_steps = counts.get("failed_steps") or {}
        if failed_steps:
            steps = ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in failed_steps.items())
            return format_html("{}<br>{}: {}", links, _("Failed steps"), steps)
        return links

    def change_view(self, request, object_id, form_url="", extra_context=None):
        jobs_mark_stalled()
        # A job is a record of work done by the workers: nothing to save here (cancel and resume are actions).
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # the record of what ran stays, unless an admin tidies up

    @admin.display(description=_("Progress"))
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

    @admin.action(description=_("Cancel selected jobs"), permissions=["change"])
    def cancel_jobs(self, request, queryset):
        cancelled = sum(job_cancel(job=job) for job in queryset)
        self.message_user(
            request, ngettext("Cancelled %d job.", "Cancelled %d jobs.", cancelled) % cancelled, messages.SUCCESS
        )

    @admin.action(
        description=_("Resume selected jobs (interrupted, failed or stopped with their worker)"), permissions=["change"]
    )
    def resume_jobs(self, request, queryset):
        resumed = sum(job_resume(job=job) for job in queryset)
        skipped = len(queryset) - resumed
        message = (
            ngettext(
                "Resumed %d job on the workers; it continues where it stopped.",
                "Resumed %d jobs on the workers; they continue where they stopped.",
                resumed,
            )
            % resumed
        )
        if skipped:
            message += (
                " "
                + ngettext(
                    "%d completed, cancelled or still running was left as it is.",
                    "%d completed, cancelled or still running were left as they are.",
                    skipped,
                )
                % skipped
            )
        self.message_user(request, message, messages.SUCCESS if resumed else messages.WARNING)


@admin.register(UserQuota)
class UserQuotaAdmin(admin.ModelAdmin):
    """Monthly limits per user, with this month's usage next to them."""

    list_display = ["user", "scans_per_month", "scans_used", "emails_per_month", "emails_used"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        period = timezone.localdate().replace(day=1)
        usage = UsageCounter.objects.filter(user=OuterRef("user"), period=period)
        return (
            super()
            .get_queryset(request)
            .annotate(
                scans_used_now=Subquery(usage.filter(kind=UsageCounter.Kind.SCANS).values("used")[:1]),
                emails_used_now=Subquery(usage.filter(kind=UsageCounter.Kind.EMAILS).values("used")[:1]),
            )
        )

    @admin.display(description=_("Scans this month"))
    def scans_used(self, obj: UserQuota) -> str:
        return _usage_text(getattr(obj, "scans_used_now", None), obj.scans_per_month)

    @admin.display(description=_("E-mails this month"))
    def emails_used(self, obj: UserQuota) -> str:
        return _usage_text(getattr(obj, "emails_used_now", None), obj.emails_per_month)


def _usage_text(used: int | None, limit: int | None) -> str:
    used = used or 0
    if limit is None:
        return f"{used} (no limit)"
    return f"{used} of {limit} ({round(100 * used / limit) if limit else 100} %)"


@admin.register(UsageCounter)
class UsageCounterAdmin(admin.ModelAdmin):
    list_display = ["period", "user", "kind", "used"]
    list_filter = ["kind", "period"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "kind", "period", "used"]

    def has_add_permission(self, request):
        return False


# --- suppression list -----------------------------------------------------------------------------------------


class SuppressionImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A text or CSV file: one value per line (first column).")
    values = forms.CharField(widget=forms.Textarea, required=False, help_text="Or paste values, one a line.")
    kind = forms.ChoiceField(choices=Suppression.Kind.choices, initial=Suppression.Kind.EMAIL)
    reason = forms.ChoiceField(choices=Suppression.Reason.choices, initial=Suppression.Reason.MANUAL)
    note = forms.CharField(max_length=500, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("file") and not (data.get("values") or "").strip():
            raise ValidationError("Upload a file or paste values.")
        return data


@admin.register(Suppression)
class SuppressionAdmin(ServiceWritesAdmin, admin.ModelAdmin):
    """The suppression list (do-not-contact, objections, erasures). A search for an address also finds an
    erased one, whose entry holds only its hash."""

    list_display = ["kind", "shown_value", "reason", "note", "origin", "created_at"]
    list_filter = ["reason", "kind"]
    search_fields = ["value", "note"]
    fields = ["kind", "value", "reason", "note"]
    change_list_template = "admin/core/suppression/change_list.html"

    @admin.display(description="Value", ordering="value")
    def shown_value(self, obj: Suppression) -> str:
        return obj.value or f"(erased · hash {obj.value_hash[:12]}…)"

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "value", "origin"] if obj else []

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            hashes = [h for kind in Suppression.Kind.values if (h := value_hash(kind, term))]
            results = results | queryset.filter(value_hash__in=hashes)
        return results, duplicates

    def service_create(self, request, parent, data):
        return suppression_add(
            kind=data["kind"], value=data["value"], reason=data["reason"], note=data.get("note", ""), user=request.user
        )

    def service_update(self, request, obj, data):
        Suppression.objects.filter(pk=obj.pk).update(**{k: v for k, v in data.items() if k in {"reason", "note"}})
        return obj

    def service_delete(self, request, obj):
        suppression_remove(entry=obj, user=request.user)

    def get_urls(self):
        view = path("import/", self.admin_site.admin_view(self.import_view), name="core_suppression_import")
        return [view, *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SuppressionImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("file")
            text = upload.read().decode("utf-8-sig", errors="replace") if upload else form.cleaned_data["values"]
            result = suppression_import(
                lines=io.StringIO(text),
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            self.message_user(
                request,
                _("%(added)s added, %(already)s already listed.") % {"added": result.added, "already": result.already},
                messages.SUCCESS,
            )
            for line, error in result.invalid[:20]:
                self.message_user(
                    request, _("Line %(line)s: %(error)s") % {"line": line, "error": error}, messages.WARNING
                )
            return HttpResponseRedirect(reverse("admin:core_suppression_changelist"))
        context = {**self.admin_site.each_context(request), "title": _("Import suppressed values"), "form": form}
        return TemplateResponse(request, "admin/core/suppression_import.html", context)
