"""Reading spreadsheets of leads (CSV in any common encoding/delimiter, or XLSX) as numbered rows.

Files are streamed from disk: memory does not grow with the number of rows.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from prospecting.core.domains import InvalidDomainError, normalize_domain

_SNIFF_BYTES = 64 * 1024
_DELIMITERS = [",", ";", "\t", "|"]
_XLSX_MAGIC = b"PK\x03\x04"

# Canonical field -> accepted header spellings, compared after lowercasing and dropping non-alphanumerics.
COLUMN_ALIASES: dict[str, set[str]] = {
    "domain_name": {
        "domain",
        "domainname",
        "website",
        "url",
        "site",
        "siteweb",
        "web",
        "homepage",
        "www",
        "websiteurl",
    },
    "business_name": {
        "businessname",
        "business",
        "company",
        "companyname",
        "name",
        "organisation",
        "organization",
        "entreprise",
        "societe",
        "raisonsociale",
        "firma",
        "firmenname",
        "enseigne",
    },
    "email": {"email", "emailaddress", "mail", "courriel", "adressemail", "emailadresse"},
    "phone": {"phone", "phonenumber", "telephone", "tel", "mobile", "gsm", "telefon"},
    "address": {"address", "adresse", "street", "rue", "strasse", "streetaddress"},
    "city": {"city", "ville", "town", "localite", "locality", "ort", "stadt", "commune"},
    "postal_code": {"postalcode", "postcode", "zip", "zipcode", "codepostal", "cp", "plz"},
    "country": {"country", "countrycode", "pays", "land"},
    "channel": {"channel", "canal"},
    "source": {"source", "leadsource"},
    "notes": {"notes", "note", "comment", "comments", "remarks", "remarques"},
    "contact_name": {"contactname", "contact", "contactperson", "person", "fullname"},
    "tags": {"tags", "tag", "labels"},
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}


class TabularFileError(ValueError):
    """The file as a whole cannot be read (empty, not a spreadsheet, ...)."""


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").strip().lower())


def match_column(header: str) -> str | None:
    """Canonical field name for a header cell, or None when it is not one we know."""
    return _ALIAS_TO_FIELD.get(_header_key(header))


MAX_CELL_CHARS = 64 * 1024  # a longer cell fails its line (a notes column is far shorter; a stray quote is not)
ROW_ERROR = "__row_error__"  # key of a row that could not be read, with the reason; the import fails that line
_HEADERLESS_SAMPLE_ROWS = 20

csv.field_size_limit(2**31 - 1)  # oversized cells are reported per line (MAX_CELL_CHARS), never crash a file


@dataclass
class TabularFile:
    """A readable table: its header (as in the file) and a way to iterate its data rows."""

    path: Path
    kind: str  # "csv" or "xlsx"
    headers: list[str]
    has_header_row: bool
    encoding: str = "utf-8"  # of the file's start (lines are decoded one by one: see _DecodedLines)
    delimiter: str = ","
    mapping: dict[str, str] = field(default_factory=dict)  # header -> canonical field

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line_number, {header: cell}) for each non-empty data row; line 1 is the file's first line.

        A row that cannot be read (undecodable bytes, an oversized cell, broken quoting) is yielded as
        `{ROW_ERROR: reason}`, so that its line fails alone and the others import.
        """
        raw_rows = self._iter_csv() if self.kind == "csv" else self._iter_xlsx()
        for index, (line_number, cells, error) in enumerate(raw_rows):
            if index == 0 and self.has_header_row:
                continue
            if error:
                yield line_number, {ROW_ERROR: error}
                continue
            values = [str(cell if cell is not None else "").strip() for cell in cells]
            if not any(values):
                continue
            oversized = [position for position, value in enumerate(values) if len(value) > MAX_CELL_CHARS]
            if oversized:
                name = self._column_name(oversized[0])
                size = len(values[oversized[0]]) // 1024
                yield line_number, {ROW_ERROR: f"The cell in column {name!r} is {size} KB; at most 64 KB is read."}
                continue
            yield line_number, {self._column_name(position): value for position, value in enumerate(values)}

    def _column_name(self, position: int) -> str:
        return self.headers[position] if position < len(self.headers) else f"column_{position + 1}"

    def _iter_csv(self) -> Iterator[tuple[int, list[str], str]]:
        """(first line of the record, cells, error) for each CSV record, decoded line by line."""
        with self.path.open("rb") as handle:
            lines = _DecodedLines(handle)
            reader = csv.reader(lines, delimiter=self.delimiter)
            line_number = 1
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield line_number, [], f"The line cannot be read as CSV ({exc})."
                    line_number = reader.line_num + 1
                    continue
                bad = lines.undecodable_between(line_number, reader.line_num)
                error = (
                    f"Line {bad} contains bytes that are neither UTF-8 nor Windows-1252 text; "
                    "save the file as UTF-8 and import it again."
                    if bad
                    else ""
                )
                yield line_number, cells, error
                line_number = reader.line_num + 1

    def _iter_xlsx(self) -> Iterator[tuple[int, list[str], str]]:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Read-only sheets trust the file's <dimension> tag, which other tools often leave stale: without
            # this, rows past it would be dropped in silence.
            sheet.reset_dimensions()
            for line_number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line_number, ["" if cell is None else str(cell) for cell in cells], ""
        finally:
            workbook.close()


