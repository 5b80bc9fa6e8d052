from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from prospecting.discovery import services
from prospecting.discovery.models import DiscoverySource
from prospecting.discovery.selectors import discovery_job_counts
from prospecting.discovery.sources.base import Search, SourceStopped


class Command(BaseCommand):
    help = (
        "Search a discovery source for businesses and turn them into prospects: discover osm boulangerie --city Wiltz"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The source's slug (see the admin: Lead discovery → Sources)")
        parser.add_argument("query", help="A trade (boulangerie, Bäckerei, bakery, ...) or OSM tags (shop=bakery)")
        parser.add_argument("--city", default="")
        parser.add_argument("--country", default="LU")
        parser.add_argument("--postal-code", action="append", default=[], dest="postal_codes")
        parser.add_argument("--max", type=int, default=100, dest="max_results")
        parser.add_argument("--no-import", action="store_true", help="Keep the raw records only")
        parser.add_argument("--queue", action="store_true", help="Hand the job to the workers and return")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        source = DiscoverySource.objects.filter(slug=options["source"]).first()
        if source is None:
            known = ", ".join(DiscoverySource.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No source {options['source']!r} (known: {known}).")
        search = Search(
            query=options["query"],
            city=options["city"],
            country=options["country"].upper(),
            postal_codes=tuple(options["postal_codes"]),
            max_results=options["max_results"],
        )
        disabled = options["no_progress"] or options["queue"]
        with tqdm(unit=" listings", disable=disabled, file=self.stderr._out) as bar:
            try:
                job = services.discovery_start(
                    source=source,
                    search=search,
                    auto_import=not options["no_import"],
                    foreground=not options["queue"],
                    on_progress=bar.update,
                )
            except (ValueError, SourceStopped) as exc:
                raise CommandError(str(exc)) from exc
        job.refresh_from_db()
        if options["queue"]:
            self.stdout.write(f"Queued job {job.pk}.")
            return
        counts = discovery_job_counts(job)
        self.stdout.write(
            f"Job {job.pk} {job.status}: {counts['found']} listings found, {counts['stored']} new records; "
            f"{counts['imported']} new prospects, {counts['merged']} merged into existing ones, "
            f"{counts['skipped']} skipped."
        )
        if job.error:
            self.stdout.write(job.error)
