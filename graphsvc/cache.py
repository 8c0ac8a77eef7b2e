"""Results kept per graph version: built once, dropped when a write bumps the version.

Examples
--------
>>> cache = VersionedCache()
>>> calls = []
>>> build = lambda: calls.append(1) or len(calls)
>>> cache.get(1, ("brokers", 10), build), cache.get(1, ("brokers", 10), build)
(1, 1)
>>> cache.get(2, ("brokers", 10), build)  # a write happened: rebuilt
2
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["VersionedCache"]

T = TypeVar("T")


class VersionedCache:
    """A thread-safe LRU of results for the current graph version only.

    Concurrent callers asking for the same missing entry build it once: the others wait.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._version: int | None = None
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, version: int, key: Hashable, build: Callable[[], T]) -> T:
        """The cached result for `key` at `version`, built with `build()` when missing."""
        with self._lock:
            if version != self._version:
                self._version = version
                self._entries.clear()
                self._building.clear()
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[no-any-return]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if self._version == version and key in self._entries:
                    return self._entries[key]  # type: ignore[no-any-return]
            value = build()
            with self._lock:
                if self._version == version:
                    self._entries[key] = value
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
                    self._building.pop(key, None)
            return value
