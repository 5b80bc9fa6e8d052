"""The probe processes' own loop: work from the queue, stop on the stop sign or when the job is gone."""

import queue
import threading
import time

from prospecting.enrichment.services import probe_pool


class _Step:
    @staticmethod
    def probe(prospect, params):
        return prospect.domain_name.upper()


class _Prospect:
    def __init__(self, domain_name):
        self.domain_name = domain_name


def _run_child(tasks, results, parent_alive):
    child = threading.Thread(
        target=probe_pool._child_main, args=(_Step, {}, 2, tasks, results, parent_alive), daemon=True
    )
    child.start()
    return child


def test_a_child_works_through_the_queue_until_the_stop_sign():
    tasks, results = queue.Queue(), queue.Queue()
    for key, name in enumerate(["a.lu", "b.lu", "c.lu"]):
        tasks.put((key, _Prospect(name)))
    tasks.put(probe_pool._STOP)
    child = _run_child(tasks, results, parent_alive=lambda: True)
    child.join(timeout=10)
    assert not child.is_alive()
    got = sorted(
        (key, *probe_pool.pickle.loads(outcome)) for key, outcome in (results.get(timeout=1) for _ in range(3))
    )
    assert got == [(0, True, "A.LU"), (1, True, "B.LU"), (2, True, "C.LU")]


def test_a_child_whose_job_process_died_stops_instead_of_waiting_forever(monkeypatch):
    monkeypatch.setattr(probe_pool, "PARENT_CHECK_SECONDS", 0.05)
    alive = threading.Event()
    alive.set()
    child = _run_child(queue.Queue(), queue.Queue(), parent_alive=alive.is_set)
    time.sleep(0.3)
    assert child.is_alive()  # an empty queue alone is no reason to stop
    alive.clear()  # the job's process is gone
    child.join(timeout=5)
    assert not child.is_alive()
