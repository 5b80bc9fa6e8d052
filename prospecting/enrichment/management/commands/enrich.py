from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from tqdm import tqdm

from prospecting.core.jobs import job_resume
from prospecting.core.models import ScanJob
from prospecting.enrichment.models import ScanMode
from prospecting.enrichment.services.batch import STEPS, enrichment_batch_start, enrichment_targets

STEP_NAMES = {step.slug: step.job_type for step in STEPS.values()}


class Command(BaseCommand):
    help = "Run an enrichment step over many prospects, in the foreground (default) or on the workers (--queue)."

    def add_arguments(self, parser):
        parser.add_argument("step", choices=sorted(STEP_NAMES))
        parser.add_argument("--ids", type=int, nargs="+", help="Prospect ids")
        parser.add_argument("--status", action="append", help="Only prospects with this status (repeatable)")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE", help="Any prospect filter")
        parser.add_argument("--workers", type=int, help="Concurrent fetches (default ENRICHMENT_WORKERS)")
        parser.add_argument("--queue", action="store_true", help="Hand the job to the workers and return")
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="Resume an interrupted job")
        parser.add_argument("--force", action="store_true", help="full: rerun steps whose last run is still fresh")
        parser.add_argument(
            "--scan-mode",
            choices=ScanMode.values,
            help="tech-scan and full: static (fetched HTML) or browser (Chromium renders each page; slower). "
            "Default: the TECH_SCAN_MODE setting",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        job_type = STEP_NAMES[options["step"]]
        if options["resume"]:
            job = ScanJob.objects.filter(pk=options["resume"], job_type=job_type).first()
            if job is None:
                raise CommandError(f"No {options['step']} job {options['resume']}.")
            with self._progress(job.total_items, options) as bar:
                if not job_resume(job=job, foreground=not options["queue"], on_progress=bar.update):
                    raise CommandError(f"Job {job.pk} is {job.get_status_display().lower()}: nothing to resume.")
        else:
            filters = QueryDict(mutable=True)
            for status in options["status"] or []:
                filters.appendlist("status", status)
            for item in options["filter"]:
                key, sep, value = item.partition("=")
                if not sep:
                    raise CommandError(f"--filter expects KEY=VALUE, got {item!r}")
                filters.appendlist(key, value)
            filter_dict = {key: filters.getlist(key) if key == "status" else filters[key] for key in filters}
            params = {"prospect_ids": options["ids"]} if options["ids"] else {"filter": filter_dict}
            try:
                total = enrichment_targets(job_type=job_type, params=params).count()
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            with self._progress(total, options) as bar:
                job = enrichment_batch_start(
                    job_type=job_type,
                    prospect_ids=options["ids"],
                    filters=filter_dict,
                    force=options["force"],
                    scan_mode=options["scan_mode"],
                    workers=options["workers"],
                    foreground=not options["queue"],
                    on_progress=bar.update,
                )
        job.refresh_from_db()
        if options["queue"]:
            self.stdout.write(f"Queued job {job.pk} ({job.total_items} prospects).")
            return
        self.stdout.write(
            f"Job {job.pk} {job.status}: {job.processed_items}/{job.total_items} processed, {job.failed_items} failed."
        )
        if job.params.get("scan_mode_note"):
            self.stdout.write(job.params["scan_mode_note"])

    def _progress(self, total, options):
        disabled = options["no_progress"] or options["queue"]
        return tqdm(total=total, unit=" prospects", disable=disabled, file=self.stderr._out)
