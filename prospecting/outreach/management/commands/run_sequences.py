from django.core.management.base import BaseCommand

from prospecting.outreach.services.sequences import outreach_tick


class Command(BaseCommand):
    help = (
        "Do what the outreach schedule does, now: take out who replied, converted, unsubscribed or bounced, "
        "send the sequence steps that are due and the messages whose wait (window, caps) is over."
    )

    def handle(self, *args, **options):
        result = outreach_tick(foreground=True)
        exits = ", ".join(f"{reason}: {count}" for reason, count in result["exits"].items() if count) or "none"
        self.stdout.write(f"Exits: {exits}. Sent or queued: {result['queued']} (job {result['job'] or '-'}).")
