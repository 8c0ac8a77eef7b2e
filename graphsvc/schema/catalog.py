"""Indexes the API keeps over the read-only graph view, rebuilt when the store's version changes:
sorted keys per label, cached filtered selections (the rows of a connection), deals by key,
and the search index.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("Industry:C", code="C"); g.add_node("Industry:30", code="30")
>>> g.add_node("Industry:309", code="309")
>>> _ = g.add_edge("Industry:30", "Industry:C", "SUBCLASS_OF")
>>> _ = g.add_edge("Industry:309", "Industry:30", "SUBCLASS_OF")
>>> cat = Catalog(g, version=1)
>>> cat.keys("Industry")
['30', '309', 'C']
>>> sorted(cat.industry_closure("30"))
['30', '309']
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from graphsvc.algorithms.search import SearchIndex, build_index
from graphsvc.ontology import node_id
from graphsvc.store.base import GraphStore

__all__ = ["Catalog", "DealRecord", "Indexes", "is_ongoing"]

log = logging.getLogger(__name__)

SEARCH_SPACING = 3.0  # after a write, no new search build before 3x the last one's time
SELECTION_CACHE = 512  # filtered selections kept per graph version


def is_ongoing(rel: Mapping[str, Any], today: str) -> bool:
    """A SERVED record is ongoing while it has no end date, or one not yet passed.

    >>> is_ongoing({"start_on": "2024-01-01"}, "2024-06-01")
    True
    >>> is_ongoing({"end_on": "2024-03-15"}, "2024-06-01")
    False
    """
    end = rel.get("end_on")
    return end is None or str(end) >= today


@dataclass(frozen=True)
class DealRecord:
    """A deal: the DEAL relationships that share one key, folded into one record."""

    key: str
    enterprise: str
    stage: str
    amount_wan: float | None = None
    signed_on: str | None = None
    achievement: str | None = None
    expert: str | None = None
    institution: str | None = None


class Catalog:
    """Lazily built, read-only indexes over one version of the graph; safe to share."""

    def __init__(
        self,
        view: nx.MultiDiGraph,
        version: int,
        reading: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self.g = view
        self.version = version
        self.reading = reading  # the store's: held while walking the view
        self._lock = threading.RLock()
        self._keys: dict[str, list[str]] | None = None
        self._selections: OrderedDict[Hashable, list[str]] = OrderedDict()
        self._deals: dict[str, DealRecord] | None = None
        self._closure: dict[str, frozenset[str]] = {}

    # -- nodes --------------------------------------------------------------------------
    def keys(self, label: str) -> list[str]:
        """Every key of a label, sorted."""
        if self._keys is None:
            with self._lock, self.reading():
                if self._keys is None:
                    by_label: dict[str, list[str]] = defaultdict(list)
                    for nid in self.g._node:
                        label_, _, key = nid.partition(":")
                        by_label[label_].append(key)
                    for keys in by_label.values():
                        keys.sort()
                    self._keys = dict(by_label)
        return self._keys.get(label, [])

    def props(self, label: str, key: str) -> Mapping[str, Any] | None:
        """A node's properties (read-only: do not change them)."""
        attrs: Mapping[str, Any] | None = self.g._node.get(node_id(label, key))
        return attrs

    # -- relationships ------------------------------------------------------------------
    def edges(
        self, label: str, key: str, rel_type: str, direction: str = "out"
    ) -> Iterable[tuple[str, Mapping[str, Any]]]:
        """(other node id, relationship properties) of a node's `rel_type` relationships."""
        adj = self.g._succ if direction == "out" else self.g._pred
        with self.reading():
            return [
                (other, attrs)
                for other, rels in adj.get(node_id(label, key), {}).items()
                for k, attrs in rels.items()
                if k.partition("|")[0] == rel_type
            ]

    def linked(
        self,
        label: str,
        rel_type: str,
        others: Iterable[tuple[str, str]],
        direction: str = "out",
    ) -> set[str]:
        """Keys of `label` nodes with a `rel_type` relationship to (`out`) or from (`in`)
        any of `others`, given as (label, key)."""
        found: set[str] = set()
        reverse = "in" if direction == "out" else "out"
        prefix = label + ":"
        for other_label, other_key in others:
            for nid, _ in self.edges(other_label, other_key, rel_type, reverse):
                if nid.startswith(prefix):
                    found.add(nid[len(prefix) :])
        return found

    def industry_closure(self, code: str) -> frozenset[str]:
        """An industry code and the codes of every industry below it (SUBCLASS_OF)."""
        cached = self._closure.get(code)
        if cached is not None:
            return cached
        seen = {code}
        todo = [code]
        while todo:
            current = todo.pop()
            for nid, _ in self.edges("Industry", current, "SUBCLASS_OF", "in"):
                child = nid.partition(":")[2]
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        result = frozenset(seen) if self.props("Industry", code) is not None else frozenset()
        self._closure[code] = result
        return result

    # -- selections ---------------------------------------------------------------------
    def select(self, cache_key: Hashable, compute: Callable[[Catalog], list[str]]) -> list[str]:
        """The sorted keys a filter selects, computed once per graph version (LRU-bounded)."""
        with self._lock:
            hit = self._selections.get(cache_key)
            if hit is not None:
                self._selections.move_to_end(cache_key)
                return hit
        with self.reading():
            result = compute(self)
        with self._lock:
            self._selections[cache_key] = result
            if len(self._selections) > SELECTION_CACHE:
                self._selections.popitem(last=False)
        return result

    # -- deals --------------------------------------------------------------------------
    def deals(self) -> dict[str, DealRecord]:
        """Every deal by key."""
        if self._deals is None:
            with self._lock:
                if self._deals is None:
                    with self.reading():
                        self._deals = self._build_deals()
        return self._deals

    def _build_deals(self) -> dict[str, DealRecord]:
        parts: dict[str, dict[str, Any]] = {}
        for ent in self.keys("Enterprise"):
            for other, attrs in self.edges("Enterprise", ent, "DEAL"):
                key = attrs.get("key")
                if key is None:
                    continue
                rec = parts.setdefault(
                    key,
                    {
                        "key": key,
                        "enterprise": ent,
                        "stage": attrs.get("stage", "intention"),
                        "amount_wan": attrs.get("amount_wan"),
                        "signed_on": attrs.get("signed_on"),
                    },
                )
                other_label, _, other_key = other.partition(":")
                rec[other_label.lower()] = other_key
        return {k: DealRecord(**parts[k]) for k in sorted(parts)}

    @staticmethod
    def today() -> str:
        """Today's date in ISO form (what `ongoing` compares against)."""
        return date.today().isoformat()


