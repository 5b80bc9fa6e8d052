"""manage.py privacy_export --email marie@weber.lu [--phone ...] [--format json|csv] [--output FILE]"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prospecting.core.csv_safety import csv_stream
from prospecting.privacy.services import person_access_export, subject_normalize


class Command(BaseCommand):
    help = "Export everything held on a person (GDPR Art. 15) as JSON or CSV, with where each datum came from."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", action="append", default=[], help="An e-mail address (repeatable).")
        parser.add_argument("--phone", action="append", default=[], help="A phone number, any spelling (repeatable).")
        parser.add_argument("--domain", action="append", default=[], help="A domain of the person's own.")
        parser.add_argument("--name", action="append", default=[], help="The person's name.")
        parser.add_argument("--region", default="LU", help="Default country of phone numbers (default LU).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            subject = subject_normalize(
                emails=options["email"],
                phones=options["phone"],
                domains=options["domain"],
                names=options["name"],
                region=options["region"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        export = person_access_export(subject=subject)
        if options["format"] == "csv":
            chunks = csv_stream(export.csv_header, export.csv_rows)
        else:
            chunks = iter([json.dumps(export.data, ensure_ascii=False, indent=2, default=str), "\n"])
        handle = open(options["output"], "w", encoding="utf-8", newline="") if options["output"] else sys.stdout  # noqa: SIM115
        try:
            for chunk in chunks:
                handle.write(chunk)
        finally:
            if options["output"]:
                handle.close()
                self.stderr.write(f"Access export #{export.request.pk} written to {options['output']}.")
