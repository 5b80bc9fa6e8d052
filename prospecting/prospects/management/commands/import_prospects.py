from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from prospecting.prospects import services
from prospecting.prospects.models import ImportBatch, ImportRow


class Command(BaseCommand):
    help = "Import prospects from a CSV or XLSX file (domains, or companies with contact details)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV or XLSX file")
        parser.add_argument("--mode", choices=[m.value for m in services.ImportMode], default="create")
        parser.add_argument("--source", default="", help="Source recorded on new prospects (default: import)")
        parser.add_argument("--channel", choices=["digital", "offline"], default="", help="Default channel")
        parser.add_argument("--country", default="", help="Default ISO country code (default: LU)")
        parser.add_argument("--name", default="", help="Batch name (default: the file name)")
        parser.add_argument(
            "--resume",
            type=int,
            metavar="BATCH_ID",
            help="Resume an interrupted batch (its job continues where it stopped)",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar")

    def handle(self, *args, **options):
        if options["resume"]:
            try:
                batch = ImportBatch.objects.get(pk=options["resume"])
            except ImportBatch.DoesNotExist as exc:
                raise CommandError(f"No import batch {options['resume']}.") from exc
        else:
            if not options["file"]:
                raise CommandError("Give a FILE to import, or --resume BATCH_ID.")
            path = Path(options["file"]).resolve()
            try:
                batch = services.import_batch_create(
                    path=path,
                    name=options["name"] or path.name,
                    mode=options["mode"],
                    source=options["source"],
                    channel=options["channel"],
                    country=options["country"],
                )
            except services.ImportFileError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
        with tqdm(unit=" rows", disable=options["no_progress"], file=self.stderr._out) as bar:
            try:
                if options["resume"]:
                    job = services.import_batch_resume(batch=batch, on_progress=bar.update)
                else:
                    job = services.import_batch_start(batch=batch, foreground=True, on_progress=bar.update)
            except services.ImportFileError as exc:
                raise CommandError(str(exc)) from exc
        batch.refresh_from_db()
        job.refresh_from_db()
        self.stdout.write(
            f"Job {job.pk} {job.status}. Batch {batch.pk}: {batch.total_rows} rows — {batch.created_count} created, "
            f"{batch.updated_count} updated, {batch.duplicate_count} duplicates, {batch.failed_count} failed, "
            f"{batch.suppressed_count} suppressed."
        )
        failed = batch.rows.filter(outcome=ImportRow.Outcome.FAILED).order_by("line_number")
        for row in failed[:20]:
            self.stdout.write(f"  line {row.line_number}: {row.error}")
        if batch.failed_count > 20:
            self.stdout.write(f"  ... and {batch.failed_count - 20} more (see the batch in the admin).")
