"""once(): one computation however many threads ask at the same time."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from prospecting.core.caching import once


def test_threads_arriving_together_share_one_computation():
    calls = []
    start = threading.Barrier(16)

    @once
    def expensive():
        calls.append(1)
        time.sleep(0.05)  # long enough for every other thread to arrive meanwhile
        return object()

    def ask(_):
        start.wait()
        return expensive()

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(ask, range(16)))
    assert len(calls) == 1
    assert all(result is results[0] for result in results)
    expensive.cache_clear()
    assert expensive() is not results[0] and len(calls) == 2
