"""CSV output that spreadsheets cannot turn into formulas (OWASP "CSV injection"), streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would evaluate (=, +, -, @, tab, CR) with a single quote.

    Numbers stay numbers: only strings are neutralized, as OWASP recommends.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _LineBuffer:
    """A file-like object whose write() hands back the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: Iterable[str], rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> Iterator[str]:
    """Yield CSV text line by line (with a UTF-8 BOM so Excel reads accents), every cell made safe."""
    writer = csv.writer(_LineBuffer(), delimiter=delimiter)
    yield "\ufeff" + writer.writerow([csv_safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow(["" if cell is None else csv_safe_cell(cell) for cell in row])
