"""Send today's follow-up digest now (the daily schedule does it at FOLLOW_UP_DIGEST_TIME)."""

from django.core.management.base import BaseCommand

from prospecting.interactions.digest import followup_digest_start


class Command(BaseCommand):
    help = "E-mail each owner their overdue follow-ups and those due today (once per day)."

    def handle(self, *args: object, **options: object) -> None:
        job = followup_digest_start(foreground=True)
        self.stdout.write(f"Digest job #{job.pk}: {job.processed_items} of {job.total_items} e-mails sent.")
