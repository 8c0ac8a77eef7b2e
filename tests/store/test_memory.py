"""The embedded store: round trips, restarts, crashes, torn journals and damaged snapshots."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.store import Batch, CorruptStoreError, MemoryStore, StoreError
from graphsvc.store.files import read_journal


def city_batch(code: str, name: str) -> Batch:
    b = Batch()
    b.upsert_node("City", code, {"code": code, "name": name})
    return b


def small_graph() -> Batch:
    b = Batch()
    b.upsert_node("City", "451100", {"code": "451100", "name": "贺州市"})
    b.upsert_node("County", "451121", {"code": "451121", "name": "昭平县", "poverty_county": True})
    b.upsert_rel("IN_CITY", ("County", "451121"), ("City", "451100"))
    b.upsert_node("Expert", "E1", {"key": "E1", "name": "李明", "capacity": 3})
    b.upsert_node("Enterprise", "X1", {"key": "X1", "name": "华鑫"})
    for start, rating in (("2024-01-01", 4), ("2024-06-01", 5)):
        b.upsert_rel(
            "SERVED",
            ("Expert", "E1"),
            ("Enterprise", "X1"),
            {"role": "visit", "start_on": start, "rating": rating},
        )
    return b


def test_round_trip(store: MemoryStore) -> None:
    assert store.apply(small_graph()) == 1
    assert store.get_nodes("County", ["451121", "nope"]) == [
        {"code": "451121", "name": "昭平县", "poverty_county": True},
        None,
    ]
    [[(label, city, rel)]] = store.neighbours("County", ["451121"], "IN_CITY")
    assert (label, city["name"], rel) == ("City", "贺州市", {})
    [served] = store.neighbours("Expert", ["E1"], "SERVED")
    assert sorted(r["rating"] for _, _, r in served) == [4, 5]  # parallel records kept apart
    [incoming] = store.neighbours("City", ["451100"], "IN_CITY", "in")
    assert [p["code"] for _, p, _ in incoming] == ["451121"]
    counts = store.counts()
    assert counts.nodes == {"City": 1, "County": 1, "Expert": 1, "Enterprise": 1}
    assert counts.relationships == {"IN_CITY": 1, "SERVED": 2}
    assert [p["code"] for p in store.iter_nodes("City")] == ["451100"]


def test_upsert_replaces_or_merges_and_keeps_counts(store: MemoryStore) -> None:
    store.apply(small_graph())
    store.apply(small_graph())  # same writes again: nothing new
    assert store.counts().relationships == {"IN_CITY": 1, "SERVED": 2}
    b = Batch()
    b.upsert_node("Expert", "E1", {"key": "E1", "name": "李明明"})  # replace: capacity gone
    b.upsert_node("County", "451121", {"poverty_county": False}, replace=False)  # merge
    b.upsert_rel(
        "SERVED",
        ("Expert", "E1"),
        ("Enterprise", "X1"),
        {"role": "visit", "start_on": "2024-01-01", "rating": 1},
    )
    store.apply(b)
    assert store.get_nodes("Expert", ["E1"]) == [{"key": "E1", "name": "李明明"}]
    assert store.get_nodes("County", ["451121"])[0] == {
        "code": "451121",
        "name": "昭平县",
        "poverty_county": False,
    }
    [served] = store.neighbours("Expert", ["E1"], "SERVED")
    assert sorted(r["rating"] for _, _, r in served) == [1, 5]
    assert store.counts().relationships["SERVED"] == 2


def test_clear_rels(store: MemoryStore) -> None:
    store.apply(small_graph())
    b = Batch()
    b.clear_rels(("Enterprise", "X1"), "SERVED", "in")
    store.apply(b)
    assert store.neighbours("Expert", ["E1"], "SERVED") == [[]]
    assert store.counts().relationships == {"IN_CITY": 1}


def test_a_bad_batch_changes_nothing(store: MemoryStore) -> None:
    store.apply(small_graph())
    journal = (store.data_dir / "journal.log").read_bytes()
    b = city_batch("450100", "南宁市")
    b.upsert_rel("IN_CITY", ("County", "missing"), ("City", "450100"))
    with pytest.raises(StoreError, match="County 'missing', which does not exist"):
        store.apply(b)
    assert store.version == 1
    assert store.get_nodes("City", ["450100"]) == [None]
    assert (store.data_dir / "journal.log").read_bytes() == journal


def test_batch_refuses_wrong_endpoints() -> None:
    with pytest.raises(StoreError, match="IN_CITY cannot link Expert to City"):
        Batch().upsert_rel("IN_CITY", ("Expert", "E1"), ("City", "451100"))


def test_view_is_read_only(store: MemoryStore) -> None:
    store.apply(small_graph())
    view = store.view()
    assert view.has_node("City:451100")
    with pytest.raises(nx.NetworkXError, match="Frozen graph"):
        view.add_node("City:1")


def test_restart_restores_exactly_the_same_graph(tmp_path: Path, graph_state) -> None:
    store = MemoryStore(tmp_path)
    store.apply(small_graph())
    store.apply(city_batch("450100", "南宁市"))
    before, version = graph_state(store), store.version
    store.close()
    again = MemoryStore(tmp_path)
    assert graph_state(again) == before
    assert again.version == version == 2
    assert again.counts().nodes["City"] == 2
    again.close()


def test_restart_after_checkpoint_and_more_writes(tmp_path: Path, graph_state) -> None:
    store = MemoryStore(tmp_path, checkpoint_bytes=1)  # every write checkpoints
    store.apply(small_graph())
    assert (tmp_path / "snapshot.bin").exists()
    assert list(read_journal(tmp_path / "journal.log")) == []
    store.checkpoint_bytes = 1 << 30
    store.apply(city_batch("450100", "南宁市"))  # journal only
    before = graph_state(store)
    store.close()
    again = MemoryStore(tmp_path)
    assert graph_state(again) == before and again.version == 2
    again.close()


def test_bulk_load_is_one_version_made_durable_by_a_snapshot(tmp_path: Path, graph_state) -> None:
    store = MemoryStore(tmp_path)
    store.apply(city_batch("450100", "南宁市"))
    with store.bulk() as write:
        write(small_graph())
        write(city_batch("450200", "柳州市"))
    assert store.version == 2
    before = graph_state(store)
    store.close()
    assert (tmp_path / "snapshot.bin").exists()
    assert list(read_journal(tmp_path / "journal.log")) == []
    again = MemoryStore(tmp_path)
    assert graph_state(again) == before and again.version == 2
    again.close()


def test_an_abandoned_bulk_load_leaves_nothing(tmp_path: Path, graph_state) -> None:
    store = MemoryStore(tmp_path)
    store.apply(city_batch("450100", "南宁市"))
    before = graph_state(store)
    with pytest.raises(KeyboardInterrupt), store.bulk() as write:
        write(small_graph())
        raise KeyboardInterrupt  # Ctrl-C part-way
    assert graph_state(store) == before and store.version == 1
    assert store.view().has_node("City:450100") and not store.view().has_node("Expert:E1")
    bad = city_batch("450300", "桂林市")
    bad.upsert_rel("IN_CITY", ("County", "missing"), ("City", "450300"))
    with pytest.raises(StoreError), store.bulk() as write:
        write(small_graph())
        write(bad)  # refused: the whole load goes
    assert graph_state(store) == before and store.version == 1
    store.close()


def test_a_folder_is_owned_by_one_process(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path)
    busy = rf"in use by another graphsvc process \(pid {os.getpid()}\)"
    with pytest.raises(StoreError, match=busy):
        MemoryStore(tmp_path)
    store.close()
    MemoryStore(tmp_path).close()  # released


def test_a_failed_fsync_acknowledges_nothing(store: MemoryStore, monkeypatch) -> None:
    store.apply(small_graph())
    size = (store.data_dir / "journal.log").stat().st_size

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StoreError, match=r"cannot write the journal .*No space left"):
        store.apply(city_batch("450100", "南宁市"))
    monkeypatch.undo()
    assert store.version == 1 and store.get_nodes("City", ["450100"]) == [None]
    assert (store.data_dir / "journal.log").stat().st_size == size
    store.apply(city_batch("450100", "南宁市"))  # and the journal still works
    assert store.version == 2


def test_torn_journal_tail_is_dropped_with_a_warning(tmp_path: Path, caplog) -> None:
    store = MemoryStore(tmp_path)
    for i in range(3):
        store.apply(city_batch(f"45010{i}", f"city {i}"))
    store.close()
    journal = tmp_path / "journal.log"
    whole = journal.read_bytes()
    store = MemoryStore(tmp_path)
    store.apply(city_batch("450200", "柳州市"))
    store.close()
    fourth = journal.read_bytes()[len(whole) :]
    journal.write_bytes(whole + fourth[: len(fourth) // 2])  # crash mid-write of record 4
    with caplog.at_level(logging.WARNING):
        store = MemoryStore(tmp_path)
    assert store.version == 3
    assert store.counts().nodes == {"City": 3}
    assert "record #4" in caplog.text and "torn" in caplog.text
    assert journal.read_bytes() == whole  # the torn bytes are cut off
    store.apply(city_batch("450200", "柳州市"))  # appending goes on cleanly
    store.close()
    again = MemoryStore(tmp_path)
    assert again.version == 4 and again.counts().nodes == {"City": 4}
    again.close()


def test_torn_header_and_bad_checksum_at_the_tail(tmp_path: Path, caplog) -> None:
    store = MemoryStore(tmp_path)
    store.apply(city_batch("450100", "南宁市"))
    store.apply(city_batch("450200", "柳州市"))
    store.close()
    journal = tmp_path / "journal.log"
    data = bytearray(journal.read_bytes())
    data[-1] ^= 0xFF  # the last record's payload is damaged: a torn write
    journal.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        store = MemoryStore(tmp_path)
    assert store.version == 1 and "checksum" in caplog.text
    store.close()
    journal.write_bytes(journal.read_bytes() + b"\x02\x00\x00")  # three bytes of a header
    store = MemoryStore(tmp_path)
    assert store.version == 1
    store.close()


def test_damage_before_the_tail_stops_start_up_and_touches_nothing(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path)
    store.apply(city_batch("450100", "南宁市"))
    store.apply(city_batch("450200", "柳州市"))
    store.close()
    journal = tmp_path / "journal.log"
    data = bytearray(journal.read_bytes())
    data[30] ^= 0xFF  # inside the first record
    journal.write_bytes(bytes(data))
    with pytest.raises(CorruptStoreError, match=r"record #1 .* damaged .* more records follow"):
        MemoryStore(tmp_path)
    assert journal.read_bytes() == bytes(data)
    data[30] ^= 0xFF  # repaired, the folder opens again (its lock was released)
    journal.write_bytes(bytes(data))
    MemoryStore(tmp_path).close()


def test_corrupted_snapshot_is_refused(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path)
    with store.bulk() as write:
        write(small_graph())
    store.close()
    snapshot = tmp_path / "snapshot.bin"
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0x01
    snapshot.write_bytes(bytes(data))
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(CorruptStoreError, match=r"snapshot\.bin is damaged \(checksum mismatch"):
        MemoryStore(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files
    snapshot.write_bytes(b"GSSNAP1\n\x00")  # cut short
    with pytest.raises(CorruptStoreError, match="cut short"):
        MemoryStore(tmp_path)


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from graphsvc.store import Batch, MemoryStore

    store = MemoryStore(Path(sys.argv[1]), checkpoint_bytes=int(sys.argv[2]))
    start = store.version
    i = start
    while True:
        i += 1
        b = Batch()
        b.upsert_node("City", str(i), {"code": str(i), "name": "c" * (i % 50)})
        if i > 1:
            b.upsert_node("County", str(i), {"code": str(i), "name": "k"})
            b.upsert_rel("IN_CITY", ("County", str(i)), ("City", str(i - 1)))
        store.apply(b)
        print(i, flush=True)  # acknowledged
    """
)


