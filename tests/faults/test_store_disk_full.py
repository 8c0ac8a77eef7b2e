"""The embedded store on a disk that fills up: a write the disk refused leaves nothing behind,
neither in the graph nor in the journal, and writes resume once there is space again; a
checkpoint that fails after a durable write does not un-acknowledge it.

Real full file systems (a tiny tmpfs), no mocks: the first test failed before the journal
was made unbuffered (the refused record stayed in the file object's buffer, reached the file
with the next record, and the store then refused to start: "sequence 9 after 9").
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from graphsvc.store import Batch, MemoryStore, StoreError
from graphsvc.store.files import read_journal
from tests.faults.conftest import fill, tmpfs


def city(code: int, padding: int = 0) -> Batch:
    b = Batch()
    b.upsert_node("City", str(code), {"code": str(code), "name": "市" * padding or "city"})
    return b


def test_refused_writes_leave_nothing_and_writes_resume(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "256k") as disk:
        filler = disk / "filler"
        filler.write_bytes(b"\0" * 160_000)
        store = MemoryStore(disk / "graph")
        try:
            acknowledged: list[int] = []
            refused = 0
            for code in range(100_000, 100_200):
                before = (store.version, (disk / "graph" / "journal.log").stat().st_size)
                try:
                    store.apply(city(code, padding=1000))  # about 3 KB a record
                    acknowledged.append(code)
                except StoreError as e:
                    assert "No space left on device" in str(e)
                    refused += 1
                    # nothing of it: not in the graph, not in the journal file
                    assert store.get_nodes("City", [str(code)]) == [None]
                    after = (store.version, (disk / "graph" / "journal.log").stat().st_size)
                    assert after == before
                    if refused == 3:
                        break
            assert refused == 3 and acknowledged
            filler.unlink()
            store.apply(city(1))  # space again: the journal takes writes
            acknowledged.append(1)
        finally:
            store.close()
        seqs = [r.seq for r in read_journal(disk / "graph" / "journal.log")]
        assert seqs == list(range(1, len(acknowledged) + 1))
        store = MemoryStore(disk / "graph")  # and a restart finds exactly those writes
        try:
            assert store.version == len(acknowledged)
            assert store.counts().nodes == {"City": len(acknowledged)}
        finally:
            store.close()


def test_a_failed_checkpoint_keeps_the_write_it_followed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with tmpfs(tmp_path / "disk", "256k") as disk:
        store = MemoryStore(disk / "graph", checkpoint_bytes=0)  # a snapshot after every write
        try:
            assert store.apply(city(450100)) == 1
            fill(disk)
            # The small record fits the journal's last page, the snapshot does not fit at all.
            with caplog.at_level(logging.WARNING, logger="graphsvc.store.memory"):
                assert store.apply(city(450200)) == 2
            assert "checkpoint failed" in caplog.text and "No space left" in caplog.text
            assert not (disk / "graph" / "snapshot.bin.tmp").exists()
        finally:
            store.close()
        (disk / "filler").unlink()
        store = MemoryStore(disk / "graph")
        try:
            assert store.version == 2
            assert store.get_nodes("City", ["450100", "450200"]) == [
                {"code": "450100", "name": "city"},
                {"code": "450200", "name": "city"},
            ]
        finally:
            store.close()
