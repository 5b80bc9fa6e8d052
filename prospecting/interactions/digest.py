"""The morning digest: one e-mail per owner with their overdue follow-ups and those due today.

A django-q2 schedule (`follow-up-digest`, daily at FOLLOW_UP_DIGEST_TIME) starts the digest job; the job
records whom it mailed, so a resume or a second start on the same day never mails anyone twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from prospecting.core.jobs import JobContext, job_start
from prospecting.core.models import ScanJob
from prospecting.interactions.models import Interaction

SCHEDULE_NAME = "follow-up-digest"
MAX_LINES = 100  # per section of one e-mail; the Follow-ups page has the rest


def followup_digest_start(*, day: datetime.date | None = None, foreground: bool = False) -> ScanJob:
    """Start today's digest (the schedule, `manage.py followup_digest`): the job of that day if it exists."""
    day = day or timezone.localdate()
    existing = ScanJob.objects.filter(job_type=ScanJob.JobType.FOLLOW_UP_DIGEST, params__date=day.isoformat()).first()
    if existing is not None:
        return existing
    return job_start(
        job_type=ScanJob.JobType.FOLLOW_UP_DIGEST,
        task=followup_digest_job,
        params={"date": day.isoformat(), "sent_to": []},
        foreground=foreground,
    )


def followup_digest_job(job: JobContext) -> None:
    day = datetime.date.fromisoformat(job.params["date"])
    sent = set(job.params.get("sent_to", []))
    due = (
        Interaction.objects.filter(
            follow_up_done_at__isnull=True,
            next_action_date__lte=day,
            follow_up_owner__isnull=False,
            follow_up_owner__is_active=True,
        )
        .exclude(follow_up_owner__email="")
        .select_related("prospect")
        .order_by("next_action_date", "id")
    )
    by_owner: dict[int, list[Interaction]] = defaultdict(list)
    for task in due.iterator(chunk_size=2000):
        if len(by_owner[task.follow_up_owner_id]) < 2 * MAX_LINES:
            by_owner[task.follow_up_owner_id].append(task)
    job.set_total(len(by_owner))
    job.set_counts(processed=len(sent & set(by_owner)))
    users = get_user_model().objects.in_bulk(list(by_owner))
    for owner_id, tasks in sorted(by_owner.items()):
        if owner_id in sent:
            continue
        job.raise_if_cancelled()
        user = users[owner_id]
        subject, body = followup_digest_message(tasks=tasks, day=day, name=user.get_short_name() or user.get_username())
        send_mail(subject, body, None, [user.email])
        sent.add(owner_id)
        job.update_params(sent_to=sorted(sent))
        job.advance(processed=1)


def followup_digest_message(*, tasks: list[Interaction], day: datetime.date, name: str) -> tuple[str, str]:
    overdue = [task for task in tasks if task.next_action_date < day]
    today = [task for task in tasks if task.next_action_date == day]
    site = settings.SITE_URL.rstrip("/")
    lines = [f"Good morning {name},", ""]
    for title, group in (("Overdue", overdue), ("Due today", today)):
        if not group:
            continue
        lines.append(f"{title} ({len(group)}):")
        for task in group[:MAX_LINES]:
            page = site + reverse("admin:prospects_prospect_change", args=[task.prospect_id])
            lines.append(
                f"  - {task.next_action_date:%d %b}: {task.next_action or 'Follow up'} — "
                f"{task.prospect.display_name}  {page}"
            )
        lines.append("")
    lines.append(f"All your follow-ups: {site}{reverse('admin:interactions_followup_changelist')}")
    subject = f"Follow-ups: {len(overdue)} overdue, {len(today)} due today"
    return subject, "\n".join(lines)


def followup_digest_schedule_sync() -> None:
    """Keep the daily schedule at FOLLOW_UP_DIGEST_TIME ("07:30", local time; empty: no digest)."""
    from django_q.models import Schedule

    at = settings.FOLLOW_UP_DIGEST_TIME.strip()
    if not at:
        Schedule.objects.filter(name=SCHEDULE_NAME).delete()
        return
    hour, minute = (int(part) for part in at.split(":"))
    now = timezone.localtime()
    next_run = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if next_run <= now:
        next_run += datetime.timedelta(days=1)
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "prospecting.interactions.tasks.followup_digest_task",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
            "next_run": next_run,
        },
    )
