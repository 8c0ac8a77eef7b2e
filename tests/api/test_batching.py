"""No N+1: a page's neighbour fields cost one store call each, whatever the page size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from graphsvc.store import MemoryStore
from graphsvc.store.base import Direction, Props
from tests.api.conftest import Run


class CountingStore:
    """A store that counts the calls made to it, and otherwise defers to the real one."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    @property
    def version(self) -> int:
        return self._store.version

    @property
    def remote(self) -> bool:
        return False

    def get_nodes(self, label: str, keys: Iterable[str]) -> list[Props | None]:
        self.calls[f"get_nodes {label}"] += 1
        return self._store.get_nodes(label, keys)

    def neighbours(
        self, label: str, keys: Iterable[str], rel_type: str, direction: Direction = "out"
    ) -> list[list[tuple[str, Props, Props]]]:
        self.calls[f"neighbours {label} {rel_type} {direction}"] += 1
        return self._store.neighbours(label, keys, rel_type, direction)

    def iter_nodes(self, label: str) -> Iterator[Props]:
        self.calls[f"iter_nodes {label}"] += 1
        return self._store.iter_nodes(label)

    def view(self) -> Any:
        self.calls["view"] += 1
        return self._store.view()

    def reading(self, *, short: bool = False) -> Any:
        return self._store.reading(short=short)

    def counts(self) -> Any:
        self.calls["counts"] += 1
        return self._store.counts()


PAGE = """query($first: Int) { enterprises(first: $first) { edges { node {
    key name industries { code name } county { code name city { name } } } } } }"""


@pytest.mark.parametrize("first", [10, 50])
def test_store_calls_do_not_grow_with_the_page(
    run_schema: Run, demo_store: MemoryStore, first: int
) -> None:
    store = CountingStore(demo_store)
    result = run_schema(store, PAGE, first=first)
    assert result.errors is None
    edges = result.data["enterprises"]["edges"]
    assert len(edges) == first
    assert all(e["node"]["county"]["city"]["name"] for e in edges)
    assert dict(store.calls) == {
        "view": 1,  # the catalog of sorted keys, once per graph version
        "get_nodes Enterprise": 1,  # the page
        "neighbours Enterprise IN_INDUSTRY out": 1,
        "neighbours Enterprise LOCATED_IN out": 1,
        "neighbours County IN_CITY out": 1,
    }


def test_deeper_pages_batch_per_level(run_schema: Run, demo_store: MemoryStore) -> None:
    query = """query($first: Int) { experts(first: $first) { edges { node { key
        institution { key city { code } } subgroups { key } industries { code } keywords { key }
        currentLoad availableCapacity
        collaborators(first: 5) { edges { node { expert { key institution { key } } } } } } } } }"""
    calls = []
    for first in (5, 50):
        store = CountingStore(demo_store)
        result = run_schema(store, query, first=first)
        assert result.errors is None
        assert len(result.data["experts"]["edges"]) == first
        calls.append(store.calls)
    assert calls[0] == calls[1]
    # one call per field and level: institutions of the page and of the collaborators
    assert calls[1]["neighbours Expert AFFILIATED_WITH out"] == 2
    assert calls[1]["neighbours Expert SERVED out"] == 1  # shared by two fields
    assert sum(calls[1].values()) == 11
