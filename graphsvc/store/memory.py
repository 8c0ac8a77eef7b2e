"""The embedded store: a networkx MultiDiGraph in memory, made durable by a journal and snapshots.

Examples
--------
>>> import tempfile, pathlib
>>> store = MemoryStore(pathlib.Path(tempfile.mkdtemp()))
>>> batch = Batch()
>>> batch.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
>>> store.apply(batch)
1
>>> store.get_nodes("City", ["450100", "999999"])
[{'code': '450100', 'name': '南宁市'}, None]
>>> store.close()
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
from readerwriterlock import rwlock

from graphsvc.ontology import node_id, split_node_id
from graphsvc.store.base import (
    AuditEntry,
    Batch,
    ConflictError,
    CorruptStoreError,
    Counts,
    Direction,
    Op,
    Props,
    StoreError,
)
from graphsvc.store.files import Journal, read_journal, read_snapshot, write_snapshot

__all__ = ["MemoryStore"]

log = logging.getLogger(__name__)

SNAPSHOT = "snapshot.bin"
JOURNAL = "journal.log"
LOCK = "LOCK"
FORMAT = 3  # 3 added the audit frames; 2 is read as a snapshot without audit entries
READABLE_FORMATS = (2, 3)
FRAME_SIZE = 20_000  # nodes or edges per snapshot frame
# After this many journal bytes, the next batch is followed by a snapshot that empties it.
DEFAULT_CHECKPOINT_BYTES = 256 * 1024 * 1024


_NO_PROPS: dict[str, Any] = {}  # shared by every edge without properties: never mutate


def _edge_key(key: str) -> str:
    """Edge keys that are just a type are interned: one string for millions of edges."""
    return key if "|" in key else sys.intern(key)


def _rel_type(edge_key: str) -> str:
    return edge_key.partition("|")[0]


class MemoryStore:
    """A durable in-memory graph in one data folder, owned by one process at a time.

    Every applied batch is a journal record fsynced before the graph changes; start-up loads
    the snapshot and replays the journal. Writers take turns; a batch lands in the graph all
    at once for readers: the store's own reads, and code holding `reading()` while it walks
    `view()`, see the graph before the batch or after it, never part of it.
    """

    def __init__(self, data_dir: Path, *, checkpoint_bytes: int = DEFAULT_CHECKPOINT_BYTES) -> None:
        self.data_dir = data_dir
        self.checkpoint_bytes = checkpoint_bytes
        self._lock = threading.RLock()  # writers take turns
        # Readers first: a batch waits for running readers, a reader never waits for a
        # waiting batch (the event loop reads; a stalled reader would stall every request).
        self._rw = rwlock.RWLockRead()
        self._turns = threading.Condition()  # writers waiting, and long reads waiting on them
        self._writers = 0
        self._reader = threading.local()  # this thread's depth of reading() blocks
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the data folder {data_dir}: {e.strerror}") from e
        self._lock_file = self._acquire_folder_lock()
        try:
            self._recover()
            self._journal = Journal(data_dir / JOURNAL)
        except BaseException:
            self._lock_file.close()
            raise

    # -- start-up -------------------------------------------------------------------------
    def _acquire_folder_lock(self) -> Any:
        path = self.data_dir / LOCK
        f = path.open("a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            owner = f.read().strip() or "unknown"
            f.close()
            raise StoreError(
                f"the data folder {self.data_dir} is in use by another graphsvc process "
                f"(pid {owner}); stop it or choose another --data-dir"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        return f

    def _recover(self) -> None:
        """(Re)build the graph from the snapshot and the journal."""
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._labels: dict[str, dict[str, None]] = {}
        self._rel_counts: Counter[str] = Counter()
        # One string object per node id, shared by every adjacency dict that names the node
        # (an edge would otherwise bring two copies of its ends' ids: ~130 bytes an edge).
        self._ids: dict[str, str] = {}
        self._audit: list[AuditEntry] = []  # entry seq n at index n - 1
        self._audit_keys: dict[str, int] = {}  # idempotency key -> seq
        self._version = 0
        snap = read_snapshot(self.data_dir / SNAPSHOT)
        if snap is not None:
            version, frames = snap
            self._restore(frames)
            self._version = version
        replayed = 0
        for record in read_journal(self.data_dir / JOURNAL):
            if record.seq <= self._version:
                continue  # already in the snapshot (crash between snapshot and journal reset)
            if record.seq != self._version + 1:
                raise CorruptStoreError(
                    f"{self.data_dir / JOURNAL}: record {record.seq} does not follow the "
                    f"snapshot's version {self._version}; refusing to start"
                )
            self._apply_ops(orjson.loads(record.payload))
            self._version = record.seq
            replayed += 1
        if replayed:
            log.info("replayed %d journal records up to version %d", replayed, self._version)
        self._view = nx.freeze(self.graph.copy(as_view=True))

    # -- writes ---------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Grows by one with every applied batch."""
        return self._version

    @property
    def remote(self) -> bool:
        """In this process: reads are cheaper than a hop to a worker thread."""
        return False

    def apply(self, batch: Batch) -> int:
        """Apply a batch all or nothing and durably; return the new version.

        The batch is checked first (a relationship needs both ends to exist, or to be created
        earlier in the batch), then journaled and fsynced, then applied.
        """
        with self._writer_waiting(), self._lock:
            self._check(batch.ops)
            seq = self._version + 1
            self._stamp(batch.ops, seq)
            self._journal.append(seq, orjson.dumps(batch.ops))
            with self._rw.gen_wlock():
                self._apply_ops(batch.ops)
                self._version = seq
            full = self._journal.size() > self.checkpoint_bytes
        if full:  # no longer counted as waiting: index builds may go on meanwhile
            with self._lock:
                try:
                    self.checkpoint()
                except StoreError as e:  # the batch is durable in the journal all the same
                    log.warning("checkpoint failed, the journal keeps growing: %s", e)
        return seq

    @contextlib.contextmanager
    def _writer_waiting(self) -> Iterator[None]:
        """Count this writer as waiting: long reads (`reading()`) do not start meanwhile."""
        with self._turns:
            self._writers += 1
        try:
            yield
        finally:
            with self._turns:
                self._writers -= 1
                self._turns.notify_all()

    def _stamp(self, ops: list[Op], version: int) -> None:
        """Give the batch's audit entries their sequence numbers, version and time."""
        seq = len(self._audit)
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for op in ops:
            if op[0] == "A":
                seq += 1
                op[1] = {**op[1], "seq": seq, "version": version, "at": op[1].get("at") or now}

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Callable[[Batch], None]]:
        """A large load as one version: batches are applied to the graph as they come, and a
        snapshot makes them durable together at the end.

        If the block raises (or the snapshot cannot be written), the graph is rebuilt from the
        data folder, which the load never touched: nothing of it remains. Writes from other
        threads wait until the load ends; readers see each batch land (the loader reads
        between them); use it for offline loads and before serving.
        """
        with self._lock:
            applied = False

            def write(batch: Batch) -> None:
                nonlocal applied
                self._check(batch.ops)
                self._stamp(batch.ops, self._version + 1)
                applied = True
                with self._rw.gen_wlock():
                    self._apply_ops(batch.ops)

            try:
                yield write
                if applied:
                    self._version += 1
                    self.checkpoint()
            except BaseException:
                if applied:
                    log.warning("bulk load abandoned: reloading %s", self.data_dir)
                    with self._rw.gen_wlock():
                        self._recover()
                raise

    def checkpoint(self) -> None:
        """Write a snapshot of the whole graph and empty the journal."""
        with self._lock:
            write_snapshot(self.data_dir / SNAPSHOT, self._version, self._frames())
            self._journal.reset()

    def _frames(self) -> Iterator[Any]:
        """The graph as snapshot frames: a header, then nodes and edges in chunks."""
        yield {"format": FORMAT}
        chunk: list[Any] = []
        for nid, attrs in self.graph._node.items():
            chunk.append((nid, attrs))
            if len(chunk) == FRAME_SIZE:
                yield ("N", chunk)
                chunk = []
        yield ("N", chunk)
        chunk = []
        for u, nbrs in self.graph._succ.items():
            for v, keys in nbrs.items():
                for k, attrs in keys.items():
                    chunk.append((u, v, k, attrs or None))
                    if len(chunk) == FRAME_SIZE:
                        yield ("E", chunk)
                        chunk = []
        yield ("E", chunk)
        for start in range(0, len(self._audit), FRAME_SIZE):
            yield ("A", self._audit[start : start + FRAME_SIZE])

    def _restore(self, frames: Iterator[Any]) -> None:
        header = next(frames, None)
        if not isinstance(header, dict) or header.get("format") not in READABLE_FORMATS:
            raise CorruptStoreError(
                f"{self.data_dir / SNAPSHOT} has an unknown format; refusing to start"
            )
        nodes, succ, pred = self.graph._node, self.graph._succ, self.graph._pred
        labels, rel_counts, ids = self._labels, self._rel_counts, self._ids
        for kind, chunk in frames:
            if kind == "N":
                for nid, attrs in chunk:
                    ids[nid] = nid
                    nodes[nid] = attrs
                    succ[nid], pred[nid] = {}, {}
                    label, key = split_node_id(nid)
                    labels.setdefault(label, {})[key] = None
            elif kind == "A":
                for entry in chunk:
                    self._add_audit(entry)
            else:
                for u, v, k, attrs in chunk:
                    u, v = ids[u], ids[v]
                    keys = succ[u].get(v)
                    if keys is None:
                        keys = succ[u][v] = pred[v][u] = {}
                    keys[_edge_key(k)] = attrs or _NO_PROPS
                    rel_counts[_rel_type(k)] += 1

    def _check(self, ops: list[Op]) -> None:
        created: set[str] = set()
        keys: set[str] = set()
        for i, op in enumerate(ops):
            if op[0] == "N":
                created.add(node_id(op[1], op[2]))
            elif op[0] == "P":
                self._check_precondition(i, op)
            elif op[0] == "V" and op[1] != self._version:
                raise ConflictError(
                    f"write {i + 1}: the graph is at version {self._version} now, "
                    f"not {op[1]} (changed meanwhile)"
                )
            elif op[0] == "A":
                key = op[1].get("idempotency_key")
                if key is None:
                    continue
                if key in self._audit_keys or key in keys:
                    seq = self._audit_keys.get(key)
                    existing = dict(self._audit[seq - 1]) if seq else None
                    raise ConflictError(
                        f"write {i + 1}: the idempotency key {key!r} was used already", existing
                    )
                keys.add(key)
            elif op[0] == "R":
                for label, key in ((op[2], op[3]), (op[4], op[5])):
                    nid = node_id(label, key)
                    if nid not in created and nid not in self.graph:
                        raise StoreError(
                            f"write {i + 1}: {op[1]} refers to {label} {key!r}, "
                            "which does not exist"
                        )

    def _check_precondition(self, i: int, op: Op) -> None:
        _, label, key, prop, expected = op
        attrs = self.graph._node.get(node_id(label, key))
        if prop is None:
            if (attrs is not None) != bool(expected):
                state = "exists" if attrs is not None else "does not exist"
                raise ConflictError(f"write {i + 1}: {label} {key!r} {state} (changed meanwhile)")
            return
        current = None if attrs is None else attrs.get(prop)
        if current != expected:
            raise ConflictError(
                f"write {i + 1}: {label} {key!r} has {prop} {current!r} now, "
                f"not {expected!r} (changed meanwhile)"
            )

    def _add_audit(self, entry: AuditEntry) -> None:
        self._audit.append(entry)
        key = entry.get("idempotency_key")
        if key is not None:
            self._audit_keys[key] = entry["seq"]

    def _apply_ops(self, ops: Iterable[Op]) -> None:
        """Write straight into networkx's adjacency dicts (what add_node/add_edge do, minus
        their per-call checks). Edge property dicts are replaced, never changed in place, so
        every edge without properties shares one empty dict."""
        nodes, succ, pred = self.graph._node, self.graph._succ, self.graph._pred
        rel_counts, labels, ids = self._rel_counts, self._labels, self._ids
        for op in ops:
            kind = op[0]
            if kind == "R":
                _, rel_type, sl, sk, tl, tk, ident, props = op
                u, v = ids[node_id(sl, sk)], ids[node_id(tl, tk)]
                keys = succ[u].get(v)
                if keys is None:
                    keys = succ[u][v] = pred[v][u] = {}
                if ident not in keys:
                    rel_counts[rel_type] += 1
                keys[_edge_key(ident)] = dict(props) if props else _NO_PROPS
            elif kind == "N":
                _, label, key, props, replace = op
                nid = node_id(label, key)
                attrs = nodes.get(nid)
                if attrs is None:
                    ids[nid] = nid
                    nodes[nid] = dict(props)
                    succ[nid], pred[nid] = {}, {}
                    labels.setdefault(label, {})[key] = None
                else:  # a new dict: a reader holding the old one sees it whole
                    nodes[nid] = dict(props) if replace else {**attrs, **props}
            elif kind == "X":
                _, label, key, rel_type, direction = op
                self._clear(node_id(label, key), rel_type, direction)
            elif kind == "A":
                self._add_audit(op[1])
            elif kind == "P" or kind == "V":
                continue  # checked before the batch was journaled
            else:
                raise CorruptStoreError(f"unknown write operation {kind!r}")

    def _clear(self, nid: str, rel_type: str, direction: Direction) -> None:
        succ, pred = self.graph._succ, self.graph._pred
        if nid not in succ:
            return
        adj = succ[nid] if direction == "out" else pred[nid]
        removed = 0
        for other in list(adj):
            keys = adj[other]
            for k in [k for k in keys if _rel_type(k) == rel_type]:
                del keys[k]  # the dict is shared by succ and pred
                removed += 1
            if not keys:
                u, v = (nid, other) if direction == "out" else (other, nid)
                del succ[u][v]
                del pred[v][u]
        self._rel_counts[rel_type] -= removed

    # -- reads ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self, *, short: bool = False) -> Iterator[None]:
        """Hold while walking `view()`: batches wait until the block ends. A long read
        (an index or model build) lets waiting writers go first, so a stream of builds
        cannot starve them; a `short` one (the event loop's, like the store's own reads)
        never waits for a writer: the loop must not stall."""
        depth = getattr(self._reader, "depth", 0)
        if depth == 0 and not short:  # nested: would wait on ourselves
            with self._turns:
                while self._writers:
                    self._turns.wait()
        self._reader.depth = depth + 1
        try:
            with self._rw.gen_rlock():
                yield
        finally:
            self._reader.depth = depth

    def audit_entries(self, after: int = 0, limit: int = 100) -> list[AuditEntry]:
        """Audit entries with `seq` greater than `after`, oldest first, at most `limit`."""
        with self._rw.gen_rlock():
            return [dict(e) for e in self._audit[max(after, 0) : max(after, 0) + limit]]

    def audit_entry(self, idempotency_key: str) -> AuditEntry | None:
        """The audit entry recorded under an idempotency key, if any."""
        with self._rw.gen_rlock():
            seq = self._audit_keys.get(idempotency_key)
            return None if seq is None else dict(self._audit[seq - 1])

    def get_nodes(self, label: str, keys: Iterable[str]) -> list[Props | None]:
        """The properties of each keyed node (None where there is none), in order."""
        nodes = self.graph._node
        out: list[Props | None] = []
        with self._rw.gen_rlock():
            for key in keys:
                attrs = nodes.get(node_id(label, key))
                out.append(None if attrs is None else dict(attrs))
        return out

    def neighbours(
        self,
        label: str,
        keys: Iterable[str],
        rel_type: str,
        direction: Direction = "out",
    ) -> list[list[tuple[str, Props, Props]]]:
        """For each key, its neighbours over `rel_type`: (label, node props, rel props)."""
        g = self.graph
        adj = g._succ if direction == "out" else g._pred
        out: list[list[tuple[str, Props, Props]]] = []
        with self._rw.gen_rlock():
            for key in keys:
                found: list[tuple[str, Props, Props]] = []
                for other, edges in adj.get(node_id(label, key), {}).items():
                    for k, props in edges.items():
                        if _rel_type(k) == rel_type:
                            label_of = other.partition(":")[0]
                            found.append((label_of, dict(g._node[other]), dict(props)))
                out.append(found)
        return out

    def iter_nodes(self, label: str, chunk: int = 4096) -> Iterator[Props]:
        """Every node of a label, in insertion order (read `chunk` at a time, each chunk as
        one state of the graph; nodes are never deleted, so none is skipped)."""
        nodes = self.graph._node
        with self._rw.gen_rlock():
            keys = list(self._labels.get(label, ()))
        for start in range(0, len(keys), chunk):
            with self._rw.gen_rlock():
                props = [dict(nodes[node_id(label, k)]) for k in keys[start : start + chunk]]
            yield from props

    def counts(self) -> Counts:
        """Node counts per label and relationship counts per type (kept up to date on write)."""
        with self._rw.gen_rlock():
            return Counts(
                {label: len(keys) for label, keys in self._labels.items() if keys},
                {t: n for t, n in self._rel_counts.items() if n},
            )

    def view(self) -> nx.MultiDiGraph:
        """The graph, read-only (writes through it raise networkx's frozen-graph error)."""
        return self._view

    def ping(self) -> bool:
        """The embedded store answers whenever it is open."""
        return not self._lock_file.closed

    def close(self) -> None:
        """Close the journal and release the folder lock."""
        with self._lock:
            if self._lock_file.closed:
                return
            self._journal.close()
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
