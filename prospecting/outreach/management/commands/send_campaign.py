from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from prospecting.outreach.models import CampaignSend, CampaignTemplate
from prospecting.outreach.services.sending import (
    TemplateNotSendable,
    campaign_plan_rows,
    campaign_send,
    campaign_targets,
)
from prospecting.scoring.filters import LeadFilter

_FILTERS = [name for name in LeadFilter.base_filters if name != "search"] + ["search"]


class Command(BaseCommand):
    help = (
        "Send a campaign template to leads chosen by the leads-list filters (or --ids). "
        "--dry-run lists who would get what and why the others are skipped, and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--template", type=int, required=True, help="Campaign template id")
        parser.add_argument("--ids", type=int, nargs="+", help="These prospect ids (instead of lead filters)")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--no-progress", action="store_true")
        for name in _FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=f"filter_{name}", action="append")

    def handle(self, *args, **options):
        template = CampaignTemplate.objects.filter(pk=options["template"]).first()
        if template is None:
            raise CommandError(f"No campaign template with id {options['template']}.")
        lead_filter = {}
        for name in _FILTERS:
            values = options.get(f"filter_{name}")
            if values:
                lead_filter[name] = (
                    values if len(values) > 1 or name in {"status", "lead_tier", "lead_type"} else values[0]
                )
        try:
            targets = campaign_targets(prospect_ids=options["ids"], lead_filter=None if options["ids"] else lead_filter)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["dry_run"]:
            self._dry_run(template, targets)
            return
        with tqdm(unit=" messages", disable=options["no_progress"], file=self.stderr._out) as bar:
            try:
                plan = campaign_send(
                    template=template,
                    prospect_ids=options["ids"],
                    lead_filter=None if options["ids"] else lead_filter,
                    foreground=True,
                    on_progress=bar.update,
                )
            except TemplateNotSendable as exc:
                raise CommandError(str(exc)) from exc
        job = plan.job
        sent = CampaignSend.objects.filter(job=job, status=CampaignSend.Status.SENT).count()
        waiting = job.params.get("waiting", 0)
        self.stdout.write(
            f"Sent {sent}, skipped {sum(plan.skipped.values())}, already sent {plan.already_sent}, "
            f"waiting {waiting} (window or caps); job {job.pk} {job.status}."
        )

    def _dry_run(self, template, targets):
        counts = {}
        for row in campaign_plan_rows(template=template, targets=targets):
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
            what = "send" if row.outcome == "send" else f"skip: {_reason(row.outcome)}"
            self.stdout.write(f"{row.prospect_id}\t{row.name}\t{row.recipient or '-'}\t{what}")
        summary = ", ".join(f"{_reason(key) if key != 'send' else 'to send'}: {value}" for key, value in counts.items())
        self.stdout.write(f"Dry run of “{template.name}”, nothing sent. {summary or 'No leads match.'}")


def _reason(outcome: str) -> str:
    if outcome == "already_sent":
        return "already sent"
    try:
        return str(CampaignSend.SkipReason(outcome).label)
    except ValueError:
        return outcome
