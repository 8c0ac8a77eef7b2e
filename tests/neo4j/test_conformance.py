"""The store protocol, run against both backends: the embedded store and a real Neo4j.

Every test takes `any_store` (parametrised over memory and neo4j), so the two must behave
alike: the same answers, the same order, the same refusals with the same messages.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.store import Batch, ConflictError, StoreError
from graphsvc.store.base import GraphStore


def small_graph() -> Batch:
    b = Batch()
    b.upsert_node("City", "451100", {"code": "451100", "name": "贺州市"})
    b.upsert_node("County", "451121", {"code": "451121", "name": "昭平县", "poverty_county": True})
    b.upsert_rel("IN_CITY", ("County", "451121"), ("City", "451100"))
    b.upsert_node("Expert", "E1", {"key": "E1", "name": "李明", "capacity": 3})
    b.upsert_node("Enterprise", "X1", {"key": "X1", "name": "华鑫", "rd_spend_wan": 12.5})
    b.upsert_node("Industry", "C", {"code": "C", "name": "制造业", "tags": ["碳酸钙", "新材料"]})
    for start, rating in (("2024-01-01", 4), ("2024-06-01", 5)):
        b.upsert_rel(
            "SERVED",
            ("Expert", "E1"),
            ("Enterprise", "X1"),
            {"role": "visit", "start_on": start, "rating": rating},
        )
    return b


def state(store: GraphStore) -> tuple[list[Any], list[Any]]:
    """The view as lists, in iteration order (order matters: ties break by it)."""
    g = store.view()
    return list(g.nodes(data=True)), list(g.edges(keys=True, data=True))


def test_round_trip(any_store: GraphStore) -> None:
    assert isinstance(any_store, GraphStore)  # every method of the protocol is there
    assert any_store.version == 0
    assert any_store.apply(small_graph()) == 1
    assert any_store.version == 1
    assert any_store.get_nodes("County", ["451121", "nope"]) == [
        {"code": "451121", "name": "昭平县", "poverty_county": True},
        None,
    ]
    assert any_store.get_nodes("Industry", ["C"])[0] == {
        "code": "C",
        "name": "制造业",
        "tags": ["碳酸钙", "新材料"],
    }
    [[(label, city, rel)]] = any_store.neighbours("County", ["451121"], "IN_CITY")
    assert (label, city["name"], rel) == ("City", "贺州市", {})
    [served] = any_store.neighbours("Expert", ["E1"], "SERVED")
    assert [r["rating"] for _, _, r in served] == [4, 5]  # parallel records kept apart, in order
    [incoming] = any_store.neighbours("City", ["451100"], "IN_CITY", "in")
    assert [p["code"] for _, p, _ in incoming] == ["451121"]
    assert any_store.neighbours("Expert", [], "SERVED") == []
    assert any_store.get_nodes("Expert", []) == []
    counts = any_store.counts()
    assert counts.nodes == {"City": 1, "County": 1, "Expert": 1, "Enterprise": 1, "Industry": 1}
    assert counts.relationships == {"IN_CITY": 1, "SERVED": 2}
    assert [p["code"] for p in any_store.iter_nodes("City")] == ["451100"]
    assert any_store.ping()


def test_upsert_replaces_or_merges_and_keeps_counts(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    any_store.apply(small_graph())  # same writes again: nothing new
    assert any_store.counts().relationships == {"IN_CITY": 1, "SERVED": 2}
    b = Batch()
    b.upsert_node("Expert", "E1", {"key": "E1", "name": "李明明"})  # replace: capacity gone
    b.upsert_node("County", "451121", {"poverty_county": False}, replace=False)  # merge
    b.upsert_rel(
        "SERVED",
        ("Expert", "E1"),
        ("Enterprise", "X1"),
        {"role": "visit", "start_on": "2024-01-01", "rating": 1},
    )
    assert any_store.apply(b) == 3
    assert any_store.get_nodes("Expert", ["E1"]) == [{"key": "E1", "name": "李明明"}]
    assert any_store.get_nodes("County", ["451121"])[0] == {
        "code": "451121",
        "name": "昭平县",
        "poverty_county": False,
    }
    [served] = any_store.neighbours("Expert", ["E1"], "SERVED")
    assert [r["rating"] for _, _, r in served] == [1, 5]  # updated in place, order kept
    assert any_store.counts().relationships["SERVED"] == 2


def test_clear_rels(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    b = Batch()
    b.clear_rels(("Enterprise", "X1"), "SERVED", "in")
    b.clear_rels(("Enterprise", "NOPE"), "SERVED", "in")  # a missing node: nothing to clear
    b.upsert_rel("SERVED", ("Expert", "E1"), ("Enterprise", "X1"), {"role": "team"})
    any_store.apply(b)
    [[(_, _, rel)]] = any_store.neighbours("Expert", ["E1"], "SERVED")
    assert rel == {"role": "team"}
    assert any_store.counts().relationships == {"IN_CITY": 1, "SERVED": 1}


def test_a_bad_batch_changes_nothing(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    b = Batch()
    b.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
    b.upsert_rel("IN_CITY", ("County", "missing"), ("City", "450100"))
    with pytest.raises(StoreError, match="write 2: IN_CITY refers to County 'missing', which"):
        any_store.apply(b)
    assert any_store.version == 1
    assert any_store.get_nodes("City", ["450100"]) == [None]


def test_a_relationship_needs_its_end_created_earlier_in_the_batch(any_store: GraphStore) -> None:
    b = Batch()
    b.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
    b.upsert_rel("IN_CITY", ("County", "450102"), ("City", "450100"))
    b.upsert_node("County", "450102", {"code": "450102", "name": "兴宁区"})
    with pytest.raises(StoreError, match="write 2: IN_CITY refers to County '450102'"):
        any_store.apply(b)
    assert any_store.counts().nodes == {}


def test_insertion_order_is_kept_everywhere(any_store: GraphStore) -> None:
    b = Batch()
    for code in ("450300", "450100", "450200"):
        b.upsert_node("City", code, {"code": code, "name": code})
    b.upsert_node("Expert", "E1", {"key": "E1", "name": "甲"})
    for code in ("450200", "450300"):
        b.upsert_rel("BASED_IN", ("Expert", "E1"), ("City", code))
    any_store.apply(b)
    later = Batch()
    later.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})  # no move
    later.upsert_rel("BASED_IN", ("Expert", "E1"), ("City", "450100"))
    any_store.apply(later)
    assert [p["code"] for p in any_store.iter_nodes("City")] == ["450300", "450100", "450200"]
    [found] = any_store.neighbours("Expert", ["E1"], "BASED_IN")
    assert [p["code"] for _, p, _ in found] == ["450200", "450300", "450100"]
    nodes, edges = state(any_store)
    assert [n for n, _ in nodes] == ["City:450300", "City:450100", "City:450200", "Expert:E1"]
    assert [(u, v) for u, v, _, _ in edges] == [
        ("Expert:E1", "City:450200"),
        ("Expert:E1", "City:450300"),
        ("Expert:E1", "City:450100"),
    ]


def test_iter_nodes_reads_in_chunks(any_store: GraphStore) -> None:
    b = Batch()
    for i in range(25):
        b.upsert_node("Keyword", f"k{i:02}", {"key": f"k{i:02}"})
    any_store.apply(b)
    keys = [p["key"] for p in any_store.iter_nodes("Keyword", chunk=10)]  # type: ignore[call-arg]
    assert keys == [f"k{i:02}" for i in range(25)]


def test_view_matches_the_graph_and_is_read_only(any_store: GraphStore) -> None:
    import networkx as nx

    any_store.apply(small_graph())
    nodes, edges = state(any_store)
    assert ("County:451121", {"code": "451121", "name": "昭平县", "poverty_county": True}) in nodes
    assert (
        "Expert:E1",
        "Enterprise:X1",
        "SERVED|visit|2024-06-01",
        {"role": "visit", "start_on": "2024-06-01", "rating": 5},
    ) in edges
    assert ("County:451121", "City:451100", "IN_CITY", {}) in edges
    with pytest.raises(nx.NetworkXError, match="Frozen graph"):
        any_store.view().add_node("City:1")
    b = Batch()
    b.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
    any_store.apply(b)
    assert any_store.view().has_node("City:450100")  # a new version, a new view


def test_bulk_load_is_one_version(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    with any_store.bulk() as write:
        b = Batch()
        b.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
        write(b)
        b = Batch()
        b.upsert_node("County", "450102", {"code": "450102", "name": "兴宁区"})
        b.upsert_rel("IN_CITY", ("County", "450102"), ("City", "450100"))  # an earlier batch's
        write(b)
    assert any_store.version == 2
    assert any_store.counts().relationships["IN_CITY"] == 2
    with any_store.bulk():
        pass  # nothing written: no new version
    assert any_store.version == 2


def test_an_abandoned_bulk_load_leaves_nothing(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    before = state(any_store)
    with pytest.raises(RuntimeError, match="stop"), any_store.bulk() as write:
        b = Batch()
        b.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
        b.upsert_node("Expert", "E1", {"key": "E1", "name": "改"})
        write(b)
        raise RuntimeError("stop")
    assert any_store.version == 1
    assert state(any_store) == before
    with pytest.raises(StoreError, match="refers to County 'nope'"), any_store.bulk() as write:
        b = Batch()
        b.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
        write(b)
        b = Batch()
        b.upsert_rel("IN_CITY", ("County", "nope"), ("City", "450100"))
        write(b)
    assert state(any_store) == before


def test_preconditions_guard_the_whole_batch(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    late = Batch()
    late.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
    late.require("Expert", "E1", "capacity", 2)
    late.upsert_node("Expert", "E1", {"capacity": 1}, replace=False)
    with pytest.raises(ConflictError, match="write 2: Expert 'E1' has capacity 3 now, not 2"):
        any_store.apply(late)
    assert any_store.get_nodes("City", ["450100"]) == [None]
    exists = Batch()
    exists.require("Expert", "E9", None, True)
    with pytest.raises(ConflictError, match="Expert 'E9' does not exist"):
        any_store.apply(exists)
    ok = Batch()
    ok.require("Expert", "E1", "capacity", 3)
    ok.require("Expert", "E2", None, False)
    ok.upsert_node("Expert", "E2", {"key": "E2", "name": "王"})
    assert any_store.apply(ok) == 2


def test_a_batch_can_require_the_version_it_was_checked_on(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    checked = Batch()
    checked.require_version(1)
    checked.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
    stale = Batch()
    stale.upsert_node("City", "450200", {"code": "450200", "name": "柳州市"})
    stale.require_version(1)
    assert any_store.apply(checked) == 2
    with pytest.raises(ConflictError, match="write 2: the graph is at version 2 now, not 1"):
        any_store.apply(stale)
    assert any_store.get_nodes("City", ["450200"]) == [None]
    with any_store.bulk() as write:
        during = Batch()
        during.require_version(2)
        during.upsert_node("City", "450200", {"code": "450200", "name": "柳州市"})
        write(during)
    assert any_store.version == 3


def test_audit_entries_and_idempotency_keys(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    b = Batch()
    b.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
    b.audit({"actor": "admin", "mutation": "m", "idempotency_key": "k1", "input": {"a": [1]}})
    b.audit({"actor": "admin", "mutation": "m", "idempotency_key": None, "input": {}})
    assert any_store.apply(b) == 2
    entries = any_store.audit_entries()
    assert [(e["seq"], e["version"], e["idempotency_key"]) for e in entries] == [
        (1, 2, "k1"),
        (2, 2, None),
    ]
    assert entries[0]["input"] == {"a": [1]} and entries[0]["at"].endswith("Z")
    assert b.ops[1][1] == entries[0]  # the batch carries the stored entry
    assert any_store.audit_entries(after=1) == entries[1:]
    assert any_store.audit_entries(limit=1) == entries[:1]
    assert any_store.audit_entry("k1") == entries[0]
    assert any_store.audit_entry("nope") is None
    again = Batch()
    again.upsert_node("City", "450200", {"code": "450200", "name": "柳州市"})
    again.audit({"actor": "admin", "mutation": "m", "idempotency_key": "k1", "input": {}})
    with pytest.raises(ConflictError, match="idempotency key 'k1' was used already") as e:
        any_store.apply(again)
    assert e.value.existing == entries[0]
    assert any_store.get_nodes("City", ["450200"]) == [None]
    # Audit entries are store-internal: neither counted nor in the view.
    assert any_store.counts().nodes == {
        "City": 2,
        "County": 1,
        "Expert": 1,
        "Enterprise": 1,
        "Industry": 1,
    }
    assert any_store.view().number_of_nodes() == 6


def test_reading_is_a_context(any_store: GraphStore) -> None:
    any_store.apply(small_graph())
    with any_store.reading():
        assert any_store.view().number_of_edges() == 3
