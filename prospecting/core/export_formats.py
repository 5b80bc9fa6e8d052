"""django-import-export formats that neutralize formula cells on export (its own option only handles '=')."""

from __future__ import annotations

from typing import Any

from import_export.formats import base_formats

from prospecting.core.csv_safety import csv_safe_cell


def _escaped(dataset: Any) -> Any:
    import tablib

    safe = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        safe.append([csv_safe_cell(cell) for cell in row])
    return safe


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset: Any, **kwargs: Any) -> Any:
        return super().export_data(_escaped(dataset), **kwargs)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset: Any, **kwargs: Any) -> Any:
        return super().export_data(_escaped(dataset), **kwargs)
