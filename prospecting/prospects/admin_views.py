"""The admin's file import: upload, preview (a dry run on the first rows), confirm, then the batch page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from prospecting.prospects import services
from prospecting.prospects.forms import ImportConfirmForm, ImportUploadForm
from prospecting.prospects.models import ImportBatch, Prospect
from prospecting.prospects.tabular import COLUMN_ALIASES

PREVIEW_ROWS = 1000
PREVIEW_LINES_SHOWN = 200


def import_next_steps(batch: ImportBatch) -> str:
    """Links from a finished import to its new prospects and to enriching them."""
    if not batch.created_count or batch.status != ImportBatch.Status.COMPLETED:
        return "—"
    prospects_url = reverse("admin:prospects_prospect_changelist") + f"?import_batch={batch.pk}"
    enrich_url = reverse("admin:prospects_prospect_enrich_import", args=[batch.pk])
    return format_html(
        '<a class="button" href="{}">See the {} new prospects</a> <a class="button" href="{}">Enrich them</a>',
        prospects_url,
        batch.created_count,
        enrich_url,
    )


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**model_admin.admin_site.each_context(request), "opts": Prospect._meta, **extra}


def prospect_import_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Upload → preview (a dry run of the real import on the first rows) → confirm → batch page."""
    if request.method == "POST" and "batch_id" in request.POST:
        return _import_confirm(model_admin, request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.import_upload(
                uploaded=data["file"],
                mode=data["mode"],
                source=data["source"],
                channel=data["channel"],
                country=data["country"],
                user=request.user,
            )
        except services.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            summary = services.import_batch_run(
                batch=batch, dry_run=True, preview_rows=PREVIEW_ROWS, keep_outcomes=PREVIEW_LINES_SHOWN
            )
            context = _context(
                model_admin,
                request,
                title="Import prospects: preview",
                batch=batch,
                summary=summary,
                preview_limit=PREVIEW_ROWS,
                confirm_form=ImportConfirmForm(initial={"batch_id": batch.pk}),
                columns=batch.settings.get("columns", {}),
            )
            return TemplateResponse(request, "admin/prospects/prospect/import_preview.html", context)
    context = _context(
        model_admin,
        request,
        title="Import prospects",
        form=form,
        aliases=sorted((name, sorted(aliases)) for name, aliases in COLUMN_ALIASES.items()),
    )
    return TemplateResponse(request, "admin/prospects/prospect/import_upload.html", context)


def _import_confirm(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return HttpResponseRedirect(reverse("admin:prospects_prospect_import"))
    batch = get_object_or_404(ImportBatch, pk=form.cleaned_data["batch_id"], status=ImportBatch.Status.PENDING)
    batch_url = reverse("admin:prospects_importbatch_change", args=[batch.pk])
    if "cancel" in request.POST:
        services.import_preview_discard(batch=batch)
        messages.info(request, "Import cancelled; nothing was imported.")
        return HttpResponseRedirect(reverse("admin:prospects_prospect_changelist"))
    job = services.import_batch_start(batch=batch, user=request.user)
    batch.refresh_from_db()
    if job.status == job.Status.PENDING:
        messages.success(request, f"The import runs in the background as job #{job.pk}; this page shows its progress.")
        return HttpResponseRedirect(batch_url)
    messages.success(
        request,
        format_html(
            "Imported {} rows: {} created, {} updated, {} duplicates, {} failed, {} suppressed. {}",
            batch.total_rows,
            batch.created_count,
            batch.updated_count,
            batch.duplicate_count,
            batch.failed_count,
            batch.suppressed_count,
            import_next_steps(batch) if batch.created_count else "",
        ),
    )
    return HttpResponseRedirect(batch_url)
