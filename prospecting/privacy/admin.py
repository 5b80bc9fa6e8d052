"""Privacy in the admin: the register of requests, with the pages to erase a person, export what is held on
them and run the retention report or purge; and an "Erase these people" action on the contacts list."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prospecting.core.csv_safety import csv_stream
from prospecting.privacy.models import PrivacyRequest
from prospecting.privacy.services import person_access_export, person_erase, retention_start, subject_normalize
from prospecting.prospects.models import ProspectContact

ERASE = "privacy.erase_person"
EXPORT = "privacy.export_person"


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class SubjectForm(forms.Form):
    emails = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="One per line.")
    phones = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="One per line, any spelling."
    )
    names = forms.CharField(
        required=False, help_text="The person's name, looked for in the rows of the prospects they are a contact of."
    )

    def subject_args(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        return {
            "emails": _lines(data["emails"]),
            "phones": _lines(data["phones"]),
            "domains": _lines(data.get("domains", "")),
            "names": [data["names"]] if data["names"].strip() else [],
        }


class EraseForm(SubjectForm):
    domains = forms.CharField(
        required=False, help_text="Only for a person's own website: deletes its prospects and suppresses the domain."
    )
    reference = forms.CharField(max_length=100, required=False, help_text="Your reference; no personal data.")
    confirm = forms.BooleanField(label="I understand this cannot be undone", required=True)


class AccessForm(SubjectForm):
    format = forms.ChoiceField(choices=[("json", "JSON"), ("csv", "CSV")], initial="json")


class RetentionForm(forms.Form):
    purge = forms.BooleanField(required=False, help_text="Delete them now (unchecked: only count them, a dry run).")


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "reference", "rows_changed", "created_by", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "counts", "reference", "created_by", "created_at"]
    list_select_related = ["created_by"]
    change_list_template = "admin/privacy/privacyrequest/change_list.html"
    date_hierarchy = "created_at"

    @admin.display(description="Rows")
    def rows_changed(self, obj: PrivacyRequest) -> int:
        return sum((obj.counts or {}).get("rows", {}).values())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the register of requests answered is kept

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("erase/", view(self.erase_view), name="privacy_erase"),
            path("access/", view(self.access_view), name="privacy_access"),
            path("retention/", view(self.retention_view), name="privacy_retention"),
            *super().get_urls(),
        ]

    def _page(self, request, title: str, form: forms.Form, intro: str) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "intro": intro}
        return TemplateResponse(request, "admin/privacy/form.html", context)

    def erase_view(self, request):
        if not request.user.has_perm(ERASE):
            raise PermissionDenied
        initial = {"emails": "\n".join(request.GET.getlist("email"))}
        form = EraseForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                done = person_erase(**form.subject_args(), reference=form.cleaned_data["reference"], user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                rows = sum(done.counts["rows"].values())
                self.message_user(
                    request,
                    f"Erasure #{done.pk}: {rows} rows changed or deleted, {done.counts['suppressed']} values on the "
                    "suppression list.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:privacy_privacyrequest_change", args=[done.pk]))
        intro = (
            "Removes the person's e-mails and phones from every table (contacts, import lines, discovery records, "
            "messages, notes, interactions, activity) and puts them on the suppression list as salted hashes, so "
            "no import, scrape or discovery brings them back."
        )
        return self._page(request, "Erase a person (GDPR Art. 17)", form, intro)

    def access_view(self, request):
        if not request.user.has_perm(EXPORT):
            raise PermissionDenied
        form = AccessForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                subject = subject_normalize(**form.subject_args())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                export = person_access_export(subject=subject, user=request.user)
                stamp = f"{timezone.now():%Y%m%d-%H%M}"
                if form.cleaned_data["format"] == "csv":
                    response = StreamingHttpResponse(
                        csv_stream(export.csv_header, export.csv_rows), content_type="text/csv; charset=utf-8"
                    )
                    response["Content-Disposition"] = f'attachment; filename="access-{stamp}.csv"'
                    return response
                response = HttpResponse(
                    json.dumps(export.data, ensure_ascii=False, indent=2, default=str),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = f'attachment; filename="access-{stamp}.json"'
                return response
        intro = "Everything held on the person, with where each datum came from, as a file to send them."
        return self._page(request, "Export a person's data (GDPR Art. 15)", form, intro)

    def retention_view(self, request):
        if not request.user.has_perm(ERASE):
            raise PermissionDenied
        form = RetentionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = retention_start(dry_run=not form.cleaned_data["purge"], user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("Retention job #%(id)s started.") % {"id": job.pk}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:core_scanjob_change", args=[job.pk]))
        intro = (
            "Prospects created more than PRIVACY_RETENTION_MONTHS months ago, never contacted and not converted, "
            "are purged with their personal data. Run a dry run first: it only counts them."
        )
        return self._page(request, "Retention", form, intro)


@admin.action(description="Erase these people (GDPR Art. 17)…", permissions=["erase"])
def erase_contacts(modeladmin, request, queryset):
    """From the contacts list: open the erasure page with the selected e-mail addresses and phones filled in."""
    values = list(queryset.filter(contact_type__in=["email", "phone"]).values_list("contact_type", "value")[:20])
    form = EraseForm(
        initial={
            "emails": "\n".join(value for kind, value in values if kind == "email"),
            "phones": "\n".join(value for kind, value in values if kind == "phone"),
        }
    )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Erase a person (GDPR Art. 17)"),
        "form": form,
        "form_action": reverse("admin:privacy_erase"),
        "intro": "Check the values: every one of them is erased from every table and suppressed.",
    }
    return TemplateResponse(request, "admin/privacy/form.html", context)


def _has_erase_permission(self, request) -> bool:
    return request.user.has_perm(ERASE)


# The contacts list is the prospects app's page; privacy, the top layer, adds its action to it (the admin
# modules load in the order of INSTALLED_APPS, so prospects' admin is registered by now).
_contacts_admin = admin.site.get_model_admin(ProspectContact)
_contacts_admin.actions = [*(_contacts_admin.actions or []), erase_contacts]
type(_contacts_admin).has_erase_permission = _has_erase_permission
