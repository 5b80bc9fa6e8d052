"""50 concurrent API clients for 60 seconds against the run command's server (`manage.py serve`).

Each client, authenticated with a staff token, loops over what sales staff do all day: list prospects, open
one, list leads, change a prospect (PATCH), create a prospect and delete it. Prints requests, errors (any 5xx
or connection failure), requests per second and p50/p95/p99 latency. SQLite by default; PostgreSQL with
DATABASE_URL (see _bench.py).

    .venv/bin/python benchmarks/load.py [--clients 50] [--seconds 60] [--prospects 5000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the project, not this folder (import_export.py!)

from benchmarks._bench import ROOT, django_setup  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(prospects: int) -> tuple[str, list[int]]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from prospecting.prospects.models import Prospect

    user = get_user_model().objects.create_user("load", is_staff=True, is_superuser=True)
    Prospect.objects.bulk_create(
        [Prospect(domain_name=f"load-{i}.lu", business_name=f"Load {i}", city="Luxembourg") for i in range(prospects)],
        batch_size=2000,
    )
    return Token.objects.create(user=user).key, list(Prospect.objects.values_list("pk", flat=True))


class Client(threading.Thread):
    def __init__(self, port: int, token: str, ids: list[int], until: float, seed_value: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.ids, self.until = port, token, ids, until
        self.random = random.Random(seed_value)
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()

    def request(self, connection: http.client.HTTPConnection, method: str, path: str, body: dict | None) -> int:
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                connection.request(
                    method, "/api/admin/prospecting/" + path, json.dumps(body) if body else None, headers
                )
                response = connection.getresponse()
                response.read()
                status = response.status
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection before this request reached it: reconnect
                # and send it again, as a browser does. A second failure counts as an error.
                connection.close()
                status = 0
                if attempt == 2:
                    break
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                status = 0
                self.statuses[type(exc).__name__] += 1
                break
        self.latencies.append(time.perf_counter() - start)
        self.statuses[status] += 1
        return status

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        n = 0
        while time.monotonic() < self.until:
            pk = self.random.choice(self.ids)
            step = n % 6
            if step == 0:
                self.request(connection, "GET", f"prospects?page={self.random.randint(1, 20)}", None)
            elif step == 1:
                self.request(connection, "GET", f"prospects/{pk}", None)
            elif step == 2:
                self.request(connection, "GET", "leads", None)
            elif step == 3:
                self.request(connection, "PATCH", f"prospects/{pk}", {"city": self.random.choice(["Wiltz", "Mersch"])})
            elif step == 4:
                domain = f"new-{self.port}-{id(self)}-{n}.lu"
                self.request(connection, "POST", "prospects", {"domain_name": domain})
            else:
                self.request(connection, "GET", f"prospects?search=Load+{self.random.randint(1, 999)}", None)
            n += 1
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--prospects", type=int, default=5000)
    args = parser.parse_args()
    label = django_setup()
    token, ids = seed(args.prospects)
    port = free_port()
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "serve", "--port", str(port)], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/admin/login/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.3)
        time.sleep(3)
        until = time.monotonic() + args.seconds
        clients = [Client(port, token, ids, until, i) for i in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    finally:
        os.killpg(server.pid, 2)
        server.wait(timeout=30)
    latencies = sorted(value for client in clients for value in client.latencies)
    statuses = sum((client.statuses for client in clients), Counter())
    errors = sum(
        count for status, count in statuses.items() if isinstance(status, int) and (status == 0 or status >= 500)
    )
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"Database: {label}; server: manage.py serve (gunicorn, 2 workers x 8 threads) and a worker")
    print(
        f"{args.clients} clients for {args.seconds:.0f} s: {len(latencies):,} requests "
        f"({len(latencies) / args.seconds:.0f}/s), {errors} errors; statuses {dict(statuses)}"
    )
    print(
        f"latency p50 {quantiles[49] * 1000:.0f} ms, p95 {quantiles[94] * 1000:.0f} ms, "
        f"p99 {quantiles[98] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
