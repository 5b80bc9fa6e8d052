"""Where a batch's probes run: threads of the job's own process, or threads of several forked processes.

Both pools take prospects one by one (`submit`) and hand back each outcome by key (`result`), so the
job keeps the next chunk queued while it stores the previous one and no thread waits at a chunk's end.
An outcome is `(True, result)` or `(False, error)`; a probe never raises into the job.

Forked processes exist because parsing pages is Python work that threads of one process cannot spread
over several cores. Each child keeps up to `threads` prospects in flight and takes the next one from a
shared queue as soon as one finishes, so a slow site never holds the others back. A child that dies
makes `result` raise: the job fails and can be resumed.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from django.db import connections

from prospecting.core.fetch import FetchError
from prospecting.prospects.models import Prospect

Outcome = tuple[bool, Any]


class ProbePool(Protocol):
    def submit(self, key: int, prospect: Prospect) -> None: ...

    def result(self, key: int) -> Outcome: ...

    def close(self, *, cancel: bool = False) -> None: ...


def probe_politely(
    step: Any, prospect: Prospect, params: dict[str, Any], host_locks: dict[str, threading.Lock]
) -> Outcome:
    """One request at a time per host (several prospects can share a domain's server)."""
    lock = host_locks.setdefault(prospect.domain_name or "", threading.Lock())
    with lock:
        try:
            return True, step.probe(prospect, params)
        except Exception as exc:
            return False, exc


class ThreadProbePool:
    """Probes in `workers` threads of this process."""

    def __init__(self, step: Any, params: dict[str, Any], workers: int, name: str) -> None:
        self._step, self._params = step, params
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._futures: dict[int, Future] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def submit(self, key: int, prospect: Prospect) -> None:
        self._futures[key] = self._pool.submit(probe_politely, self._step, prospect, self._params, self._host_locks)

    def result(self, key: int) -> Outcome:
        return self._futures.pop(key).result()

    def close(self, *, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)


_STOP = None
PARENT_CHECK_SECONDS = 2.0


def _child_main(
    step: Any,
    params: dict[str, Any],
    threads: int,
    tasks: Any,
    results: Any,
    parent_alive: Callable[[], bool] | None = None,
) -> None:
    """A forked child: keep up to `threads` probes running until the stop sign, or until the job's process
    is gone (killed by a task timeout, say): an orphan would otherwise wait for work forever."""
    if parent_alive is None:
        parent = os.getppid()
        parent_alive = lambda: os.getppid() == parent  # noqa: E731 - re-parented once the parent dies
    slots = threading.BoundedSemaphore(threads)
    host_locks: dict[str, threading.Lock] = {}

    def run(key: int, prospect: Prospect) -> None:
        try:
            ok, value = probe_politely(step, prospect, params, host_locks)
            if not ok and not isinstance(value, FetchError):
                value = str(value)  # errors travel as text (not every exception class survives pickling); a
                # FetchError travels as itself (it pickles by design): the job counts failures by their kind
            try:
                outcome = pickle.dumps((ok, value))
            except Exception as exc:
                outcome = pickle.dumps((False, f"result could not be sent back: {exc}"))
            results.put((key, outcome))  # the key travels apart: a result that cannot be read stays attributed
        finally:
            slots.release()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        while True:
            slots.acquire()
            item = _next_task(tasks, parent_alive)
            if item is _STOP:
                break
            pool.submit(run, *item)


def _next_task(tasks: Any, parent_alive: Callable[[], bool]) -> Any:
    while True:
        try:
            return tasks.get(timeout=PARENT_CHECK_SECONDS)
        except queue.Empty:
            if not parent_alive():
                return _STOP


class ProcessProbePool:
    """Probes in `processes` forked children with `threads` threads each."""

    def __init__(self, step: Any, params: dict[str, Any], processes: int, threads: int) -> None:
        context = multiprocessing.get_context("fork")
        self._tasks = context.Queue()
        self._results = context.Queue()
        self._done: dict[int, Outcome] = {}
        connections.close_all()  # children open their own connections, never share this process's socket
        self._children = [
            context.Process(
                target=_child_main, args=(step, params, threads, self._tasks, self._results), name=f"probe-{i}"
            )
            for i in range(processes)
        ]
        for child in self._children:
            child.start()

    def submit(self, key: int, prospect: Prospect) -> None:
        self._tasks.put((key, prospect))

    def result(self, key: int) -> Outcome:
        while key not in self._done:
            try:
                got, outcome = self._results.get(timeout=1.0)
            except queue.Empty:
                dead = [child.name for child in self._children if not child.is_alive()]
                if dead:
                    raise RuntimeError(f"probe process {', '.join(dead)} died; resume the job") from None
                continue
            try:
                self._done[got] = pickle.loads(outcome)  # noqa: S301 - our own children's results
            except Exception as exc:  # a class that pickles but cannot be rebuilt: this prospect fails alone
                self._done[got] = (False, f"result could not be read back: {exc!r}")
        return self._done.pop(key)

    def close(self, *, cancel: bool = False) -> None:
        if not cancel:
            for _ in self._children:
                self._tasks.put(_STOP)
            for child in self._children:
                child.join(timeout=60)
        for child in self._children:
            if child.is_alive():
                child.terminate()
                child.join(timeout=5)
        self._tasks.close()
        self._results.close()
