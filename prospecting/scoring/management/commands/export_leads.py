import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from tqdm import tqdm

from prospecting.core.csv_safety import csv_stream
from prospecting.prospects.models import Prospect
from prospecting.scoring.filters import LeadFilter
from prospecting.scoring.selectors import LEAD_EXPORT_HEADER, leads_export_rows

_OPTIONS = ["min_score", "max_score", "lead_tier", "channel", "status", "has_email", "has_phone", "city", "cms"]


class Command(BaseCommand):
    help = "Export leads as CSV, with the same filters as the leads list and the API export."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="-", help="Output file (default: standard output)")
        for name in _OPTIONS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, action="append")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE", help="Any other leads filter")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        data = QueryDict(mutable=True)
        for name in _OPTIONS:
            if options[name]:
                data.setlist(name, options[name])
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter expects KEY=VALUE, got {item!r}")
            data.appendlist(key, value)
        filterset = LeadFilter(data, queryset=Prospect.objects.all())
        if not filterset.is_valid():
            raise CommandError(f"Invalid filters: {dict(filterset.errors)}")
        to_stdout = options["output"] == "-"
        handle = sys.stdout if to_stdout else open(options["output"], "w", encoding="utf-8", newline="")  # noqa: SIM115
        count = 0
        try:
            rows = leads_export_rows(queryset=filterset.qs)
            with tqdm(unit=" rows", disable=options["no_progress"] or to_stdout, file=sys.stderr) as bar:
                for line in csv_stream(LEAD_EXPORT_HEADER, rows):
                    handle.write(line)
                    count += 1
                    bar.update(1)
        finally:
            if not to_stdout:
                handle.close()
        if not to_stdout:
            self.stderr.write(f"Exported {count - 1} leads to {options['output']}.")
