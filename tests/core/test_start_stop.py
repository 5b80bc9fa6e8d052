"""The run command and the worker stop promptly and quietly: Ctrl-C in a terminal, SIGTERM to a process group."""

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.qcluster import ROOT, _database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    rows = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True, check=True).stdout  # noqa: S607
    children: dict[int, list[int]] = {}
    for line in rows.splitlines()[1:]:
        child, parent = (int(value) for value in line.split())
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """The processes still running (a zombie waiting for its parent to collect it is not running)."""
    still = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                    still.add(pid)
        except FileNotFoundError:
            pass
    return still


def processes_matching(text: str) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout  # noqa: S607
    return [line for line in listing.splitlines() if text in line and "ps -eo" not in line]


def test_sigterm_to_the_whole_worker_process_group_stops_it_within_its_timeout():
    """What systemd and `docker stop` do; plain `qcluster` hangs for ever on it (its sentinel dies in a lock)."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "1", "Q_WORKERS": "2"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--stop-timeout", "5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60  # wait until the cluster, its sentinel and workers are up (slow machines)
        while len(cluster := descendants(worker.pid)) < 4 and time.monotonic() < deadline:
            assert worker.poll() is None
            time.sleep(0.5)
        time.sleep(2)  # let every worker process finish starting (signals before that are not the case tested)
        cluster = descendants(worker.pid)
        assert len(cluster) >= 4  # qcluster, its sentinel, monitor, pusher and workers
        for pgid in {worker.pid, *{os.getpgid(pid) for pid in alive(cluster)}}:
            os.killpg(pgid, signal.SIGTERM)  # every process of every group gets SIGTERM at once
        started = time.monotonic()
        worker.wait(timeout=15)
        assert time.monotonic() - started < 10
        time.sleep(0.5)
        assert not alive(cluster)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)


def test_ctrl_c_on_the_run_command_stops_web_server_and_worker_in_seconds_and_silently():
    port = free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "1", "Q_WORKERS": "1"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal session running the product
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "manage.py", "serve", "--port", str(port)], env)  # noqa: S606
    output = bytearray()

    def read_for(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    output.extend(os.read(fd, 65536))
                except OSError:
                    return

    try:
        deadline = time.monotonic() + 60
        while True:
            read_for(0.3)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, output.decode(errors="replace")
        while len(descendants(pid)) < 4 and time.monotonic() < deadline:  # the worker's cluster is up too
            read_for(0.3)
        read_for(2)
        before = len(output)
        os.write(fd, b"\x03")  # Ctrl-C: SIGINT to the terminal's foreground process group
        started = time.monotonic()
        while not os.waitpid(pid, os.WNOHANG)[0]:
            read_for(0.1)
            # Stopped, not hanging: a few seconds (the bound leaves room for a machine under heavy load).
            assert time.monotonic() - started < 15, output.decode(errors="replace")
        read_for(0.3)
        after = output[before:].decode(errors="replace")
        assert "Traceback" not in after and "Error" not in after
        assert len([line for line in after.splitlines() if line.strip() not in {"", "^C"}]) <= 1, after
        assert not processes_matching(f"127.0.0.1:{port}")
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
