"""Letters and planned calls and visits: the channels the score recommends besides e-mail.

Letters: a print-ready PDF (A4, one letter per page, the address where a windowed envelope shows it) from a
letter template, recorded as sends with a `letter_sent` interaction. Calls and visits: a follow-up task
(an interaction with its next action and date) for each prospect instead of a message.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import formats, timezone
from fpdf import FPDF

from prospecting.core.jobs import JobContext, job_start
from prospecting.core.models import ScanJob
from prospecting.interactions.services import interaction_create, interactions_log_bulk
from prospecting.outreach.models import CampaignSend, CampaignTemplate
from prospecting.outreach.rendering import render
from prospecting.outreach.selectors import Recipient, custom_variable_values, recipients_load
from prospecting.outreach.services.templates import placeholder_values, sender_from, skip_reason_for
from prospecting.prospects.models import Prospect
from prospecting.prospects.services.status import prospects_mark_contacted

User = AbstractBaseUser | AnonymousUser | None
LETTER_INTERACTION = "letter_sent"
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})


def _latin1(text: str) -> str:
    """The PDF's built-in fonts cover Latin-1 (French and German letters); other characters are replaced."""
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


@dataclass
class Letter:
    prospect_id: int
    address_lines: list[str]
    subject: str
    body: str


def letter_compose(*, template: CampaignTemplate, recipient: Recipient, variables: dict[str, str]) -> Letter:
    _, sender_name = sender_from(None)
    values = placeholder_values(
        template=template, recipient=recipient, sender_name=sender_name, unsubscribe="", variables=variables
    )
    place = " ".join(part for part in [recipient.postal_code, recipient.city] if part)
    lines = [recipient.business_name or recipient.domain, recipient.address, place]
    if recipient.country and recipient.country.upper() != settings.PROSPECTING_DEFAULT_COUNTRY:
        lines.append(recipient.country.upper())
    return Letter(
        prospect_id=recipient.prospect_id,
        address_lines=[line for line in lines if line.strip()],
        subject=" ".join(render(template.subject_template, values).split()),
        body=render(template.body_template, values),
    )


