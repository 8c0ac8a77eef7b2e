"""Results kept per graph version: built once, dropped when a write bumps the version; and
the latest result of each key, whatever its version, to answer from while the current one is
rebuilt in the background.

Examples
--------
>>> cache = VersionedCache()
>>> calls = []
>>> build = lambda: calls.append(1) or len(calls)
>>> cache.get(1, ("brokers", 10), build), cache.get(1, ("brokers", 10), build)
(1, 1)
>>> cache.get(2, ("brokers", 10), build)  # a write happened: rebuilt
2
>>> cache.latest(("brokers", 10))  # (version, value)
(2, 2)
>>> cache.refresh(3, ("brokers", 10), build).job.result()  # built in the background
3
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

__all__ = ["Refresh", "VersionedCache"]

T = TypeVar("T")


class VersionedCache:
    """A thread-safe LRU of results for the current graph version, plus the latest result of
    each key for any version.

    Concurrent callers asking for the same missing entry build it once: the others wait.
    `refresh` builds in the background, on one thread, one build per key at a time, so a
    stream of writes costs at most one core, never one build per version and key.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._version: int | None = None
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._latest: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self._jobs: dict[Hashable, Future[Any]] = {}
        self._pending = 0  # rebuilds submitted and not finished
        self._executor: ThreadPoolExecutor | None = None

    def get(self, version: int, key: Hashable, build: Callable[[], T]) -> T:
        """The cached result for `key` at `version`, built with `build()` when missing. A
        version older than the newest one asked for is built and not kept."""
        with self._lock:
            if self._version is None or version > self._version:
                self._version = version
                self._entries.clear()
                self._building.clear()
            if version == self._version and key in self._entries:
                self._entries.move_to_end(key)
                return cast(T, self._entries[key])
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if self._version == version and key in self._entries:
                    return cast(T, self._entries[key])
            value = build()
            with self._lock:
                if self._version == version:
                    self._entries[key] = value
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
                    self._building.pop(key, None)
                known = self._latest.get(key)
                if known is None or known[0] <= version:
                    self._latest[key] = (version, value)
                    self._latest.move_to_end(key)
                    while len(self._latest) > self.max_entries:
                        self._latest.popitem(last=False)
            return value

    def peek(self, version: int, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when `key` is cached for `version`, else (False, None)."""
        with self._lock:
            if version == self._version and key in self._entries:
                return True, self._entries[key]
            return False, None

    def latest(self, key: Hashable) -> tuple[int, Any] | None:
        """The latest result built for `key`, and its version; None when there is none."""
        with self._lock:
            return self._latest.get(key)

    def refresh(self, version: int, key: Hashable, build: Callable[[], T]) -> Refresh[T]:
        """Rebuild `key` for `version` in the background, on the one rebuild thread: rebuilds
        never take more than one core (and leave the GIL to the event loop half the time),
        and a key has one job at a time (an older version's, while it runs: the next call
        after it starts the newer one). Also says whether the job runs now rather than
        waiting behind other keys' rebuilds."""
        with self._lock:
            running = self._jobs.get(key)
            if running is not None and not running.done():
                return Refresh(running, running.running())
            idle = self._pending == 0
            self._pending += 1

        def run() -> T:
            try:
                return self.get(version, key, build)
            finally:
                with self._lock:
                    self._pending -= 1

        job = self._rebuilder().submit(run)
        with self._lock:
            self._jobs[key] = job
        job.add_done_callback(lambda done: self._forget(key, done))
        return Refresh(job, idle or job.running())

    def _forget(self, key: Hashable, job: Future[Any]) -> None:
        with self._lock:
            if self._jobs.get(key) is job:
                del self._jobs[key]

    def _rebuilder(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="rebuild")
            return self._executor


@dataclass(frozen=True)
class Refresh(Generic[T]):
    """A background rebuild: its job, and whether it started at once."""

    job: Future[T]
    prompt: bool
