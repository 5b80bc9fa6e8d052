"""Admin pages of the workspace: the phone-friendly quick capture of a lead met in person."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from prospecting.interactions.forms import InteractionLogForm
from prospecting.prospects.models import Prospect
from prospecting.workspace.forms import CaptureForm
from prospecting.workspace.services import CaptureData, prospect_capture


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**model_admin.admin_site.each_context(request), "opts": Prospect._meta, **extra}


def prospect_capture_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Quick capture of a lead met in person, sized for a phone."""
    form = CaptureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prospect = prospect_capture(data=CaptureData(**form.cleaned_data), user=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = "website" if field == "domain_name" else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            log_form = InteractionLogForm() if request.user.has_perm("interactions.add_interaction") else None
            context = _context(model_admin, request, title=_("Lead captured"), prospect=prospect, log_form=log_form)
            return TemplateResponse(request, "admin/prospects/prospect/capture_done.html", context)
    context = _context(model_admin, request, title=_("Quick capture"), form=form)
    return TemplateResponse(request, "admin/prospects/prospect/capture.html", context)