def letters_pdf(letters: list[Letter], *, language: str = "fr", today: datetime.date | None = None) -> bytes:
    """One A4 page per letter; the address sits in the window of a DL/C5 envelope (left window, DIN 5008)."""
    today = today or timezone.localdate()
    sender_lines = [line for line in settings.OUTREACH_LETTER_SENDER.split("|") if line.strip()]
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(left=25, top=20, right=20)
    date_text = formats.date_format(today, "DATE_FORMAT") if language == "en" else today.strftime("%d.%m.%Y")
    for letter in letters:
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.set_xy(25, 20)
        for line in sender_lines:
            pdf.cell(0, 4.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=7)
        pdf.set_xy(25, 47)  # return line above the address, inside the window
        pdf.cell(85, 4, _latin1(" · ".join(sender_lines)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(25, 52)
        for line in letter.address_lines:
            pdf.cell(85, 5.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(25, 98)
        city = settings.OUTREACH_LETTER_CITY
        pdf.cell(0, 5, _latin1(f"{city}, {date_text}" if city else date_text), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.multi_cell(0, 6, _latin1(letter.subject), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 5.5, _latin1(letter.body), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass
class LetterRun:
    printed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    already: int = 0
    path: str = ""


def letters_print(
    *, template: CampaignTemplate, prospect_ids: list[int], user: User = None, reprint: bool = False
) -> tuple[bytes, LetterRun]:
    """The PDF of this letter template for these prospects, each recorded once as a send (`letter_sent`).

    A prospect that already got this letter is left out unless `reprint` (then it is printed, not recorded
    again); a prospect without a postal address, converted or inactive is skipped with the reason."""
    if template.channel != CampaignTemplate.Channel.LETTER:
        raise ValueError(f"Template “{template.name}” is not a letter template.")
    run = LetterRun()
    recipients = recipients_load(prospect_ids)
    existing = set(
        CampaignSend.objects.filter(template=template, prospect_id__in=prospect_ids, step__isnull=True)
        .exclude(status__in=[CampaignSend.Status.SKIPPED, CampaignSend.Status.FAILED])
        .values_list("prospect_id", flat=True)
    )
    variables = custom_variable_values()
    letters, new = [], []
    for prospect_id in dict.fromkeys(prospect_ids):
        recipient = recipients.get(prospect_id)
        reason = skip_reason_for(recipient, channel=template.channel, do_not_contact=set())
        if reason:
            run.skipped[reason] = run.skipped.get(reason, 0) + 1
            continue
        if prospect_id in existing:
            run.already += 1
            if not reprint:
                continue
        letter = letter_compose(template=template, recipient=recipient, variables=variables)
        letters.append(letter)
        if prospect_id not in existing:
            new.append(letter)
    pdf = letters_pdf(letters, language=template.language) if letters else b""
    run.printed = len(letters)
    now = timezone.now()
    author = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        CampaignSend.objects.filter(
            template=template, prospect_id__in=[letter.prospect_id for letter in new], step__isnull=True
        ).delete()  # earlier skipped or failed attempts make way for the printed letter
        CampaignSend.objects.bulk_create(
            [
                CampaignSend(
                    template=template,
                    prospect_id=letter.prospect_id,
                    channel=CampaignTemplate.Channel.LETTER,
                    recipient=", ".join(letter.address_lines)[:255],
                    rendered_subject=letter.subject[:500],
                    rendered_body=letter.body,
                    status=CampaignSend.Status.SENT,
                    sent_at=now,
                    sent_by=author,
                )
                for letter in new
            ],
            ignore_conflicts=True,
        )
        interactions_log_bulk(
            entries=[(letter.prospect_id, letter.subject) for letter in new],
            interaction_type=LETTER_INTERACTION,
            user=user,
        )
        prospects_mark_contacted(
            prospect_ids=[letter.prospect_id for letter in new], user=user, reason="letter printed"
        )
    return pdf, run


def letters_start(
    *, template: CampaignTemplate, prospect_ids: list[int], user: User = None, foreground: bool = False
) -> ScanJob:
    """Print letters as a job: the PDF is kept in the media storage (`letters/job-<id>.pdf`); letters already
    recorded for a prospect are printed again (a reprint) but not recorded twice."""
    return job_start(
        job_type=ScanJob.JobType.CAMPAIGN_SEND,
        task=letters_job,
        params={"template_id": template.pk, "prospect_ids": prospect_ids, "letters": True},
        user=user,
        total_items=len(prospect_ids),
        foreground=foreground,
    )


def letters_job(job: JobContext) -> None:
    from django.contrib.auth import get_user_model

    template = CampaignTemplate.objects.get(pk=job.params["template_id"])
    user = get_user_model().objects.filter(pk=job.job.created_by_id).first()
    pdf, run = letters_print(template=template, prospect_ids=job.params["prospect_ids"], user=user, reprint=True)
    name = default_storage.save(f"letters/job-{job.job_id}.pdf", ContentFile(pdf)) if pdf else ""
    job.update_params(file=name, printed=run.printed, skipped=run.skipped, already=run.already)
    job.advance(processed=len(job.params["prospect_ids"]))


def calls_plan(*, prospect_ids: list[int], kind: str, due: datetime.date, user: User = None, note: str = "") -> int:
    """A follow-up task (call or visit) on each prospect for its owner, instead of a message; returns how many."""
    if kind not in {"call", "visit"}:
        raise ValueError("Plan a call or a visit.")
    label = {"call": "Call", "visit": "Visit"}[kind]
    planned = 0
    for prospect in Prospect.objects.filter(pk__in=prospect_ids).exclude(
        status__in=[Prospect.Status.CONVERTED, Prospect.Status.INACTIVE]
    ):
        interaction_create(
            prospect=prospect,
            data={
                "interaction_type": "note",
                "subject": f"{label} planned",
                "notes": note,
                "next_action": f"{label} {prospect.display_name}"[:255],
                "next_action_date": due,
            },
            user=user,
        )
        planned += 1
    return planned
