"""Search: segmented like the loaders, ranked, typed; the index is cached per graph version."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graphsvc.algorithms.search import build_index, search
from graphsvc.loaders.load import load_dataset
from graphsvc.store import Batch, MemoryStore
from graphsvc.text import Segmenter
from tests.api.conftest import MINI, Run, Server

SEARCH = """query($text: String!, $first: Int, $labels: [String!]) {
  search(text: $text, first: $first, labels: $labels) {
    label score matched node { __typename id
      ... on Expert { key } ... on Demand { key } ... on Achievement { key }
      ... on Enterprise { key } ... on Training { key } ... on Institution { key }
      ... on Industry { key: code } ... on City { key: code } } } }"""


def hits(server: Server, text: str, **kw: object) -> list[tuple[str, str, float]]:
    data = server.data(SEARCH, {"text": text, **kw})
    return [(h["label"], h["node"]["key"], h["score"]) for h in data["search"]]


def test_carbonate_ranks_the_related_above_the_unrelated(mini_server: Server) -> None:
    found = hits(mini_server, "碳酸钙", first=20)
    keys = [k for _, k, _ in found]
    related = {"DEM-1", "DEM-2", "ACH-1", "ACH-3", "EXP-1", "EXP-2", "TRN-1"}
    for key in ("DEM-1", "ACH-1", "EXP-1", "EXP-2"):
        assert key in keys
    unrelated = [k for k in keys if k not in related]
    last_related = max(keys.index(k) for k in related if k in keys)
    assert all(keys.index(k) > last_related for k in unrelated)
    for k in ("ENT-3", "EXP-3", "EXP-4", "ACH-2", "DEM-3"):
        assert k not in keys
    scores = [s for _, _, s in found]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    types = {label for label, _, _ in found}
    assert {"Demand", "Achievement", "Expert"} <= types


def test_results_are_typed_nodes_with_global_ids(mini_server: Server) -> None:
    data = mini_server.data(SEARCH, {"text": "汽车冲压", "first": 5})["search"]
    first = data[0]
    assert first["node"]["__typename"] == first["label"]
    again = mini_server.data(
        "query($id: ID!) { node(id: $id) { id } }", {"id": first["node"]["id"]}
    )
    assert again["node"]["id"] == first["node"]["id"]
    assert {h["node"]["key"] for h in data} >= {"ACH-2", "DEM-3"}


def test_names_labels_and_limits(mini_server: Server) -> None:
    assert hits(mini_server, "李明")[0][:2] == ("Expert", "EXP-1")
    assert hits(mini_server, "贺州学院")[0][:2] == ("Institution", "INST-HZXY")
    only = hits(mini_server, "碳酸钙", labels=["Expert"])
    assert [k for _, k, _ in only] == ["EXP-1", "EXP-2"]
    assert len(hits(mini_server, "碳酸钙", first=2)) == 2
    assert hits(mini_server, "量子计算机") == []
    assert hits(mini_server, "的") == []  # no content words
    bad = mini_server.post(SEARCH, {"text": "x", "labels": ["Keyword"]}).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    long = mini_server.post(SEARCH, {"text": "碳" * 201}).json()
    assert "at most 200 characters" in long["errors"][0]["message"]


def test_index_follows_the_graph_version(run_schema: Run, tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "graph")
    try:
        load_dataset(store, MINI)
        query = '{ search(text: "光伏组件") { node { ... on Enterprise { key } } } }'
        assert run_schema(store, query).data == {"search": []}
        batch = Batch()
        batch.upsert_node("Enterprise", "ENT-9", {"key": "ENT-9", "name": "贺州光伏组件有限公司"})
        store.apply(batch)
        assert run_schema(store, query).data == {"search": [{"node": {"key": "ENT-9"}}]}
    finally:
        store.close()


@pytest.fixture(scope="module")
def small_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("Enterprise:E1", key="E1", name="Smart PLC Systems")
    g.add_node("Enterprise:E2", key="E2", name="柳州汽车配件厂")
    g.add_node("Demand:D1", key="D1", title="PLC 控制 改造", description="生产线 自动化")
    g.add_node("Keyword:plc", key="plc")
    return g


def test_latin_words_and_ties(small_graph: nx.MultiDiGraph) -> None:
    seg = Segmenter()
    index = build_index(small_graph, seg.tokens)
    found = search(index, "PLC", seg.tokens)
    assert [(h.label, h.key) for h in found] == [("Demand", "D1"), ("Enterprise", "E1")] or [
        (h.label, h.key) for h in found
    ] == [("Enterprise", "E1"), ("Demand", "D1")]
    assert all(h.matched == ("plc",) for h in found)
    assert search(index, "PLC", seg.tokens, first=0) == []
    assert search(index, "PLC", seg.tokens, labels={"Enterprise"})[0].key == "E1"
    again = search(index, "PLC", seg.tokens)
    assert again == found  # deterministic
