"""manage.py privacy_retention [--purge] [--months N]: report (dry run) or purge the prospects past retention."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prospecting.privacy.services import retention_start


class Command(BaseCommand):
    help = (
        "Never-contacted, unconverted prospects older than PRIVACY_RETENTION_MONTHS: count them (default) or, "
        "with --purge, delete them with their personal data. Runs here, as a job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purge", action="store_true", help="Delete them (default: only count, a dry run).")
        parser.add_argument("--months", type=int, help="Override PRIVACY_RETENTION_MONTHS for this run.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            job = retention_start(dry_run=not options["purge"], months=options["months"], foreground=True)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        outcomes = job.params.get("outcomes") or {}
        if options["purge"]:
            self.stdout.write(f"Job {job.pk} {job.status}: {outcomes.get('purged', 0)} prospects purged.")
        else:
            self.stdout.write(
                f"Job {job.pk} {job.status} (dry run): {outcomes.get('would_purge', 0)} prospects would be purged. "
                "Run with --purge to delete them."
            )