@pytest.mark.parametrize("checkpoint_bytes", [1 << 30, 20_000])
def test_sigkill_during_writes_loses_no_acknowledged_write(
    tmp_path: Path, checkpoint_bytes: int
) -> None:
    """A writer process is killed at random moments; every write it acknowledged survives."""
    rng = random.Random(7)
    acknowledged = 0
    for _ in range(5):
        with subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(checkpoint_bytes)],
            stdout=subprocess.PIPE,
            text=True,
        ) as child:
            assert child.stdout is not None
            first = child.stdout.readline()  # it is writing
            assert first.strip()
            time.sleep(rng.uniform(0.05, 0.4))
            child.send_signal(signal.SIGKILL)
            rest = child.stdout.read()
        acks = [int(x) for x in (first + rest).split()]
        assert acks == list(range(acks[0], acks[0] + len(acks)))
        acknowledged = acks[-1]
        store = MemoryStore(tmp_path)
        # every acknowledged write, and at most one more (written, killed before printing)
        assert acknowledged <= store.version <= acknowledged + 1
        cities = store.get_nodes("City", [str(i) for i in range(1, acknowledged + 1)])
        assert all(c is not None for c in cities)
        counts = store.counts()
        assert counts.nodes["City"] == store.version
        assert counts.relationships.get("IN_CITY", 0) == store.version - 1
        store.close()
    assert acknowledged > 20
