"""manage.py privacy_erase --email marie@weber.lu [--phone ...] [--domain ...] [--name ...] [--reference ...]"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prospecting.privacy.services import person_erase


class Command(BaseCommand):
    help = "Erase a person from every table and put their e-mails, phones (and domains) on the suppression list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", action="append", default=[], help="An e-mail address (repeatable).")
        parser.add_argument("--phone", action="append", default=[], help="A phone number, any spelling (repeatable).")
        parser.add_argument("--domain", action="append", default=[], help="A domain to erase and suppress.")
        parser.add_argument("--name", action="append", default=[], help="The person's name (cleaned where linked).")
        parser.add_argument("--region", default="LU", help="Default country of phone numbers (default LU).")
        parser.add_argument("--reference", default="", help="Your reference for the request; no personal data.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            request = person_erase(
                emails=options["email"],
                phones=options["phone"],
                domains=options["domain"],
                names=options["name"],
                region=options["region"],
                reference=options["reference"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Erasure #{request.pk} done; {request.counts['suppressed']} values suppressed.")
        for label, count in request.counts["rows"].items():
            self.stdout.write(f"  {label}: {count}")
