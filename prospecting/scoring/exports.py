"""Lead files: CSV for programs (codes, the API and the command) and CSV or Excel for people (the admin)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from prospecting.core.csv_safety import csv_stream
from prospecting.prospects.models import Prospect
from prospecting.scoring.selectors import LEAD_EXPORT_HEADER, LEAD_EXPORT_HEADER_FOR_PEOPLE, leads_export_rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows, one of them the header


def _filename(prefix: str, extension: str) -> str:
    return f"{prefix}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def leads_csv_response(
    *, queryset: QuerySet[Prospect], filename_prefix: str = "leads", for_people: bool = False, delimiter: str = ","
) -> StreamingHttpResponse:
    """A streamed CSV download (any number of rows, constant memory). `for_people`: titles and labels;
    `delimiter=";"` for Excel in French and German locales, where the comma is the decimal separator."""
    header = LEAD_EXPORT_HEADER_FOR_PEOPLE if for_people else LEAD_EXPORT_HEADER
    rows = leads_export_rows(queryset=queryset, for_people=for_people)
    if for_people:
        rows = ([f"{cell:%Y-%m-%d %H:%M}" if hasattr(cell, "strftime") else cell for cell in row] for row in rows)
    response = StreamingHttpResponse(
        csv_stream(header, rows, delimiter=delimiter), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename_prefix, "csv")}"'
    return response


def leads_xlsx_response(*, queryset: QuerySet[Prospect], filename_prefix: str = "leads") -> FileResponse:
    """An Excel workbook of the leads for people: typed cells (numbers, dates, phone numbers as text without
    a leading apostrophe), a frozen header row and a filter, never a formula."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.freeze_panes = "A2"
    widths = [32, 28, 12, 10, 7, 14, 30, 18, 18, 14, 60, 17, 18]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.auto_filter.ref = f"A1:{chr(ord('A') + len(widths) - 1)}1"
    sheet.append(LEAD_EXPORT_HEADER_FOR_PEOPLE)
    for count, row in enumerate(leads_export_rows(queryset=queryset, for_people=True)):
        if count == EXCEL_MAX_ROWS:
            break
        sheet.append(_xlsx_cells(sheet, row))
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=_filename(filename_prefix, "xlsx"), content_type=XLSX_CONTENT_TYPE
    )


def _xlsx_cells(sheet: Any, row: Iterable[Any]) -> list[Any]:
    """Text that starts with "=" is written as text: openpyxl would store it as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells
