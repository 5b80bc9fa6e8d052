"""Compute-once helpers that are safe when many threads ask at the same moment."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Once(Generic[T]):
    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._done = False
        self._value: T | None = None
        functools.update_wrapper(self, compute)

    def __call__(self) -> T:
        if not self._done:
            with self._lock:
                if not self._done:  # another thread may have computed it while this one waited
                    self._value = self._compute()
                    self._done = True
        return self._value  # type: ignore[return-value]

    def cache_clear(self) -> None:
        with self._lock:
            self._done, self._value = False, None


def once(compute: Callable[[], T]) -> _Once[T]:
    """Like functools.cache for a function without arguments, except that threads arriving together wait
    for the first one's result instead of each computing it (`functools.cache` lets all of them run: 32
    fetch threads compiling the fingerprints at a job's start cost 32 compilations)."""
    return _Once(compute)