class Indexes:
    """The current catalog and search index of a store, shared by every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._search: SearchIndex | None = None
        self._search_version = -1
        self._search_lock = threading.Lock()
        self._refreshing = False
        self._search_built = (0.0, 0.0)  # when the last rebuild ended, and how long it took

    def catalog(self, store: GraphStore) -> Catalog:
        """The catalog of the store's current version."""
        current = self._catalog
        version = store.version
        if current is not None and current.version == version:
            return current
        with self._lock:
            if self._catalog is None or self._catalog.version != version:
                # the catalog is read on the event loop: short reads, never behind a writer
                self._catalog = Catalog(
                    store.view(), version, functools.partial(store.reading, short=True)
                )
            return self._catalog

    def search_ready(self, store: GraphStore) -> SearchIndex | None:
        """The search index if it is current, else None (build it with `search_index`)."""
        return self._search if self._search_version == store.version else None

    def search_stale(
        self, store: GraphStore, tokenize: Callable[[str], list[str]]
    ) -> tuple[SearchIndex, Future[None] | None] | None:
        """The last search index built, if any, while a background thread builds the
        current one: after a write, search answers at once from the graph as it was a
        moment before (the hits' objects are read fresh), instead of waiting seconds.
        Builds are spaced out: under a stream of writes they take a third of a core. Also
        gives the rebuild started now, if one was (None when it waits its turn)."""
        if self._search is None:
            return None
        started: Future[None] | None = None
        with self._lock:
            ended, took = self._search_built
            rested = time.monotonic() - ended >= SEARCH_SPACING * took  # bounded CPU
            if not self._refreshing and rested:
                self._refreshing = True
                started = Future()
                threading.Thread(
                    target=self._refresh,
                    args=(store, tokenize, started),
                    name="search-index",
                    daemon=True,
                ).start()
        return self._search, started

    def _refresh(
        self, store: GraphStore, tokenize: Callable[[str], list[str]], done: Future[None]
    ) -> None:
        started = time.monotonic()
        try:
            self.search_index(store, tokenize)
        except Exception:  # the next query builds it in the foreground and reports it
            log.exception("rebuilding the search index failed")
        finally:
            ended = time.monotonic()
            with self._lock:
                self._refreshing = False
                self._search_built = (ended, ended - started)  # spaces the next rebuild
            done.set_result(None)

    def search_index(self, store: GraphStore, tokenize: Callable[[str], list[str]]) -> SearchIndex:
        """The search index of the store's current version; builds it when stale (slow: call
        it from a worker thread)."""
        with self._search_lock:
            version = store.version
            if self._search is None or self._search_version != version:
                with store.reading():
                    version = store.version
                    self._search = build_index(store.view(), tokenize)
                self._search_version = version
            return self._search
