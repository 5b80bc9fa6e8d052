"""Reading spreadsheets of leads (CSV in any common encoding/delimiter, or XLSX) as numbered rows.

Files are streamed from disk: memory does not grow with the number of rows.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
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


@dataclass
class TabularFile:
    """A readable table: its header (as in the file) and a way to iterate its data rows."""

    path: Path
    kind: str  # "csv" or "xlsx"
    headers: list[str]
    has_header_row: bool
    encoding: str = "utf-8"
    delimiter: str = ","
    mapping: dict[str, str] = field(default_factory=dict)  # header -> canonical field

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line_number, {header: cell}) for each non-empty data row; line 1 is the file's first line."""
        raw_rows = self._iter_csv() if self.kind == "csv" else self._iter_xlsx()
        for index, (line_number, cells) in enumerate(raw_rows):
            if index == 0 and self.has_header_row:
                continue
            values = [(cell if cell is not None else "") for cell in cells]
            values = [str(v).strip() for v in values]
            if not any(values):
                continue
            row = {}
            for position, value in enumerate(values):
                name = self.headers[position] if position < len(self.headers) else f"column_{position + 1}"
                row[name] = value
            yield line_number, row

    def _iter_csv(self) -> Iterator[tuple[int, list[str]]]:
        with self.path.open("r", encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            line_number = 1
            for cells in reader:
                yield line_number, cells
                line_number = reader.line_num + 1

    def _iter_xlsx(self) -> Iterator[tuple[int, list[str]]]:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for line_number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line_number, ["" if cell is None else str(cell) for cell in cells]
        finally:
            workbook.close()


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1252 (a superset of
    Latin-1 for printable text). Streams the file once; memory stays constant."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        head = handle.read(3)
        handle.seek(0)
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"


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


def _resolve_header(first_row: list[str]) -> tuple[list[str], bool, dict[str, str]]:
    cells = [str(c).strip() if c is not None else "" for c in first_row]
    mapping = {cell: match_column(cell) for cell in cells if match_column(cell)}
    if mapping:
        return cells, True, mapping
    if cells and _looks_like_domain(cells[0]):
        # No header: a plain list of domains (extra columns kept as column_2, ...).
        headers = ["domain"] + [f"column_{i + 1}" for i in range(1, len(cells))]
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
            first = next(table._iter_xlsx(), None)
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
        first = next(table._iter_csv(), None)
    if not first or not any(str(c).strip() for c in first[1]):
        raise TabularFileError("The file is empty.")
    table.headers, table.has_header_row, table.mapping = _resolve_header(first[1])
    if not table.mapping:
        known = ", ".join(sorted(COLUMN_ALIASES))
        raise TabularFileError(
            f"No known column in the header ({', '.join(table.headers)}). Name at least a domain or business "
            f"name column; recognised columns: {known}."
        )
    return table
