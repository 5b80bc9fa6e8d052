import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from prospecting.core.supervise import Child, supervise


class Command(BaseCommand):
    help = "Run the product: the web server (gunicorn, threaded) and a background worker; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
        parser.add_argument("--no-worker", action="store_true", help="Web server only")

    def handle(self, *args, **options):
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["web_workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            "120",
            "--graceful-timeout",
            "3",
            "--log-level",
            "warning",
        ]
        if settings.DEBUG:
            gunicorn.append("--reload")  # code changes restart the web workers, as runserver would
        os.environ.setdefault("Q_LOG_LEVEL", "WARNING")  # the worker's start and stop chatter stays out of sight
        children = [Child("web server", gunicorn, stop_signal=15)]
        if not options["no_worker"]:
            children.append(Child("worker", [sys.executable, "manage.py", "worker", "--stop-timeout", "3"]))
        code = supervise(children, stop_timeout=5.0)
        if code:
            sys.exit(code)
