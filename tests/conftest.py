"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graphsvc.store import MemoryStore

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture
def mini_dir() -> Path:
    """The small hand-made dataset (read-only: copy it before changing files)."""
    return MINI


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MemoryStore]:
    """An empty embedded store in a temporary data folder."""
    s = MemoryStore(tmp_path / "graph")
    yield s
    s.close()


GraphState = tuple[dict[str, dict[str, object]], set[tuple[str, str, str, str]]]


def _graph_state(store: MemoryStore) -> GraphState:
    g = store.view()
    nodes = {n: dict(d) for n, d in g.nodes(data=True)}
    edges = {(u, v, k, repr(sorted(d.items()))) for u, v, k, d in g.edges(keys=True, data=True)}
    return nodes, edges


@pytest.fixture
def graph_state() -> Callable[[MemoryStore], GraphState]:
    """Every node with its properties and every edge with its key and properties."""
    return _graph_state
