import sys

from django.core.management.base import BaseCommand, CommandError

from prospecting.outreach.services.tracking import BounceKind, bounce_record


class Command(BaseCommand):
    help = (
        "Record bounces or spam complaints by Message-ID (hard bounce and complaint: do-not-contact at once; "
        "three soft bounces in a row: do-not-contact). Give ids, or '-' to read one per line from stdin."
    )

    def add_arguments(self, parser):
        parser.add_argument("message_ids", nargs="+", help="Message-IDs, with or without <>; '-' reads stdin")
        parser.add_argument("--kind", choices=BounceKind.ALL, default=BounceKind.HARD)
        parser.add_argument("--detail", default="", help="The server's answer, kept with the send")

    def handle(self, *args, **options):
        ids = options["message_ids"]
        if ids == ["-"]:
            ids = [line.strip() for line in sys.stdin if line.strip()]
        found = unknown = 0
        for message_id in ids:
            if bounce_record(message_id=message_id, kind=options["kind"], detail=options["detail"]):
                found += 1
            else:
                unknown += 1
                self.stderr.write(f"No message with Message-ID {message_id}")
        self.stdout.write(f"Recorded {found} {options['kind']} report(s); {unknown} unknown Message-ID(s).")
        if unknown and not found:
            raise CommandError("No Message-ID matched a sent message.")
