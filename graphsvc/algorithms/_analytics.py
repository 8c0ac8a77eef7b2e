"""Private helpers of the analytics families (collaboration, communities, coverage, evaluation).

One pass over the read-only view collects what an analysis needs: the properties of the nodes
of some labels and the relationships of some types, by natural key.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("Industry:C", code="C"); g.add_node("Industry:13", code="13")
>>> g.add_node("Industry:131", code="131")
>>> _ = g.add_edge("Industry:13", "Industry:C", "SUBCLASS_OF")
>>> _ = g.add_edge("Industry:131", "Industry:13", "SUBCLASS_OF")
>>> data = collect(g, ("Industry",), ("SUBCLASS_OF",))
>>> sorted(data.nodes["Industry"])
['13', '131', 'C']
>>> ancestors("131", industry_parents(data))
['13', 'C']
>>> is_ongoing({"start_on": "2024-01-01"}, "2024-06-01")
True
>>> is_ongoing({"end_on": "2024-03-15"}, "2024-06-01")
False
"""

from __future__ import annotations

import functools
import gc
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import igraph as ig
import networkx as nx
import numpy as np

from graphsvc.ontology import RELATIONSHIPS

__all__ = [
    "AnalyticsError",
    "GraphData",
    "Rel",
    "UnknownKeyError",
    "ancestors",
    "collect",
    "descendants",
    "gc_paused",
    "igraph_from_edges",
    "industry_parents",
    "is_ongoing",
    "seeded",
    "share",
    "without_gc",
]

P = ParamSpec("P")
R = TypeVar("R")

Rel = tuple[
    str, str, str, str, Mapping[str, Any]
]  # (src label, src key, dst label, dst key, props)


class AnalyticsError(ValueError):
    """An analysis cannot be done with the arguments given; the message says why."""


class UnknownKeyError(AnalyticsError):
    """A key names no node of the label it should."""


@dataclass
class GraphData:
    """Node properties by label and key, and relationships by type, from one pass."""

    nodes: dict[str, dict[str, Mapping[str, Any]]] = field(default_factory=dict)
    rels: dict[str, list[Rel]] = field(default_factory=dict)

    def props(self, label: str, key: str) -> Mapping[str, Any]:
        """A node's properties (empty when it is not there)."""
        return self.nodes.get(label, {}).get(key, {})

    def name(self, label: str, key: str) -> str:
        """A node's `name` (or `title`), else its key."""
        p = self.props(label, key)
        return str(p.get("name") or p.get("title") or key)


def collect(
    view: nx.MultiDiGraph, labels: Collection[str], rel_types: Collection[str]
) -> GraphData:
    """The properties of the nodes of `labels` and the relationships of `rel_types`.

    Only nodes of a label that can start one of `rel_types` (per the ontology) are walked.
    """
    data = GraphData(nodes={label: {} for label in labels}, rels={rel: [] for rel in rel_types})
    wanted = set(rel_types)
    sources = {
        label
        for rel in wanted
        for label in (RELATIONSHIPS[rel].sources if rel in RELATIONSHIPS else ())
    }
    wanted_labels = set(labels)
    succ = view._succ
    for nid, attrs in view._node.items():
        label, _, key = nid.partition(":")
        if label in wanted_labels:
            data.nodes[label][key] = attrs
        if label not in sources:
            continue
        for v, keyed in succ[nid].items():
            for ekey, rattrs in keyed.items():
                rel = ekey.partition("|")[0]
                if rel in wanted:
                    vl, _, vk = v.partition(":")
                    data.rels[rel].append((label, key, vl, vk, rattrs))
    return data


def industry_parents(data: GraphData) -> dict[str, str]:
    """Each industry code's parent code (SUBCLASS_OF)."""
    return {sk: dk for _, sk, _, dk, _ in data.rels.get("SUBCLASS_OF", ())}


def ancestors(code: str, parents: Mapping[str, str]) -> list[str]:
    """The codes above an industry, nearest first (cycles are cut)."""
    out: list[str] = []
    seen = {code}
    current = parents.get(code)
    while current is not None and current not in seen:
        out.append(current)
        seen.add(current)
        current = parents.get(current)
    return out


def descendants(parents: Mapping[str, str]) -> dict[str, set[str]]:
    """Each industry code's codes below it (children, grandchildren, ...)."""
    children: dict[str, list[str]] = defaultdict(list)
    for child, parent in parents.items():
        children[parent].append(child)
    out: dict[str, set[str]] = {}
    for code in set(children) | set(parents):
        found: set[str] = set()
        todo = list(children.get(code, ()))
        while todo:
            c = todo.pop()
            if c not in found and c != code:
                found.add(c)
                todo.extend(children.get(c, ()))
        out[code] = found
    return out


def is_ongoing(rel: Mapping[str, Any], today: str) -> bool:
    """A service record is ongoing at `today` (ISO date) while it has no end date or one not
    yet passed (the API's rule for `ongoing`) and has started (no start date counts as
    started: a record planned for later is not active yet)."""
    end = rel.get("end_on")
    start = rel.get("start_on")
    return (end is None or str(end) >= today) and (start is None or str(start) <= today)


def share(part: int, whole: int) -> float:
    """`part / whole`, 0.0 when `whole` is 0.

    >>> share(1, 4), share(0, 0)
    (0.25, 0.0)
    """
    return part / whole if whole else 0.0


_GC_LOCK = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector meanwhile (nested and concurrent pauses count).

    Building an analysis makes many small objects, and each collection they trigger walks the
    whole graph in memory: pausing the collector halves some builds. Nothing built here makes
    reference cycles that must be collected during the build.
    """
    global _gc_pauses, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` with the garbage collector paused (see `gc_paused`)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return fn(*args, **kwargs)

    return wrapper


def igraph_from_edges(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray) -> ig.Graph:
    """An undirected igraph graph with `n` vertices, edges ``(src[k], dst[k])`` and a `weight`
    edge attribute (built with the garbage collector paused: see `gc_paused`).

    >>> g = igraph_from_edges(3, np.array([0, 1]), np.array([1, 2]), np.array([1.0, 2.0]))
    >>> g.vcount(), g.get_edgelist(), g.es["weight"]
    (3, [(0, 1), (1, 2)], [1.0, 2.0])
    """
    with gc_paused():
        g = ig.Graph(n=n, edges=np.column_stack((src, dst)).tolist(), directed=False)
        g.es["weight"] = weight.tolist()
    return g


_RNG_LOCK = threading.Lock()


class seeded:  # noqa: N801 - used like a function: `with seeded(7): ...`
    """A context in which igraph draws its random numbers from ``random.Random(seed)``.

    igraph's generator is process-wide (by default Python's `random` module, which is put
    back on exit), so these contexts run one at a time.

    >>> g = ig.Graph.Erdos_Renyi(n=30, m=60)  # drawn from the `random` module
    >>> with seeded(7):
    ...     a = ig.Graph.Erdos_Renyi(n=30, m=60).get_edgelist()
    >>> with seeded(7):
    ...     b = ig.Graph.Erdos_Renyi(n=30, m=60).get_edgelist()
    >>> a == b
    True
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __enter__(self) -> None:
        _RNG_LOCK.acquire()
        ig.set_random_number_generator(random.Random(self.seed))

    def __exit__(self, *exc: object) -> None:
        try:
            ig.set_random_number_generator(random)
        finally:
            _RNG_LOCK.release()
