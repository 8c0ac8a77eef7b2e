"""Fixtures of the planning tests: a small Guangxi demo store and its recommender, and a
checker that every path of an assignment is a real path in the graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.algorithms.planning import Assignment
from graphsvc.algorithms.recommend import Model, build_model
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.store import MemoryStore

SCALE = 0.2  # 200 benchmark enterprises, 1000 enterprises, about 180 commissioners
TODAY = "2024-06-30"  # many demo services are ongoing then


@pytest.fixture(scope="session")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset's files at scale 0.2."""
    folder = tmp_path_factory.mktemp("plan-demo")
    generate(folder, seed=2024, scale=SCALE)
    return folder


@pytest.fixture(scope="session")
def plan_store(tmp_path_factory: pytest.TempPathFactory, plan_dir: Path) -> Iterator[MemoryStore]:
    """A store holding the demo (read-only: tests that write copy it)."""
    store = MemoryStore(tmp_path_factory.mktemp("plan-store") / "graph")
    report = load_dataset(store, plan_dir)
    assert not report.rejects, report.rejects[:3]
    yield store
    store.close()


@pytest.fixture(scope="session")
def view(plan_store: MemoryStore) -> nx.MultiDiGraph:
    """The demo's read-only view."""
    return plan_store.view()


@pytest.fixture(scope="session")
def model(plan_store: MemoryStore, view: nx.MultiDiGraph) -> Model:
    """The recommender over the demo, on a fixed day."""
    return build_model(view, version=plan_store.version, today=TODAY)


def check_paths(view: nx.MultiDiGraph, assignments: tuple[Assignment, ...]) -> int:
    """Every path runs from the enterprise to its match over real relationships; returns
    the number of relationships walked."""
    walked = 0
    for a in assignments:
        target = f"Institution:{a.institution}" if a.institution else f"Expert:{a.expert}"
        for p in a.paths:
            assert p.nodes[0] == f"Enterprise:{a.enterprise}", p
            assert p.nodes[-1] == target, p
            assert len(p.rels) == len(p.nodes) - 1
            for (rel, forward), u, v in zip(p.rels, p.nodes[:-1], p.nodes[1:], strict=True):
                x, y = (u, v) if forward else (v, u)
                assert view.has_edge(x, y), (x, rel, y)
                assert any(k.partition("|")[0] == rel for k in view[x][y]), (x, rel, y)
                walked += 1
    return walked
