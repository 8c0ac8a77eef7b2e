"""Fixtures of the analytics tests: a small Guangxi demo dataset (raw CSV files and a loaded
store), hand-made canonical graphs, an in-process GraphQL runner with a shared cache, and a
real uvicorn server."""

from __future__ import annotations

import asyncio
import csv
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from strawberry.types import ExecutionResult

from graphsvc.algorithms.collaboration import CollaborationGraph, build_collaboration_graph
from graphsvc.auth import Role
from graphsvc.cache import VersionedCache
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.schema import Context, GuardedSchema, build_schema
from graphsvc.schema.catalog import Indexes
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter
from tests.api.conftest import MINI, Server, load_folder, start_server, stop_server

SCALE = 0.2  # about 700 experts, 1000 enterprises, 1500 service records
TODAY = "2024-06-30"  # a day when many demo services are ongoing


@pytest.fixture(scope="session")
def gx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset's CSV files at scale 0.2."""
    folder = tmp_path_factory.mktemp("gx-small")
    generate(folder, seed=2024, scale=SCALE)
    return folder


@pytest.fixture(scope="session")
def gx_store(tmp_path_factory: pytest.TempPathFactory, gx_dir: Path) -> Iterator[MemoryStore]:
    """A store holding the small demo dataset (read-only: never write to it)."""
    store = MemoryStore(tmp_path_factory.mktemp("gx-small-store") / "graph")
    report = load_dataset(store, gx_dir)
    assert not report.rejects, report.rejects[:3]
    yield store
    store.close()


@pytest.fixture(scope="session")
def gx_view(gx_store: MemoryStore) -> nx.MultiDiGraph:
    """The small demo dataset's read-only view."""
    return gx_store.view()


@pytest.fixture(scope="session")
def gx_network(gx_view: nx.MultiDiGraph) -> CollaborationGraph:
    """The small demo dataset's collaboration network."""
    return build_collaboration_graph(gx_view)


def read_csv(folder: Path, name: str) -> list[dict[str, str]]:
    """The rows of `folder/name.csv`, read with the csv module."""
    with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def truthy(cell: str) -> bool:
    """A boolean cell as DATA_FORMAT.md reads it."""
    return cell.strip().lower() in {"true", "1", "yes", "是"}


def items(cell: str) -> list[str]:
    """A list cell as DATA_FORMAT.md reads it."""
    return [p.strip() for p in cell.replace("；", ";").split(";") if p.strip()]


# -- canonical graphs -------------------------------------------------------------------------


@dataclass
class GraphBuilder:
    """A graph in the store's view format (`Label:key` ids, `TYPE|identity` edge keys)."""

    g: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)

    def node(self, label: str, key: str, **props: Any) -> GraphBuilder:
        """Add a node (its key property is set from `key`)."""
        id_prop = "code" if label in {"City", "County", "Industry"} else "key"
        self.g.add_node(f"{label}:{key}", **{id_prop: key, "name": key, **props})
        return self

    def rel(
        self, source: str, target: str, rel_type: str, ident: str = "", **props: Any
    ) -> GraphBuilder:
        """Add a relationship between `Label:key` ids."""
        key = f"{rel_type}|{ident}" if ident else rel_type
        self.g.add_edge(source, target, key)
        self.g[source][target][key].update(props)
        return self

    def experts(self, keys: Iterable[str], **props: Any) -> GraphBuilder:
        """Add experts."""
        for k in keys:
            self.node("Expert", k, **props)
        return self

    def collab(self, a: str, b: str, kind: str = "coauthor", count: int = 1) -> GraphBuilder:
        """Add a COLLABORATES_WITH from expert `a` to expert `b`."""
        return self.rel(f"Expert:{a}", f"Expert:{b}", "COLLABORATES_WITH", kind=kind, count=count)

    def served(
        self,
        expert: str,
        enterprise: str,
        role: str,
        start: str,
        end: str | None = None,
        **props: Any,
    ) -> GraphBuilder:
        """Add a SERVED record (the enterprise node must exist)."""
        extra = {"end_on": end} if end is not None else {}
        return self.rel(
            f"Expert:{expert}",
            f"Enterprise:{enterprise}",
            "SERVED",
            f"{role}|{start}",
            role=role,
            start_on=start,
            **extra,
            **props,
        )


# -- GraphQL ----------------------------------------------------------------------------------


@dataclass
class Runner:
    """Runs GraphQL in process, with one Indexes and one VersionedCache per store (as the app
    keeps them for its store)."""

    schema: GuardedSchema
    segmenter: Segmenter
    state: dict[int, tuple[Any, Indexes, VersionedCache]] = field(default_factory=dict)

    def cache(self, store: Any) -> VersionedCache:
        """The analytics cache of a store."""
        return self._state(store)[2]

    def _state(self, store: Any) -> tuple[Any, Indexes, VersionedCache]:
        return self.state.setdefault(id(store), (store, Indexes(), VersionedCache()))

    def __call__(
        self, store: Any, query: str, role: Role = Role.PLANNER, **variables: Any
    ) -> ExecutionResult:
        _, indexes, cache = self._state(store)
        ctx = Context(
            store=store, segmenter=self.segmenter, role=role, indexes=indexes, cache=cache
        )
        return asyncio.run(self.schema.execute(query, variable_values=variables, context_value=ctx))

    def data(self, store: Any, query: str, role: Role = Role.PLANNER, **variables: Any) -> Any:
        """The data of a query that must succeed."""
        result = self(store, query, role, **variables)
        assert result.errors is None, result.errors
        return result.data


@pytest.fixture(scope="session")
def run() -> Runner:
    """The in-process GraphQL runner."""
    return Runner(build_schema(), Segmenter())


def copy_store(data_dir: Path, to: Path) -> Path:
    """A copy of a store's data folder (its snapshot and journal, not its lock)."""
    shutil.copytree(data_dir, to, ignore=shutil.ignore_patterns("LOCK"))
    return to


@pytest.fixture(scope="session")
def gx_server(tmp_path_factory: pytest.TempPathFactory, gx_store: MemoryStore) -> Iterator[Server]:
    """graphsvc over HTTP (uvicorn on 127.0.0.1) on a copy of the small demo store."""
    tmp = tmp_path_factory.mktemp("gx-server")
    server = start_server(copy_store(gx_store.data_dir, tmp / "graph"), tmp)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def mini_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the mini dataset, to copy for tests that write."""
    folder = tmp_path_factory.mktemp("mini-template") / "graph"
    load_folder(MINI, folder)
    return folder


@pytest.fixture
def mini_copy(tmp_path: Path, mini_template: Path) -> Iterator[MemoryStore]:
    """A writable store holding the mini dataset."""
    store = MemoryStore(copy_store(mini_template, tmp_path / "graph"))
    yield store
    store.close()