class _DecodedLines:
    """Text lines of a byte stream. Each line is decoded on its own: as UTF-8 (which almost never decodes other
    text by accident), else as Windows-1252; a line neither can decode is decoded with replacement characters
    and remembered, so the row it belongs to fails with its line number instead of the whole import."""

    def __init__(self, handle: object) -> None:
        self.handle = handle
        self.encodings = ["utf-8", "cp1252"]
        self.line_number = 0
        self.undecodable: set[int] = set()

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline()  # type: ignore[attr-defined]
        if not raw:
            raise StopIteration
        self.line_number += 1
        if self.line_number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        for encoding in self.encodings:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        self.undecodable.add(self.line_number)
        return raw.decode("utf-8", errors="replace")

    def undecodable_between(self, first: int, last: int) -> int | None:
        """The first undecodable physical line of a record spanning lines first..last, if any."""
        if not self.undecodable:
            return None
        return next((line for line in range(first, last + 1) if line in self.undecodable), None)


def _detect_encoding(path: Path) -> str:
    """UTF-8 when the file's first megabyte decodes as UTF-8, else Windows-1252 (each line is still decoded on
    its own: see `_DecodedLines`)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _looks_like_domain(value: str) -> bool:
    try:
        normalize_domain(value)
    except InvalidDomainError:
        return False
    return True


def _resolve_header(first_row: list[str], next_rows: list[list[str]]) -> tuple[list[str], bool, dict[str, str]]:
    cells = [str(c).strip() if c is not None else "" for c in first_row]
    mapping = {cell: match_column(cell) for cell in cells if match_column(cell)}
    if mapping:
        return cells, True, mapping
    firsts = [str(row[0]).strip() for row in next_rows if row and str(row[0]).strip()]
    looks_like_list = cells and _looks_like_domain(cells[0])
    if not looks_like_list and firsts:  # a junk first line above a list of domains: it is a data line too
        looks_like_list = sum(_looks_like_domain(value) for value in firsts) * 2 > len(firsts)
    if looks_like_list:
        # No header: a plain list of domains (extra columns kept as column_2, ...).
        width = max(len(cells), *(len(row) for row in next_rows)) if next_rows else len(cells)
        headers = ["domain"] + [f"column_{i + 1}" for i in range(1, width)]
        return headers, False, {"domain": "domain_name"}
    return cells, True, {}


def tabular_file_open(path: str | Path) -> TabularFile:
    """Inspect a CSV or XLSX file: format, encoding, delimiter, header row and column mapping."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise TabularFileError("The file is empty.")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(_XLSX_MAGIC):
        table = TabularFile(path=path, kind="xlsx", headers=[], has_header_row=True)
        try:
            sample = list(islice(table._iter_xlsx(), _HEADERLESS_SAMPLE_ROWS + 1))
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise TabularFileError(f"The spreadsheet cannot be read ({exc}).") from exc
    else:
        if b"\x00" in head:
            raise TabularFileError("The file is not a CSV or XLSX spreadsheet (it contains binary data).")
        encoding = _detect_encoding(path)
        sample = head.decode(encoding, errors="replace")
        table = TabularFile(
            path=path,
            kind="csv",
            headers=[],
            has_header_row=True,
            encoding=encoding,
            delimiter=_sniff_delimiter(sample),
        )
        sample = list(islice(table._iter_csv(), _HEADERLESS_SAMPLE_ROWS + 1))
    first = sample[0] if sample else None
    if not first or first[2] or not any(str(c).strip() for c in first[1]):
        raise TabularFileError("The file is empty." if not first or not first[2] else f"Line 1: {first[2]}")
    rest = [cells for _, cells, error in sample[1:] if not error]
    table.headers, table.has_header_row, table.mapping = _resolve_header(first[1], rest)
    if not table.mapping:
        known = ", ".join(sorted(COLUMN_ALIASES))
        raise TabularFileError(
            f"No known column in the header ({', '.join(table.headers)}). Name at least a domain or business "
            f"name column; recognised columns: {known}."
        )
    return table
