"""A bulk load into an empty Neo4j graph commits in parts (`bulk_commit_every`) behind a
`loading` marker: the same graph as one transaction, invisible to readers until it ends,
erased on an error, and a marker left by a crash is refused, then erased by the next load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from pydantic import ValidationError

from graphsvc.config import Backend, Settings
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.service import open_store
from graphsvc.store import MemoryStore
from graphsvc.store.base import Batch, StoreError
from graphsvc.store.neo4j import Neo4jStore
from tests.neo4j.test_parity import BAD, MINI, report_of, snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, seed=2024, scale=0.05)
    return folder


@pytest.fixture
def raw(neo4j_uri: str, neo4j_store: Neo4jStore) -> Iterator[neo4j.Driver]:
    """A plain driver on the (erased) database: sees what is committed, marker or not."""
    driver = neo4j.GraphDatabase.driver(neo4j_uri)
    yield driver
    driver.close()


def committed(driver: neo4j.Driver) -> int:
    """Graph nodes and audit entries committed in the database."""
    records, _, _ = driver.execute_query("MATCH (n) WHERE n:_Node OR n:_Audit RETURN count(n) AS n")
    return int(records[0]["n"])


def marker(driver: neo4j.Driver) -> str | None:
    records, _, _ = driver.execute_query(
        "OPTIONAL MATCH (m:_Meta {name: 'graph'}) RETURN m.loading AS loading"
    )
    loading = records[0]["loading"]
    return None if loading is None else str(loading)


def cities(start: int, count: int, **extra: Any) -> Batch:
    batch = Batch()
    for i in range(start, start + count):
        batch.upsert_node("City", f"45{i:04d}", {"code": f"45{i:04d}", "name": f"市{i}", **extra})
    return batch


def test_the_part_size_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_NEO4J_BULK_COMMIT_EVERY", "1234")
    assert Settings().neo4j_bulk_commit_every == 1234
    monkeypatch.setenv("GRAPHSVC_NEO4J_BULK_COMMIT_EVERY", "many")
    with pytest.raises(ValidationError, match="neo4j_bulk_commit_every"):
        Settings()
    monkeypatch.setenv("GRAPHSVC_NEO4J_BULK_COMMIT_EVERY", "-1")
    with pytest.raises(ValidationError, match="neo4j_bulk_commit_every"):
        Settings()


def test_open_store_passes_the_part_size_on(neo4j_uri: str) -> None:
    store = open_store(
        Settings(backend=Backend.NEO4J, neo4j_uri=neo4j_uri, neo4j_bulk_commit_every=1234)
    )
    try:
        assert isinstance(store, Neo4jStore) and store.bulk_commit_every == 1234
    finally:
        store.close()


def test_a_load_in_parts_gives_the_same_graph_as_one_transaction(
    neo4j_uri: str, neo4j_store: Neo4jStore, raw: neo4j.Driver, demo_folder: Path, tmp_path: Path
) -> None:
    memory = MemoryStore(tmp_path / "graph")
    expected_report = report_of(load_dataset(memory, demo_folder))
    expected = snapshot(memory)
    memory.close()

    one = Neo4jStore(neo4j_uri, bulk_commit_every=0)
    try:
        report = report_of(load_dataset(one, demo_folder))
        assert snapshot(one) == expected
        assert report == expected_report
    finally:
        one.close()

    neo4j_store.erase()
    parts = Neo4jStore(neo4j_uri, bulk_commit_every=50)
    other = Neo4jStore(neo4j_uri)  # another process's view of the database
    seen: list[tuple[int, int, int, int, Any]] = []

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage.startswith("read service_records") and done == total:
            # Parts are committed (a plain driver sees them) yet every reader sees the graph
            # as before the load: empty, at version 0.
            seen.append(
                (
                    committed(raw),
                    other.version,
                    sum(other.counts().nodes.values()),
                    other.view().number_of_nodes(),
                    other.get_nodes("City", ["450100"]),
                )
            )

    try:
        report = report_of(load_dataset(parts, demo_folder, progress=progress))
        assert seen and seen[0][0] > 0
        assert seen[0][1:] == (0, 0, 0, [None])
        assert report == expected_report
        assert snapshot(parts) == expected
        assert snapshot(other) == expected
        assert marker(raw) is None
    finally:
        parts.close()
        other.close()


@pytest.mark.parametrize("max_errors", [None, 0])
def test_bad_rows_in_parts_are_reported_and_kept_out_as_in_one_transaction(
    neo4j_uri: str,
    neo4j_store: Neo4jStore,
    raw: neo4j.Driver,
    tmp_path: Path,
    max_errors: int | None,
) -> None:
    case = tmp_path / "case"
    shutil.copytree(MINI, case)
    for name in ("deals.csv", "service_records.csv", "collaborations.csv"):
        shutil.copy(BAD / "relationship-rules" / name, case / name)
    memory = MemoryStore(tmp_path / "graph")
    parts = Neo4jStore(neo4j_uri, bulk_commit_every=5)
    try:
        expected = report_of(load_dataset(memory, case, max_errors=max_errors))
        assert expected["rejects"]
        assert report_of(load_dataset(parts, case, max_errors=max_errors)) == expected
        assert snapshot(parts) == snapshot(memory)
        assert marker(raw) is None
        if max_errors is not None:
            assert expected["aborted"] and committed(raw) == 0
    finally:
        memory.close()
        parts.close()


def test_a_running_load_in_parts_is_invisible_and_refuses_writers(
    neo4j_uri: str, neo4j_store: Neo4jStore, raw: neo4j.Driver
) -> None:
    store = Neo4jStore(neo4j_uri, bulk_commit_every=50)
    other = Neo4jStore(neo4j_uri)
    try:
        with store.bulk() as write:
            write(cities(0, 120))
            assert committed(raw) >= 100  # two parts committed, the third is open
            assert marker(raw) is not None
            assert other.version == 0
            assert other.counts().nodes == {}
            assert other.get_nodes("City", ["450000"]) == [None]
            assert list(other.iter_nodes("City")) == []
            assert other.view().number_of_nodes() == 0
            assert other.search("市1") == []
            with pytest.raises(StoreError, match="being loaded"):
                other.apply(cities(500, 1))
            write(cities(120, 30))
        assert other.version == 1
        assert other.counts().nodes == {"City": 150}
        assert [c["code"] for c in other.iter_nodes("City")][:3] == ["450000", "450001", "450002"]
        assert marker(raw) is None
        assert other.apply(cities(500, 1)) == 2
    finally:
        store.close()
        other.close()


def test_a_load_in_parts_that_fails_leaves_nothing_and_says_why(
    neo4j_uri: str, neo4j_store: Neo4jStore, raw: neo4j.Driver
) -> None:
    store = Neo4jStore(neo4j_uri, bulk_commit_every=50)
    try:
        with (
            pytest.raises(StoreError, match=r"refused.*nothing of the load was kept"),
            store.bulk() as write,
        ):
            write(cities(0, 120))
            assert committed(raw) >= 100
            write(cities(200, 1, bad={"nested": "maps are no property value"}))
        assert committed(raw) == 0
        assert marker(raw) is None
        assert store.version == 0
        with store.bulk() as write:  # the database is usable again
            write(cities(0, 60))
        assert store.version == 1
        assert store.counts().nodes == {"City": 60}
    finally:
        store.close()


def test_a_failing_loader_leaves_the_empty_database_empty(
    neo4j_uri: str, neo4j_store: Neo4jStore, raw: neo4j.Driver, demo_folder: Path
) -> None:
    store = Neo4jStore(neo4j_uri, bulk_commit_every=50)

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage.startswith("read collaborations") and committed(raw):
            raise RuntimeError("the loader broke")

    try:
        with pytest.raises(RuntimeError, match="the loader broke"):
            load_dataset(store, demo_folder, progress=progress)
        assert committed(raw) == 0
        assert marker(raw) is None
        assert store.version == 0
    finally:
        store.close()


def test_a_load_into_a_graph_that_is_not_empty_stays_one_transaction(
    neo4j_uri: str, neo4j_store: Neo4jStore, raw: neo4j.Driver
) -> None:
    store = Neo4jStore(neo4j_uri, bulk_commit_every=50)
    try:
        assert store.apply(cities(0, 3)) == 1
        with pytest.raises(RuntimeError, match="stop"), store.bulk() as write:
            write(cities(100, 120))
            assert committed(raw) == 3  # nothing committed in parts
            raise RuntimeError("stop")
        assert store.counts().nodes == {"City": 3}
        assert store.version == 1
    finally:
        store.close()


CRASH = textwrap.dedent(
    """
    import os, sys
    from graphsvc.store.base import Batch
    from graphsvc.store.neo4j import Neo4jStore

    store = Neo4jStore(sys.argv[1], bulk_commit_every=50)
    with store.bulk() as write:
        batch = Batch()
        for i in range(120):
            batch.upsert_node("City", f"46{i:04d}", {"code": f"46{i:04d}", "name": "x"})
        write(batch)
        os._exit(3)  # a crash mid-load: two parts committed, the marker left behind
    """
)


def test_a_crashed_load_in_parts_is_refused_then_erased_by_the_next_load(
    neo4j_uri: str, neo4j_store: Neo4jStore, raw: neo4j.Driver
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CRASH, neo4j_uri], env=env, timeout=120)
    assert done.returncode == 3
    assert committed(raw) >= 100
    assert marker(raw) is not None

    store = Neo4jStore(neo4j_uri, bulk_commit_every=50)
    try:
        with pytest.raises(StoreError, match=r"unfinished load .* not served\. Load the data"):
            _ = store.version
        with pytest.raises(StoreError, match="unfinished load"):
            store.view()
        with pytest.raises(StoreError, match="unfinished load"):
            store.apply(cities(0, 1))
        assert store.get_nodes("City", ["460000"]) == [None]  # never served
        with store.bulk() as write:  # erases the unfinished load, then loads
            write(cities(0, 60))
        assert marker(raw) is None
        assert store.version == 1
        assert store.counts().nodes == {"City": 60}
        assert store.get_nodes("City", ["460000"]) == [None]
    finally:
        store.close()
