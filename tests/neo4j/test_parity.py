"""Loading the same data into the embedded store and into Neo4j gives the same graph: the same
counts, nodes, properties and relationships in the same order, and the same load reports."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import LoadReport, load_dataset
from graphsvc.ontology import LABELS
from graphsvc.store import MemoryStore
from graphsvc.store.base import GraphStore
from graphsvc.store.neo4j import Neo4jStore

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, seed=2024, scale=0.05)
    return folder


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Everything a reader can see, in the order it sees it."""
    g = store.view()
    return {
        "version": store.version,
        "counts": store.counts(),
        "nodes": list(g.nodes(data=True)),
        "edges": list(g.edges(keys=True, data=True)),
        "iter": {label: list(store.iter_nodes(label)) for label in LABELS},
    }


def report_of(report: LoadReport) -> dict[str, Any]:
    return {
        "files": [vars(f) for f in report.files],
        "rejects": report.rejects,
        "warnings": report.warnings,
        "aborted": report.aborted,
        "version": report.version,
    }


def both(
    tmp_path: Path, neo4j_store: Neo4jStore, *folders: Path, **kw: Any
) -> tuple[MemoryStore, list[LoadReport], list[LoadReport]]:
    memory = MemoryStore(tmp_path / "graph")
    mem_reports = [load_dataset(memory, folder, **kw) for folder in folders]
    neo_reports = [load_dataset(neo4j_store, folder, **kw) for folder in folders]
    return memory, mem_reports, neo_reports


def test_the_demo_dataset_loads_into_the_same_graph(
    tmp_path: Path, neo4j_store: Neo4jStore, demo_folder: Path
) -> None:
    memory, [mem], [neo] = both(tmp_path, neo4j_store, demo_folder)
    try:
        assert not mem.rejects and report_of(neo) == report_of(mem)
        expected, got = snapshot(memory), snapshot(neo4j_store)
        assert got["counts"] == expected["counts"]
        assert sum(expected["counts"].relationships.values()) > 5000
        assert got["nodes"] == expected["nodes"]
        assert got["edges"] == expected["edges"]
        assert got == expected
        experts = [p["key"] for p in memory.iter_nodes("Expert")][:50]
        for rel_type in ("SERVED", "HAS_SKILL", "COLLABORATES_WITH", "OWNS"):
            assert neo4j_store.neighbours("Expert", experts, rel_type) == memory.neighbours(
                "Expert", experts, rel_type
            )
        industries = [p["code"] for p in memory.iter_nodes("Industry")][:50]
        for rel_type in ("EXPERT_IN", "IN_INDUSTRY", "SUBCLASS_OF"):
            assert neo4j_store.neighbours(
                "Industry", industries, rel_type, "in"
            ) == memory.neighbours("Industry", industries, rel_type, "in")
    finally:
        memory.close()


def test_reloading_replaces_as_the_embedded_store_does(
    tmp_path: Path, neo4j_store: Neo4jStore
) -> None:
    """A second load of changed files clears and rewrites relationships (deals by key,
    ADDRESSED by service record, references by node) the same way on both."""
    case = tmp_path / "case"
    shutil.copytree(MINI, case)
    for name in ("deals.csv", "service_records.csv", "collaborations.csv"):
        shutil.copy(BAD / "relationship-rules" / name, case / name)
    memory, mem, neo = both(tmp_path, neo4j_store, MINI, case, MINI)
    try:
        assert [report_of(r) for r in neo] == [report_of(r) for r in mem]
        assert mem[1].rejects  # the case's bad rows, reported alike
        assert snapshot(neo4j_store) == snapshot(memory)
    finally:
        memory.close()


def test_too_many_errors_load_nothing_on_both(tmp_path: Path, neo4j_store: Neo4jStore) -> None:
    case = tmp_path / "case"
    shutil.copytree(MINI, case)
    shutil.copy(BAD / "relationship-rules" / "deals.csv", case / "deals.csv")
    memory, [mem], [neo] = both(tmp_path, neo4j_store, case, max_errors=0)
    try:
        assert mem.aborted and report_of(neo) == report_of(mem)
        assert neo4j_store.version == 0 and neo4j_store.counts().nodes == {}
    finally:
        memory.close()
