from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prospecting.discovery import services
from prospecting.discovery.models import DiscoverySource, ProviderUsage, RawRecord, month_start
from prospecting.discovery.selectors import source_performance
from prospecting.discovery.sources.base import Search, SourceStopped
from prospecting.discovery.sources.directory import DirectoryConfigError, directory_config_check
from prospecting.prospects.admin_scoping import ProspectScopedAdminMixin


class DiscoverySourceForm(forms.ModelForm):
    api_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current key."),
    )
    clear_api_key = forms.BooleanField(required=False, label=_("Remove the stored key"))

    class Meta:
        model = DiscoverySource
        fields = [
            "name",
            "slug",
            "kind",
            "enabled",
            "base_url",
            "config",
            "monthly_call_limit",
            "cost_per_call",
            "cost_per_lead",
            "attribution",
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == DiscoverySource.Kind.DIRECTORY:
            try:
                directory_config_check(data.get("config") or {})
            except DirectoryConfigError as exc:
                self.add_error("config", str(exc))
        return data

    def save(self, commit: bool = True) -> DiscoverySource:
        source = super().save(commit=False)
        if self.cleaned_data.get("clear_api_key"):
            source.api_key = ""
        elif self.cleaned_data.get("api_key"):
            source.api_key = self.cleaned_data["api_key"]
        if commit:
            source.save()
        return source


class DiscoverForm(forms.Form):
    query = forms.CharField(
        max_length=200, help_text=_("A trade (boulangerie, Bäckerei, bakery) or OSM tags (shop=bakery).")
    )
    city = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=2, initial="LU")
    postal_codes = forms.CharField(required=False, help_text=_("Comma-separated, e.g. L-9501, L-9502"))
    max_results = forms.IntegerField(min_value=1, max_value=10_000, initial=100)
    auto_import = forms.BooleanField(
        required=False,
        initial=True,
        help_text=_("Turn the listings into prospects at once (else review the raw records)."),
    )


@admin.register(DiscoverySource)
class DiscoverySourceAdmin(admin.ModelAdmin):
    form = DiscoverySourceForm
    list_display = ["name", "slug", "kind", "enabled", "key", "monthly_call_limit", "calls_this_month", "discover_link"]
    change_list_template = "admin/discovery/discoverysource/change_list.html"
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description=_("API key"))
    def key(self, obj: DiscoverySource) -> str:
        return "••••••" if obj.has_api_key else "—"

    @admin.display(description=_("Calls this month"))
    def calls_this_month(self, obj: DiscoverySource) -> str:
        from django.utils import timezone

        usage = ProviderUsage.objects.filter(source=obj, month=month_start(timezone.localdate())).first()
        used = usage.calls if usage else 0
        return f"{used} / {obj.monthly_call_limit}" if obj.monthly_call_limit else str(used)

    @admin.display(description="")
    def discover_link(self, obj: DiscoverySource) -> str:
        if obj.kind == DiscoverySource.Kind.EMAIL_FINDER:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:discovery_discover", args=[obj.pk]), _("Discover…"))

    def get_urls(self):
        return [
            path(
                "<int:source_id>/discover/", self.admin_site.admin_view(self.discover_view), name="discovery_discover"
            ),
            path("performance/", self.admin_site.admin_view(self.performance_view), name="discovery_performance"),
            *super().get_urls(),
        ]

    def discover_view(self, request, source_id):
        if not (request.user.has_perm("discovery.add_rawrecord") and request.user.has_perm("prospects.add_prospect")):
            raise PermissionDenied
        source = DiscoverySource.objects.get(pk=source_id)
        form = DiscoverForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            search = Search(
                query=data["query"],
                city=data["city"],
                country=data["country"].upper(),
                postal_codes=tuple(code.strip() for code in data["postal_codes"].split(",") if code.strip()),
                max_results=data["max_results"],
            )
            try:
                job = services.discovery_start(
                    source=source, search=search, user=request.user, auto_import=data["auto_import"]
                )
            except (ValueError, SourceStopped) as exc:
                form.add_error("query", str(exc))
            else:
                url = reverse("admin:core_scanjob_change", args=[job.pk])
                messages.success(request, format_html('Discovery queued: <a href="{}">job #{}</a>.', url, job.pk))
                return HttpResponseRedirect(
                    reverse("admin:discovery_rawrecord_changelist") + f"?job__id__exact={job.pk}"
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Discover businesses with %(source)s") % {"source": source.name},
            "form": form,
            "source": source,
        }
        return TemplateResponse(request, "admin/discovery/discover.html", context)

    def performance_view(self, request):
        if not request.user.has_perm("prospects.view_prospect"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Source performance"),
            "rows": source_performance(),
        }
        return TemplateResponse(request, "admin/discovery/performance.html", context)


@admin.register(RawRecord)
class RawRecordAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "source", "status", "prospect", "external_id", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["name", "external_id", "source_url"]
    list_select_related = ["source", "prospect"]
    raw_id_fields = ["job", "prospect"]
    readonly_fields = [
        "source",
        "job",
        "external_id",
        "data_hash",
        "name",
        "fields",
        "payload",
        "source_url",
        "attribution",
        "status",
        "error",
        "prospect",
        "created_at",
    ]
    actions = ["import_selected"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return request.user.has_perm("prospects.add_prospect")

    @admin.action(description=_("Import selected records as prospects"), permissions=["import"])
    def import_selected(self, request, queryset):
        ids = list(queryset.filter(status=RawRecord.Status.NEW).values_list("pk", flat=True))
        if not ids:
            self.message_user(request, _("None of the selected records is new."), messages.WARNING)
            return
        job = services.raw_records_import_start(record_ids=ids, user=request.user)
        url = reverse("admin:core_scanjob_change", args=[job.pk])
        self.message_user(
            request, format_html('Import of {} records queued: <a href="{}">job #{}</a>.', len(ids), url, job.pk)
        )


@admin.register(ProviderUsage)
class ProviderUsageAdmin(admin.ModelAdmin):
    list_display = ["source", "month", "calls", "limit", "leads", "cost"]
    list_filter = ["source"]
    list_select_related = ["source"]

    @admin.display(description=_("Monthly limit"))
    def limit(self, obj: ProviderUsage) -> str:
        return str(obj.source.monthly_call_limit or "—")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
