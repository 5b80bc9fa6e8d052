from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from tqdm import tqdm

from prospecting.core.models import ScanJob
from prospecting.core.services import scan_job_create
from prospecting.enrichment.services.batch import enrichment_batch_create, enrichment_batch_run, enrichment_targets

STEP_NAMES = {
    "http-check": ScanJob.JobType.HTTP_CHECK,
    "tech-scan": ScanJob.JobType.TECH_SCAN,
    "performance": ScanJob.JobType.PERFORMANCE,
    "contacts": ScanJob.JobType.CONTACTS,
    "full": ScanJob.JobType.FULL,
}


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
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        job_type = STEP_NAMES[options["step"]]
        if options["resume"]:
            job = ScanJob.objects.filter(pk=options["resume"], job_type=job_type).first()
            if job is None:
                raise CommandError(f"No {options['step']} job {options['resume']}.")
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
            params = {"prospect_ids": sorted(set(options["ids"]))} if options["ids"] else {"filter": filter_dict}
            if options["force"]:
                params["force"] = True
            try:
                targets = enrichment_targets(job_type=job_type, params=params)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if options["queue"]:
                job = enrichment_batch_create(
                    job_type=job_type, prospect_ids=options["ids"], filters=params.get("filter"), force=options["force"]
                )
                self.stdout.write(f"Queued job {job.pk} ({job.total_items} prospects).")
                return
            job = scan_job_create(job_type=job_type, total_items=targets.count(), params=params)
        with tqdm(
            total=job.total_items, unit=" prospects", disable=options["no_progress"], file=self.stderr._out
        ) as bar:
            job = enrichment_batch_run(job_id=job.pk, workers=options["workers"], on_progress=bar.update)
        if job is None:
            raise CommandError("That job is already finished or cancelled.")
        self.stdout.write(
            f"Job {job.pk} {job.status}: {job.processed_items}/{job.total_items} processed, {job.failed_items} failed."
        )
