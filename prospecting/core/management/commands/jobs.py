from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from prospecting.core.jobs import job_cancel, job_resume, jobs_mark_stalled
from prospecting.core.models import ScanJob


class Command(BaseCommand):
    help = "Background jobs of every kind: list them, resume one that stopped (here or on the workers), cancel one."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Recent jobs, newest first")
        listing.add_argument("--status", choices=ScanJob.Status.values)
        listing.add_argument("--limit", type=int, default=20)
        resume = actions.add_parser("resume", help="Continue a job where it stopped")
        resume.add_argument("job_id", type=int)
        resume.add_argument("--queue", action="store_true", help="Hand it to the workers instead of running it here")
        resume.add_argument("--no-progress", action="store_true")
        cancel = actions.add_parser("cancel", help="Stop a job at its next chunk")
        cancel.add_argument("job_id", type=int)

    def handle(self, *args, **options):
        jobs_mark_stalled()
        if options["action"] == "list":
            jobs = ScanJob.objects.all()
            if options["status"]:
                jobs = jobs.filter(status=options["status"])
            for job in jobs[: options["limit"]]:
                self.stdout.write(
                    f"{job.pk:>6}  {job.job_type:<14} {job.status:<12} {job.processed_items}/{job.total_items} "
                    f"processed, {job.failed_items} failed  {job.created_at:%Y-%m-%d %H:%M}  {job.error[:60]}"
                )
            return
        job = ScanJob.objects.filter(pk=options["job_id"]).first()
        if job is None:
            raise CommandError(f"No job {options['job_id']}.")
        if options["action"] == "cancel":
            if not job_cancel(job=job):
                raise CommandError(f"Job {job.pk} is {job.status}: it cannot be cancelled.")
            self.stdout.write(f"Job {job.pk} cancelled.")
            return
        disabled = options["no_progress"] or options["queue"]
        with tqdm(total=job.total_items, initial=job.processed_items, disable=disabled, file=self.stderr._out) as bar:
            if not job_resume(job=job, foreground=not options["queue"], on_progress=bar.update):
                raise CommandError(f"Job {job.pk} is {job.status}: there is nothing to resume.")
        job.refresh_from_db()
        if options["queue"]:
            self.stdout.write(f"Job {job.pk} handed to the workers.")
        else:
            self.stdout.write(
                f"Job {job.pk} {job.status}: {job.processed_items}/{job.total_items} processed, "
                f"{job.failed_items} failed."
            )
