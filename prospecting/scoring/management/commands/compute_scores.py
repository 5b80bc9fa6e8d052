from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from prospecting.prospects.models import Prospect
from prospecting.scoring.rules import active_rule_set
from prospecting.scoring.services import scores_batch_start


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
            found = Prospect.objects.filter(pk__in=options["ids"]).values_list("pk", flat=True)
            missing = set(options["ids"]) - set(found)
            if missing:
                raise CommandError(f"No prospect with id {', '.join(map(str, sorted(missing)))}.")
            params = {"prospect_ids": sorted(set(options["ids"]))}
        else:
            params = {"stale": True} if options["stale"] else {"all": True}
        with tqdm(unit=" prospects", disable=options["no_progress"], file=self.stderr._out) as bar:
            job = scores_batch_start(params=params, foreground=True, on_progress=bar.update)
        self.stdout.write(
            f"Computed {job.processed_items} scores (rules {active_rule_set().version}); job {job.pk} {job.status}."
        )
