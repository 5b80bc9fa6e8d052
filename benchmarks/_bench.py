"""Shared set-up for benchmark scripts: a throw-away database and Django, then timing helpers.

SQLite by default (a temporary file). With DATABASE_URL pointing at PostgreSQL, a separate database
`<name>_bench` is created next to it (the role needs CREATEDB) and dropped at the end: your data is
never touched.
"""

from __future__ import annotations

import atexit
import os
import resource
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def reusing_data() -> bool:
    """BENCH_REUSE_DB=1: measure again on the database a previous run kept (BENCH_KEEP_DB=1), without
    generating the data again (scripts that support it say so)."""
    return bool(os.environ.get("BENCH_REUSE_DB"))


def _postgres_bench_url(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    bench_name = parts.path.lstrip("/") + "_bench"
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]).fetchone()
        if not (exists and reusing_data()):
            conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
            conn.execute(f'CREATE DATABASE "{bench_name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')

    if not (
        os.environ.get("BENCH_KEEP_DB") or reusing_data()
    ):  # BENCH_KEEP_DB=1 leaves the database for EXPLAIN afterwards
        atexit.register(drop)
    return urlunsplit(parts._replace(path="/" + bench_name))


def django_setup() -> str:
    """Point Django at a fresh database, migrate it, and return a label for the report."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = _postgres_bench_url(url)
        label = "PostgreSQL"
    else:
        folder = tempfile.mkdtemp(prefix="prospecting-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        label = "SQLite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")  # no query logging: it would be part of every figure
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return label


@contextmanager
def timed(label: str, results: dict[str, float]):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def run_with_peak_rss(command: list[str], **popen_kwargs: object) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MB of that process).

    The peak is read from /proc/<pid>/status (VmHWM, reset at exec), polled while the process runs.
    getrusage(RUSAGE_CHILDREN) would report the benchmark's own size, copied into the child at fork.
    """
    import subprocess

    start = time.perf_counter()
    process = subprocess.Popen(command, **popen_kwargs)  # noqa: S603 - our own commands
    peak_kb = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.02)
    if process.wait() != 0:
        raise RuntimeError(f"{command} exited with {process.returncode}")
    return time.perf_counter() - start, peak_kb / 1024
