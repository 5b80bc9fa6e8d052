"""Run child processes and stop them promptly and quietly on Ctrl-C or SIGTERM (`manage.py worker`, `serve`).

Each child runs in its own session, so a signal sent to the terminal's or the service's process group reaches
this supervisor only; it then asks each child to stop its own way and kills what is left after a deadline.
This is what lets `qcluster` stop on SIGTERM: sent to its whole process group, SIGTERM kills its sentinel in
the middle of a lock and the main process waits for ever; sent as SIGINT to its main process alone, it stops
cleanly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Child:
    name: str
    command: Sequence[str]
    stop_signal: int = signal.SIGTERM
    process: subprocess.Popen | None = field(default=None, repr=False)


def _kill_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def supervise(children: list[Child], *, stop_timeout: float, quiet_stop: bool = True) -> int:
    """Start the children, wait until one exits or a stop signal arrives, stop them all; the exit code."""
    stopping = {"signal": 0}

    def request_stop(signum: int, frame: object) -> None:
        stopping["signal"] = signum

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.process = subprocess.Popen(child.command, start_new_session=True)  # noqa: S603 - our own commands
        exit_code = 0
        while not stopping["signal"]:
            ended = [child for child in children if child.process.poll() is not None]
            if ended:
                exit_code = ended[0].process.returncode or 0
                if exit_code:
                    print(f"{ended[0].name} stopped (exit code {exit_code}); stopping the others.", file=sys.stderr)
                break
            time.sleep(0.2)
        for child in children:
            if child.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(child.stop_signal)
        deadline = time.monotonic() + stop_timeout
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        for child in children:  # whatever is left, and the children's own children
            _kill_group(child.process, signal.SIGKILL)
            child.process.wait()
        if stopping["signal"] and not quiet_stop:
            print("Stopped.", file=sys.stderr)
        return 0 if stopping["signal"] else exit_code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
