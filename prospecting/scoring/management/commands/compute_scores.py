from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from prospecting.prospects.models import Prospect
from prospecting.scoring.rules import active_rule_set
from prospecting.scoring.services import scores_compute_batch, stale_scores_queryset


class Command(BaseCommand):
    help = "Compute opportunity scores: all prospects, only stale ones, or the given ids."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every prospect")
        which.add_argument("--stale", action="store_true", help="Missing, outdated-rules or older-than-enrichment")
        which.add_argument("--ids", type=int, nargs="+", help="These prospect ids")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["ids"]:
            queryset = Prospect.objects.filter(pk__in=options["ids"])
            missing = set(options["ids"]) - set(queryset.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No prospect with id {', '.join(map(str, sorted(missing)))}.")
        elif options["stale"]:
            queryset = stale_scores_queryset()
        else:
            queryset = Prospect.objects.all()
        total = queryset.count()
        with tqdm(total=total, unit=" prospects", disable=options["no_progress"], file=self.stderr._out) as bar:
            count = scores_compute_batch(queryset=queryset, on_progress=bar.update)
        self.stdout.write(f"Computed {count} scores (rules {active_rule_set().version}).")
