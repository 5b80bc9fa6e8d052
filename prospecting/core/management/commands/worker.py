import sys

from django.core.management.base import BaseCommand

from prospecting.core.supervise import Child, supervise


class Command(BaseCommand):
    help = (
        "Run a background worker (django-q2's qcluster) that stops within --stop-timeout seconds on Ctrl-C or "
        "SIGTERM, even when the signal is sent to its whole process group (systemd, docker stop)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stop-timeout", type=float, default=20.0, help="Seconds before running tasks are killed")

    def handle(self, *args, **options):
        # qcluster stops cleanly on SIGINT to its main process (its sentinel ignores SIGINT and winds the workers
        # down); a job killed at the deadline is resumed by the jobs watchdog.
        cluster = Child("worker", [sys.executable, "manage.py", "qcluster"], stop_signal=2)
        code = supervise([cluster], stop_timeout=options["stop_timeout"])
        if code:
            sys.exit(code)
