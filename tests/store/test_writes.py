"""Writes as the API makes them: preconditions, audit entries, idempotency keys, and readers
that never see half a batch while writers work."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.store import Batch, ConflictError, MemoryStore
from graphsvc.store.files import write_snapshot


def demand(key: str, status: str = "open") -> Batch:
    b = Batch()
    b.upsert_node("Enterprise", "X1", {"key": "X1", "name": "华鑫"}, replace=False)
    b.upsert_node("Demand", key, {"key": key, "title": "碳酸钙改性", "status": status})
    b.upsert_rel("POSTED", ("Enterprise", "X1"), ("Demand", key))
    return b


def audited(batch: Batch, mutation: str, key: str | None = None) -> Batch:
    batch.audit({"actor": "admin", "mutation": mutation, "idempotency_key": key, "input": {}})
    return batch


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MemoryStore]:
    s = MemoryStore(tmp_path / "g")
    yield s
    s.close()


def test_precondition_on_a_property_guards_the_whole_batch(store: MemoryStore) -> None:
    store.apply(demand("D1"))
    ok = Batch()
    ok.require("Demand", "D1", "status", "open")
    ok.upsert_node("Demand", "D1", {"status": "matched"}, replace=False)
    store.apply(ok)
    late = Batch()
    late.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
    late.require("Demand", "D1", "status", "open")
    late.upsert_node("Demand", "D1", {"status": "closed"}, replace=False)
    version = store.version
    with pytest.raises(ConflictError, match="has status 'matched' now, not 'open'"):
        store.apply(late)
    assert store.version == version
    assert store.get_nodes("Demand", ["D1"])[0]["status"] == "matched"  # type: ignore[index]
    assert store.get_nodes("City", ["450100"]) == [None]  # nothing of the batch landed


def test_precondition_on_existence(store: MemoryStore) -> None:
    create = demand("D1")
    create.ops.insert(0, ["P", "Demand", "D1", None, False])
    store.apply(create)
    again = demand("D1")
    again.require("Demand", "D1", None, False)
    with pytest.raises(ConflictError, match="Demand 'D1' exists"):
        store.apply(again)
    must_exist = Batch()
    must_exist.require("Demand", "D9", None, True)
    with pytest.raises(ConflictError, match="does not exist"):
        store.apply(must_exist)


def test_a_version_precondition_refuses_a_batch_checked_against_an_older_graph(
    store: MemoryStore,
) -> None:
    store.apply(demand("D1"))
    checked = Batch()
    checked.require_version(store.version)
    checked.upsert_node("Demand", "D1", {"status": "matched"}, replace=False)
    store.apply(demand("D2"))  # another write gets in first
    with pytest.raises(ConflictError, match="at version 2 now, not 1"):
        store.apply(checked)
    checked.ops[0] = ["V", store.version]
    assert store.apply(checked) == 3


def test_audit_entries_are_numbered_stamped_and_survive_restarts(tmp_path: Path) -> None:
    s = MemoryStore(tmp_path / "g")
    s.apply(audited(demand("D1"), "postDemand", "k-1"))
    s.apply(audited(demand("D2"), "postDemand"))
    entries = s.audit_entries()
    assert [(e["seq"], e["version"], e["mutation"]) for e in entries] == [
        (1, 1, "postDemand"),
        (2, 2, "postDemand"),
    ]
    assert entries[0]["at"].endswith("Z") and entries[0]["actor"] == "admin"
    s.close()
    s = MemoryStore(tmp_path / "g")  # journal replay
    assert s.audit_entries() == entries
    s.checkpoint()
    s.close()
    s = MemoryStore(tmp_path / "g")  # from the snapshot
    assert s.audit_entries() == entries
    assert s.audit_entries(after=1) == entries[1:]
    assert s.audit_entries(limit=1) == entries[:1]
    assert s.audit_entry("k-1") == entries[0]
    assert s.audit_entry("k-2") is None
    s.close()


def test_a_used_idempotency_key_refuses_the_batch_and_names_the_first(store: MemoryStore) -> None:
    store.apply(audited(demand("D1"), "postDemand", "k-1"))
    with pytest.raises(ConflictError) as refused:
        store.apply(audited(demand("D2"), "postDemand", "k-1"))
    assert refused.value.existing is not None and refused.value.existing["seq"] == 1
    assert store.get_nodes("Demand", ["D2"]) == [None]
    twice = audited(audited(Batch(), "a", "k-2"), "b", "k-2")
    with pytest.raises(ConflictError, match="k-2"):
        store.apply(twice)
    assert len(store.audit_entries()) == 1


def test_a_version_2_snapshot_still_opens(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    frames = [
        {"format": 2},
        ("N", [("City:450100", {"code": "450100", "name": "南宁市"})]),
        ("E", []),
    ]
    write_snapshot(folder / "snapshot.bin", 7, frames)
    s = MemoryStore(folder)
    assert s.version == 7 and s.audit_entries() == []
    assert s.get_nodes("City", ["450100"])[0] == {"code": "450100", "name": "南宁市"}
    s.close()


def test_readers_never_see_half_a_batch(store: MemoryStore) -> None:
    """Each batch moves one unit between two nodes and links a new node to both: a reader
    sees the sum unchanged, and every new node with both of its links."""
    seed = Batch()
    for key, units in (("A", 100), ("B", 0)):
        seed.upsert_node("Expert", key, {"key": key, "capacity": units})
    store.apply(seed)
    rounds = 300
    stop = threading.Event()
    seen: list[str] = []

    def write() -> None:
        try:
            for i in range(rounds):
                b = Batch()
                a, bb = 100 - (i + 1), i + 1
                b.upsert_node("Expert", "A", {"key": "A", "capacity": a})
                b.upsert_node("Enterprise", f"X{i}", {"key": f"X{i}", "name": f"企业{i}"})
                b.upsert_rel("SERVED", ("Expert", "A"), ("Enterprise", f"X{i}"), {"role": "visit"})
                b.upsert_rel("SERVED", ("Expert", "B"), ("Enterprise", f"X{i}"), {"role": "visit"})
                b.upsert_node("Expert", "B", {"key": "B", "capacity": bb})
                store.apply(b)
        finally:
            stop.set()

    def read_calls() -> None:
        while not stop.is_set():
            a, b = store.get_nodes("Expert", ["A", "B"])
            assert a is not None and b is not None
            if a["capacity"] + b["capacity"] != 100:
                seen.append(f"get_nodes saw {a['capacity']} + {b['capacity']}")
            served_a, served_b = store.neighbours("Expert", ["A", "B"], "SERVED")
            if abs(len(served_a) - len(served_b)) > 1:  # two calls: at most one batch apart
                seen.append(f"neighbours saw {len(served_a)} and {len(served_b)}")

    def read_view() -> None:
        g = store.view()
        while not stop.is_set():
            with store.reading():
                total = g.nodes["Expert:A"]["capacity"] + g.nodes["Expert:B"]["capacity"]
                enterprises = [n for n in g if n.startswith("Enterprise:")]
                for n in enterprises:
                    if g.in_degree(n) != 2:
                        seen.append(f"{n} had {g.in_degree(n)} links")
                if total != 100:
                    seen.append(f"view saw a total of {total}")

    threads = [threading.Thread(target=f) for f in (write, read_calls, read_view, read_view)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not seen, seen[:5]
    assert store.version == rounds + 1


def test_a_waiting_writer_goes_before_new_long_reads(store: MemoryStore) -> None:
    """Index builds hold `reading()` for long; overlapping ones would leave a reader-first
    lock never free. A build that starts while a writer waits lets the writer go first."""
    store.apply(demand("D1"))
    entered = [threading.Event(), threading.Event()]
    release = [threading.Event(), threading.Event()]
    order: list[str] = []

    def first_build() -> None:
        with store.reading():
            entered[0].set()
            release[0].wait(10)
        with store.reading():  # the next build, started while the writer waits
            order.append("next build")

    def other_build() -> None:
        with store.reading():
            entered[1].set()
            release[1].wait(10)

    def write() -> None:
        store.apply(demand("D2"))
        order.append("write")

    builds = [threading.Thread(target=first_build), threading.Thread(target=other_build)]
    for t in builds:
        t.start()
    for e in entered:
        e.wait(10)
    writer = threading.Thread(target=write)
    writer.start()
    while store._writers == 0:  # the writer is queued behind the two builds
        time.sleep(0.01)
    release[0].set()
    time.sleep(0.2)  # room for the next build to jump the queue, if it could
    release[1].set()
    for t in [*builds, writer]:
        t.join(10)
    assert order == ["write", "next build"]


def test_a_short_read_never_waits_for_a_writer(store: MemoryStore) -> None:
    """The event loop reads (`short=True`): it must not stall behind a writer that waits
    for a long read to end."""
    store.apply(demand("D1"))
    entered, release, done = threading.Event(), threading.Event(), threading.Event()

    def build() -> None:
        with store.reading():
            entered.set()
            release.wait(10)

    builder = threading.Thread(target=build)
    builder.start()
    entered.wait(10)
    writer = threading.Thread(target=store.apply, args=(demand("D2"),))
    writer.start()
    while store._writers == 0:
        time.sleep(0.01)

    def loop_read() -> None:
        with store.reading(short=True):
            done.set()

    reader = threading.Thread(target=loop_read)
    reader.start()
    reader.join(10)
    answered = done.is_set()  # while the writer still waits for the build
    release.set()
    for t in (builder, writer):
        t.join(10)
    assert answered


def test_nested_reading_in_one_thread_does_not_wait_on_a_writer(store: MemoryStore) -> None:
    store.apply(demand("D1"))
    entered = threading.Event()
    done = threading.Event()

    def nested() -> None:
        with store.reading():
            entered.set()
            time.sleep(0.2)  # a writer comes and waits for us
            with store.reading():  # must not wait for that writer: it waits for us
                done.set()

    reader = threading.Thread(target=nested)
    reader.start()
    entered.wait(5)
    store.apply(demand("D2"))
    reader.join(5)
    assert done.is_set() and not reader.is_alive()
