"""Admin saves and deletes that go through the apps' services.

Django's admin writes rows itself (`save_model`, `save_formset`, `delete_model`). A ModelAdmin or inline that
mixes in `ServiceWritesAdmin` / `ServiceWritesInline` says instead which service creates, changes and deletes
its rows, so an edit made in the admin is validated, logged in the activity log and rescored exactly like the
same edit made through the API, quick capture or an import.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.forms import BaseModelForm
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest


class ServiceWrites:
    """The three writes a ModelAdmin or an inline hands to services (override all three)."""

    def service_create(self, request: HttpRequest, parent: models.Model | None, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_update(self, request: HttpRequest, obj: models.Model, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: models.Model) -> None:
        raise NotImplementedError


def _form_data(form: BaseModelForm, names: list[str], skip: set[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data and name not in skip}


class ServiceWritesInline(ServiceWrites):
    """Mixed into an InlineModelAdmin: its rows are written by services when the parent page is saved."""


class ServiceWritesAdmin(ServiceWrites):
    """Mixed into a ModelAdmin (before it): the page's own row and its `ServiceWritesInline` rows go through
    services; other inlines are saved as Django would."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: BaseModelForm, change: bool) -> None:
        if change:
            fresh = type(obj)._default_manager.get(pk=obj.pk)
            self.service_update(request, fresh, _form_data(form, form.changed_data, set()))
        else:
            saved = self.service_create(request, None, _form_data(form, list(form.fields), set()))
            obj.__dict__.update(vars(saved))  # the admin carries on with the saved row (inlines, redirect)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset.iterator(chunk_size=500):
            self.service_delete(request, obj)

    def save_formset(self, request: HttpRequest, form: BaseModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        inline = next(
            (
                inline
                for inline in self.get_inline_instances(request, form.instance)  # type: ignore[attr-defined]
                if inline.model is formset.model and isinstance(inline, ServiceWritesInline)
            ),
            None,
        )
        if inline is None:
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            return
        skip = {formset.fk.name, "id", "DELETE"}
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.initial_forms:
            original = type(row.instance)._default_manager.get(pk=row.instance.pk)
            if formset.can_delete and formset._should_delete_form(row):
                inline.service_delete(request, original)
                formset.deleted_objects.append(original)
            elif row.has_changed():
                saved = inline.service_update(request, original, _form_data(row, row.changed_data, skip))
                formset.changed_objects.append((saved, row.changed_data))
        for row in formset.extra_forms:
            if row.has_changed() and not (formset.can_delete and formset._should_delete_form(row)):
                saved = inline.service_create(request, form.instance, _form_data(row, list(row.fields), skip))
                formset.new_objects.append(saved)
