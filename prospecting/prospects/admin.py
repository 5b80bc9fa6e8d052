"""Admin for the prospects app's own tables: contacts, import batches and their lines.

The prospect page itself combines every app and lives in `prospecting/workspace/admin.py`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prospecting.core.admin_writes import ServiceWritesAdmin
from prospecting.prospects import services
from prospecting.prospects.admin_scoping import ProspectScopedAdminMixin
from prospecting.prospects.admin_views import import_next_steps
from prospecting.prospects.models import Conversion, ImportBatch, ImportRow, Prospect, ProspectContact
from prospecting.prospects.selectors import prospects_created_by_import
from prospecting.prospects.services.status import status_transition_check


def status_badge(prospect: Prospect) -> str:
    """A prospect's status as a coloured badge (colours in the admin's stylesheet, `prospecting/admin.css`)."""
    return format_html('<span class="badge badge-status-{}">{}</span>', prospect.status, prospect.get_status_display())


class CreatedByImportFilter(admin.SimpleListFilter):
    """Prospects list filter: those an import created (the batch page links here)."""

    title = _("created by import")
    parameter_name = "import_batch"

    def lookups(self, request, model_admin):
        recent = ImportBatch.objects.filter(created_count__gt=0).order_by("-created_at")[:10]
        return [(str(batch.pk), f"{batch.name} ({batch.created_at:%Y-%m-%d})") for batch in recent]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) < 19:
            return queryset.filter(pk__in=prospects_created_by_import(int(value)))
        return queryset


@admin.register(ProspectContact)
class ProspectContactAdmin(ProspectScopedAdminMixin, ServiceWritesAdmin, admin.ModelAdmin):
    list_display = ["value", "contact_type", "prospect", "label", "is_primary", "verification_status", "created_at"]
    list_filter = ["contact_type", "is_primary", "verification_status"]
    search_fields = ["value", "label", "prospect__business_name", "prospect__domain_name"]
    list_select_related = ["prospect"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "prospect"] if obj else self.readonly_fields

    def service_create(self, request, parent, data):
        prospect = data.pop("prospect")
        return services.contact_create(prospect=prospect, data=data, user=request.user)

    def service_update(self, request, obj, data):
        return services.contact_update(contact=obj, data=data, user=request.user)

    def service_delete(self, request, obj):
        services.contact_delete(contact=obj, user=request.user)


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
        "suppressed_count",
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
        "suppressed_count",
        "status",
        "created_at",
        "completed_at",
        "uploaded_by",
    ]
    inlines = [ImportRowInline]
    actions = ["revert_batches"]

    def get_readonly_fields(self, request, obj=None):
        return ["next_steps", "name", "source_file", "settings", *self.readonly_fields]

    def get_fields(self, request, obj=None):
        return ["next_steps", "name", "status", "total_rows", "created_count", "updated_count",
                "duplicate_count", "failed_count", "suppressed_count", "uploaded_by", "created_at",
                "completed_at", "settings", "source_file"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # batches come from the Import page, the API and the command

    def has_change_permission(self, request, obj=None):
        return False  # a batch is a record of what happened: its page is read-only

    @admin.display(description=_("Next steps"))
    def next_steps(self, obj):
        return import_next_steps(obj)

    @admin.action(description=_("Revert: delete the prospects these imports created"), permissions=["delete"])
    def revert_batches(self, request, queryset):
        batches = list(queryset.exclude(status=ImportBatch.Status.REVERTED))
        if request.POST.get("confirm") != "yes":
            to_delete = ImportRow.objects.filter(
                batch__in=batches, outcome=ImportRow.Outcome.CREATED, prospect__isnull=False
            ).count()
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Revert imports?"),
                "batches": batches,
                "to_delete": to_delete,
            }
            return TemplateResponse(request, "admin/prospects/importbatch/revert_confirmation.html", context)
        deleted = sum(services.import_batch_revert(batch=batch, user=request.user) for batch in batches)
        self.message_user(
            request,
            _("Reverted %(imports)s imports: %(deleted)s prospects deleted.")
            % {"imports": len(batches), "deleted": deleted},
            messages.SUCCESS,
        )
        return None


@admin.register(ImportRow)
class ImportRowAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["batch", "line_number", "outcome", "error", "prospect"]
    list_filter = ["outcome"]
    search_fields = ["error", "data_hash", "batch__name"]
    list_select_related = ["batch", "prospect"]
    autocomplete_fields = ["prospect"]
    raw_id_fields = ["batch"]
    show_full_result_count = False


class ConversionForm(forms.ModelForm):
    """A new conversion converts its prospect: the status flow must allow it (from contacted), else a form error
    says so (an override with a reason is made on the prospect page)."""

    class Meta:
        model = Conversion
        fields = "__all__"  # noqa: DJ007 (the admin's fields and read-only fields choose)

    def clean(self) -> dict:
        cleaned = super().clean()
        prospect = cleaned.get("prospect") or getattr(self.instance, "prospect", None)
        if prospect is not None and not self.instance.pk:
            try:
                status_transition_check(old=prospect.status, new=Prospect.Status.CONVERTED)
            except ValidationError as exc:
                self.add_error("prospect", exc.message_dict["status"])
        return cleaned


@admin.register(Conversion)
class ConversionAdmin(ProspectScopedAdminMixin, ServiceWritesAdmin, admin.ModelAdmin):
    """Won prospects with plan and revenue; a new one converts its prospect through the status pipeline."""

    list_display = [
        "prospect",
        "plan",
        "mrr",
        "lifetime_value",
        "converted_at",
        "attributed_source",
        "days_to_convert",
        "created_by",
    ]
    form = ConversionForm
    list_filter = ["plan", "attributed_source"]
    search_fields = ["prospect__business_name", "prospect__domain_name", "plan"]
    list_select_related = ["prospect", "created_by"]
    autocomplete_fields = ["prospect"]
    readonly_fields = ["first_contact_at", "days_to_convert", "created_by", "created_at", "updated_at"]
    date_hierarchy = "converted_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "prospect"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # undo a sale by changing the prospect's status (an override with a reason)

    def _convert(self, request, prospect, data):
        fields = ["plan", "mrr", "lifetime_value", "converted_at", "attributed_source"]
        return services.prospect_convert(
            prospect=prospect, user=request.user, **{name: data[name] for name in fields if name in data}
        )

    def service_create(self, request, parent, data):
        return self._convert(request, data.pop("prospect"), data)

    def service_update(self, request, obj, data):
        current = {
            "plan": obj.plan,
            "mrr": obj.mrr,
            "lifetime_value": obj.lifetime_value,
            "converted_at": obj.converted_at,
            "attributed_source": obj.attributed_source,
        }
        return self._convert(request, obj.prospect, {**current, **data})

    def service_delete(self, request, obj):
        raise PermissionError("Conversions are not deleted")
