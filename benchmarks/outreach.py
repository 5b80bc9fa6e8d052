"""Outreach sending at scale, through a real SMTP server on 127.0.0.1 and the django-q2 workers.

1. Throughput: N sends (default 10,000) of one template, run by a `manage.py qcluster` worker; prints
   messages/s (job start to finish) and checks that exactly N messages arrived, each once.
2. Crash: N sends of a second template; the worker is killed (SIGKILL, the whole process group) part-way,
   the job is resumed; checks that no message arrived twice and that every message is either sent (and
   arrived) or under review (in flight when the worker died: it may or may not have arrived, and is never
   re-sent blindly).

The SMTP server (aiosmtpd) runs in its own process and appends "recipient<TAB>Message-ID" per message to a file.
SQLite by default; PostgreSQL with DATABASE_URL (a separate <name>_bench database is created and dropped).
Target: >= 300 messages/s on a 2-core machine, 0 duplicates.

Usage: .venv/bin/python benchmarks/outreach.py [--messages N] [--kill-after N]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._bench import ROOT, django_setup  # noqa: E402

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def serve_smtp(port: int, log_path: str) -> None:
    """Run an SMTP server that writes one line per received message (the child process of the benchmark)."""
    import asyncio

    from aiosmtpd.controller import Controller

    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - open for the life of the process

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            found = _MESSAGE_ID.search(envelope.content)
            message_id = found.group(1).decode() if found else "-"
            for recipient in envelope.rcpt_tos:
                log.write(f"{recipient}\t{message_id}\n")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        asyncio.run(asyncio.sleep(10**9))
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _arrivals(log_path: Path) -> list[tuple[str, str]]:
    if not log_path.exists():
        return []
    return [tuple(line.split("\t", 1)) for line in log_path.read_text().splitlines() if "\t" in line]


def generate(count: int) -> list[int]:
    from prospecting.prospects.models import Prospect, ProspectContact
    from prospecting.scoring.models import ProspectScore

    ids: list[int] = []
    for start in range(0, count, 5000):
        prospects = Prospect.objects.bulk_create(
            [
                Prospect(domain_name=f"bench-{i}.lu", business_name=f"Bench {i}", status="active", city="Luxembourg")
                for i in range(start, min(start + 5000, count))
            ]
        )
        ProspectContact.objects.bulk_create(
            [
                ProspectContact(prospect=p, contact_type="email", value=f"info@{p.domain_name}", is_primary=True)
                for p in prospects
            ]
        )
        breakdown = {"no_https": {"component": "technical_health", "points": 10, "label": "No HTTPS"}}
        ProspectScore.objects.bulk_create(
            [
                ProspectScore(
                    prospect=p, score=60, lead_tier="quick_win", lead_type="no_https", score_breakdown=breakdown
                )
                for p in prospects
            ]
        )
        ids.extend(p.pk for p in prospects)
    return ids


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _wait(job_id: int, *, until_processed: int | None = None, timeout: float = 900) -> None:
    from prospecting.core.models import ScanJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ScanJob.objects.get(pk=job_id)
        if until_processed is not None and job.processed_items >= until_processed:
            return
        if job.status in {"completed", "failed", "cancelled"}:
            return
        time.sleep(0.2)
    raise TimeoutError(f"job {job_id} did not finish in {timeout:g} s")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {message}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--kill-after", type=int, default=None, help="Messages sent before the kill (default N/3)")
    parser.add_argument("--serve-smtp", nargs=2, metavar=("PORT", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_smtp:
        serve_smtp(int(args.serve_smtp[0]), args.serve_smtp[1])
        return

    os.environ.setdefault("JOB_HEARTBEAT_SECONDS", "1")
    os.environ.setdefault("JOB_STALLED_AFTER_SECONDS", "3")
    port = _free_port()
    os.environ.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        SITE_URL="https://prospecting.example.lu",
        DEFAULT_FROM_EMAIL="Agence <hello@agence.lu>",
    )
    label = django_setup()
    from django.db import connection
    from django.db.models import Max, Min

    from prospecting.core.jobs import job_resume
    from prospecting.core.models import ScanJob
    from prospecting.core.processes import usable_cpus
    from prospecting.outreach.models import CampaignSend
    from prospecting.outreach.services.sending import campaign_send
    from prospecting.outreach.services.templates import template_create

    log_path = Path(tempfile.mkdtemp(prefix="outreach-bench-")) / "smtp.log"
    log_path.unlink(missing_ok=True)
    smtp = subprocess.Popen(  # noqa: S603 - this script
        [sys.executable, __file__, "--serve-smtp", str(port), str(log_path)], cwd=ROOT, start_new_session=True
    )
    time.sleep(1.0)
    env = {**os.environ, "Q_WORKERS": "1"}
    count = args.messages
    print(f"Outreach benchmark on {label}, {usable_cpus()} CPU(s), {count:,} messages, SMTP on 127.0.0.1:{port}")
    try:
        ids = generate(count)
        body = "Bonjour {contact_name},\n\n{issues}. https://agence.lu/offre\n\n{sender_name}"
        first = template_create(
            data={"name": "Bench 1", "subject_template": "{business_name}", "body_template": body, "language": "fr"}
        )
        second = template_create(
            data={"name": "Bench 2", "subject_template": "{business_name} (2)", "body_template": body, "language": "fr"}
        )
        connection.close()

        # 1. Throughput through a worker.
        plan = campaign_send(template=first, prospect_ids=ids)
        worker = _worker(env)
        try:
            _wait(plan.job.pk)
        finally:
            _stop(worker)
        job = ScanJob.objects.get(pk=plan.job.pk)
        seconds = (job.finished_at - job.started_at).total_seconds()
        arrived = [a for a in _arrivals(log_path) if a[0].startswith("info@bench-")]
        sent = CampaignSend.objects.filter(template=first, status="sent").count()
        per_second = count / seconds if seconds else float("inf")
        first_sent, last_sent = (
            CampaignSend.objects.filter(template=first).aggregate(first=Min("claimed_at"), last=Max("sent_at")).values()
        )
        sending = (last_sent - first_sent).total_seconds()
        print(f"Throughput: {count:,} messages in {seconds:.1f} s = {per_second:,.0f} messages/s (target >= 300)")
        print(
            f"  of which sending (first claim to last sent): {sending:.1f} s = {count / sending:,.0f} messages/s; "
            f"the rest is the job writing the {count:,} send rows first"
        )
        print(f"  arrived {len(arrived):,}, sent {sent:,}, distinct recipients {len({a[0] for a in arrived}):,}")
        _check(len(arrived) == count == sent == len({a[1] for a in arrived}), "not exactly one message each")

        # 2. Kill the worker part-way, resume the job.
        before = len(_arrivals(log_path))
        plan = campaign_send(template=second, prospect_ids=ids)
        worker = _worker(env)
        kill_after = args.kill_after or count // 3
        _wait(plan.job.pk, until_processed=kill_after)
        _stop(worker, signal.SIGKILL)
        killed_at = ScanJob.objects.get(pk=plan.job.pk).processed_items
        time.sleep(float(os.environ["JOB_STALLED_AFTER_SECONDS"]) + 1)
        start = time.perf_counter()
        job_resume(job=ScanJob.objects.get(pk=plan.job.pk), foreground=True)
        resumed_seconds = time.perf_counter() - start
        time.sleep(0.5)
        arrivals = _arrivals(log_path)[before:]
        by_recipient = Counter(recipient for recipient, _ in arrivals)
        duplicates = sum(n - 1 for n in by_recipient.values() if n > 1)
        statuses = Counter(CampaignSend.objects.filter(template=second).values_list("status", flat=True))
        job = ScanJob.objects.get(pk=plan.job.pk)
        print(
            f"Crash: worker killed after {killed_at:,} messages; resumed in the foreground ({resumed_seconds:.1f} s); "
            f"job {job.status}"
        )
        other = sum(statuses.values()) - statuses["sent"] - statuses["review"]
        print(
            f"  arrived {len(arrivals):,}, duplicates {duplicates}, sent {statuses['sent']:,}, "
            f"under review {statuses['review']:,} (in flight at the kill), other {other}"
        )
        _check(duplicates == 0, "a message arrived twice")
        _check(statuses["sent"] + statuses["review"] == count, f"unexpected statuses {dict(statuses)}")
        _check(statuses["sent"] <= len(arrivals) <= count, "a sent message did not arrive")
        print("OK: every message arrived exactly once; none twice after the kill and resume.")
    finally:
        smtp.send_signal(signal.SIGINT)
        try:
            smtp.wait(timeout=5)
        except subprocess.TimeoutExpired:
            smtp.kill()


if __name__ == "__main__":
    main()
