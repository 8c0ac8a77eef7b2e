"""The Neo4j store: the graph in a Neo4j 5 database, through the official driver.

Every node carries its ontology label plus the store-internal label `_Node`, with `_id`
("Label:key", one unique index for every lookup) and `_seq` (its creation order, which keeps
`iter_nodes`, `neighbours` and `view()` in the embedded store's order). Relationships carry
`_seq`, and `_key` (their `rel_key`) where the type has identity properties. One `_Meta` node
holds the version and the sequence counters; audit entries are `_Audit` nodes. Internal
properties never reach callers, internal nodes are neither counted nor in `view()`.

Writes are transaction functions (`execute_write`, retried on transient errors) that first lock
the meta node, so writers queue and versions never interleave; a bulk load is one explicit
transaction, so a crash or a Neo4j restart during it leaves nothing of it. A bulk load into an
empty graph commits every `bulk_commit_every` writes instead (its size is then not bounded by
Neo4j's transaction memory): a `loading` marker on the meta node makes every read see the graph
as before the load (empty) until its last part removes the marker and bumps the version; a
failure erases what it wrote, and a marker left by a load that no longer runs is refused by
readers and erased by the next load. Reads are
`execute_read` functions; every session shares one bookmark manager, so a read follows the
writes this process made even on a cluster (`neo4j://` routing URIs). All Cypher is in the
`cypher/` folder (graphsvc.store.cypher) and parameterised.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, TypeVar

import neo4j
import networkx as nx
import orjson
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graphsvc.ontology import LABELS, RELATIONSHIPS, node_id, split_node_id
from graphsvc.store.base import (
    AuditEntry,
    Batch,
    ConflictError,
    Counts,
    Direction,
    Op,
    Props,
    StoreError,
)
from graphsvc.store.cypher import query, statements

__all__ = ["Neo4jStore"]

log = logging.getLogger(__name__)

T = TypeVar("T")
NODE_INTERNAL = ("_id", "_seq")
REL_INTERNAL = ("_seq", "_key")
CHUNK = 10_000  # rows per UNWIND statement
VIEW_ATTEMPTS = 5
# Writes per transaction of a bulk load into an empty graph. The Guangxi demo (141 k writes)
# stays one transaction; a part of 200 k writes holds ~0.7 GiB of Neo4j's heap at any scale.
BULK_COMMIT_EVERY = 200_000
LOADING_STALE_AFTER = 120.0  # seconds without a heartbeat before a load in parts counts as dead


@dataclass(frozen=True)
class _Marker:
    """The meta node's marker of a load in parts: who runs it, since when, and how long ago
    it was last heard from."""

    token: str
    by: str
    since: str
    idle: float  # seconds since its last heartbeat

    @classmethod
    def of(cls, record: neo4j.Record) -> _Marker | None:
        if record["loading"] is None:
            return None
        idle = record["idle"]
        return cls(
            record["loading"], record["by"] or "?", record["since"] or "?", (idle or 0) / 1000
        )

    def abandoned(self, stale_after: float) -> bool:
        """True when the load no longer runs: its process on this host is gone, or it has
        not been heard from for `stale_after` seconds."""
        if self.idle > stale_after:
            return True
        host, _, pid = self.by.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


@dataclass
class _Counters:
    """The meta node's counters inside one write transaction."""

    version: int
    seq: int
    audit: int


def _node_props(props: dict[str, Any]) -> Props:
    return {k: v for k, v in props.items() if k not in NODE_INTERNAL}


def _rel_props(props: dict[str, Any]) -> Props:
    return {k: v for k, v in props.items() if k not in REL_INTERNAL}


def _chunks(rows: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


class Neo4jStore:
    """The GraphStore protocol over a Neo4j database (`bolt://` or `neo4j://` URI).

    Opening applies `cypher/schema.cypher` (idempotent). The service keeps no graph state of its
    own: any number of processes can serve from the same database. `bulk_commit_every`: writes
    per transaction of a bulk load into an empty graph (0: always one transaction; the service
    sets it from `GRAPHSVC_NEO4J_BULK_COMMIT_EVERY`); `loading_stale_after`: seconds without a
    heartbeat after which another process's load in parts counts as abandoned.
    """

    remote = True  # every read is a round trip to Neo4j

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str = "neo4j",
        pool_size: int = 100,
        connection_timeout: float = 5.0,
        acquisition_timeout: float = 30.0,
        query_timeout: float = 60.0,
        max_retry_time: float = 15.0,
        bulk_commit_every: int = BULK_COMMIT_EVERY,
        loading_stale_after: float = LOADING_STALE_AFTER,
    ) -> None:
        self.uri = uri
        self.user = user
        self.database = database
        self.query_timeout = query_timeout
        if bulk_commit_every < 0:
            raise StoreError(f"bulk_commit_every must be 0 or more, not {bulk_commit_every}")
        self.bulk_commit_every = bulk_commit_every
        self.loading_stale_after = loading_stale_after
        auth = neo4j.basic_auth(user, password) if password else None
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=auth,
                max_connection_pool_size=pool_size,
                connection_timeout=connection_timeout,
                connection_acquisition_timeout=acquisition_timeout,
                max_transaction_retry_time=max_retry_time,
                user_agent="graphsvc",
                # The server's query notifications (an unknown property on an empty graph)
                # would be logged as warnings on every read.
                notifications_min_severity="OFF",
            )
        except (ValueError, DriverError) as e:
            raise StoreError(f"cannot use the Neo4j URI {uri!r}: {e}") from e
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        self._view_lock = threading.Lock()
        self._view: tuple[int, nx.MultiDiGraph] | None = None
        self._bulk_lock = threading.Lock()
        self._loading: str | None = None  # the marker of this store's load in parts, if one runs
        try:
            self._apply_schema()
        except BaseException:
            self._driver.close()
            raise

    # -- plumbing -------------------------------------------------------------------------
    def _session(self, mode: str) -> neo4j.Session:
        return self._driver.session(
            database=self.database, bookmark_manager=self._bookmarks, default_access_mode=mode
        )

    def _error(self, e: Exception) -> StoreError:
        """A driver or server error as a StoreError with a message fit for a client."""
        if isinstance(e, StoreError):
            return e
        if isinstance(e, AuthError):
            return StoreError(f"Neo4j at {self.uri} refused the credentials of {self.user!r}")
        if isinstance(e, ServiceUnavailable | SessionExpired):
            log.info("Neo4j at %s is unavailable: %s", self.uri, e)  # the driver's detail
            return StoreError(f"Neo4j at {self.uri} is unavailable; try again later")
        if isinstance(e, Neo4jError):
            return StoreError(f"Neo4j refused the request ({e.code}): {e.message}")
        return StoreError(f"Neo4j at {self.uri}: {e}")

    def _read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        fn = neo4j.unit_of_work(timeout=self.query_timeout)(work)
        try:
            with self._session(neo4j.READ_ACCESS) as session:
                return session.execute_read(fn)
        except (Neo4jError, DriverError) as e:
            raise self._error(e) from e

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        fn = neo4j.unit_of_work(timeout=self.query_timeout)(work)
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                return session.execute_write(fn)
        except (Neo4jError, DriverError) as e:
            raise self._error(e) from e

    def _apply_schema(self) -> None:
        try:
            # No retries here: an unreachable Neo4j at start-up is reported at once.
            self._driver.verify_connectivity()
            for statement in statements("schema"):
                self._driver.execute_query(
                    statement, database_=self.database, bookmark_manager_=self._bookmarks
                )
        except (Neo4jError, DriverError) as e:
            raise self._error(e) from e

    # -- writes ---------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Grows by one with every applied batch (read from the database: other processes
        write too)."""

        def work(tx: neo4j.ManagedTransaction) -> int:
            record = tx.run(query("queries/version")).single(strict=True)
            marker = _Marker.of(record)
            if (
                marker is not None
                and marker.token != self._loading
                and marker.abandoned(self.loading_stale_after)
            ):
                raise StoreError(self._loading_message(marker))
            # A load in parts that runs reads as not yet there: the version before it.
            return int(record["version"])

        return self._read(work)

    def _loading_message(self, marker: _Marker) -> str:
        """Why a marked graph is not written (or, abandoned, not served), and what to do."""
        if marker.abandoned(self.loading_stale_after):
            return (
                f"Neo4j at {self.uri} holds an unfinished load (in parts, started "
                f"{marker.since} by {marker.by}, which no longer runs): it is not served. "
                "Load the data again (a load into this database first erases the unfinished "
                "one) or erase the database"
            )
        return (
            f"the graph is being loaded (a load in parts started {marker.since} by "
            f"{marker.by}); writes are refused until it ends: try again later"
        )

    def apply(self, batch: Batch) -> int:
        """Apply a batch in one write transaction; return the new version.

        Checked first, as the embedded store does: preconditions, idempotency keys, and
        relationships to nodes that neither exist nor are created earlier in the batch.
        """
        ops = batch.ops
        entries: list[AuditEntry] = []

        def work(tx: neo4j.ManagedTransaction) -> int:
            counters = self._begin(tx)
            self._check(tx, ops, set(), counters.version - 1)
            entries[:] = self._write_ops(tx, ops, counters)
            self._end(tx, counters)
            return counters.version

        version = self._write(work)
        self._stamp(ops, entries)
        return version

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Callable[[Batch], None]]:
        """A large load: every batch lands at the end, as one new version, or none does.

        Into an empty graph (and with `bulk_commit_every`) it commits in parts, see
        `_bulk_in_parts`; otherwise it is one explicit transaction, which an error, a crash
        or a Neo4j restart rolls back whole. Either way reads from other sessions during the
        load see the graph before it, and other writers wait (or, in parts, are refused)
        until it ends. One transaction's state lives in Neo4j's heap, which bounds the size
        of such a load (the Guangxi demo needs 270–540 MiB of it).
        """
        with self._bulk_lock:
            claimed = self._claim(parts=self.bulk_commit_every > 0)
            if claimed is not None:
                with self._bulk_in_parts(*claimed) as write:
                    yield write
                return
            try:
                session = self._session(neo4j.WRITE_ACCESS)
                tx = session.begin_transaction()
            except (Neo4jError, DriverError) as e:
                raise self._error(e) from e
            counters: _Counters | None = None
            known: set[str] = set()

            def write(batch: Batch) -> None:
                nonlocal counters
                try:
                    if counters is None:
                        counters = self._begin(tx)
                    self._check(tx, batch.ops, known, counters.version - 1)
                    entries = self._write_ops(tx, batch.ops, counters)
                except (Neo4jError, DriverError) as e:
                    raise self._error(e) from e
                known.update(node_id(op[1], op[2]) for op in batch.ops if op[0] == "N")
                self._stamp(batch.ops, entries)

            try:
                yield write
                if counters is not None:
                    self._end(tx, counters)
                    tx.commit()
                else:
                    tx.rollback()
            except (Neo4jError, DriverError) as e:
                raise self._error(e) from e
            finally:
                with contextlib.suppress(Exception):
                    tx.close()  # rolls back unless committed
                with contextlib.suppress(Exception):
                    session.close()

    def _claim(self, *, parts: bool) -> tuple[str, _Counters] | None:
        """With `parts`, mark the graph as being loaded in parts when it is empty: the
        marker's token and the load's counters (its version is the next one); None when the
        graph is not empty or not `parts` (the load is then one transaction). Either way it
        first waits while another load in parts runs, and erases one that no longer runs."""
        token = uuid.uuid4().hex
        since = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        by = f"{socket.gethostname()}:{os.getpid()}"
        waited = 0.0
        while True:

            def work(tx: neo4j.ManagedTransaction) -> neo4j.Record:
                found = tx.run(query("load/claim"), claim=parts, token=token, by=by, since=since)
                return found.single(strict=True)

            record = self._write(work)
            if record["claimed"]:
                c = _Counters(int(record["version"]) + 1, int(record["seq"]), int(record["audit"]))
                return token, c
            marker = _Marker.of(record)
            if marker is None:
                return None
            if marker.abandoned(self.loading_stale_after):
                log.warning(
                    "erasing an unfinished load in parts (started %s by %s)",
                    marker.since,
                    marker.by,
                )
                self._discard(marker.token)
                continue
            if waited % 60 == 0:
                log.info("waiting for the load in parts by %s to end", marker.by)
            time.sleep(1.0)
            waited += 1

    @contextlib.contextmanager
    def _bulk_in_parts(self, token: str, c: _Counters) -> Iterator[Callable[[Batch], None]]:
        """A bulk load into an empty graph, committed every `bulk_commit_every` writes.

        The meta node's marker (set by `_claim`) keeps it out of sight: every read sees the
        graph as before (empty, at the same version) and `apply` refuses, until the last part
        bumps the version and removes the marker in one commit. A batch is checked whole
        first; its node writes go before its other writes (as in one transaction, so a
        relationship never misses an end created later in its batch), each write keeping its
        batch position as creation order. On any error what was written is erased before the
        error is raised; a crash leaves the marker, which readers refuse and the next load
        erases. A heartbeat thread shows the load is alive.
        """
        every = self.bulk_commit_every
        self._loading = token
        stop = threading.Event()
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(token, stop), name="graphsvc-load-heartbeat", daemon=True
        )
        heartbeat.start()
        session = self._session(neo4j.WRITE_ACCESS)
        tx: neo4j.Transaction | None = None
        pending = 0  # writes in the open transaction
        wrote = False
        known: set[str] = set()

        def write(batch: Batch) -> None:
            nonlocal tx, pending, wrote
            ops = batch.ops
            entries: list[AuditEntry] = []
            try:
                if tx is None:
                    tx = session.begin_transaction()
                self._check(tx, ops, known, c.version - 1, token)
                order = [i for i, op in enumerate(ops) if op[0] == "N"]
                order += [i for i, op in enumerate(ops) if op[0] != "N"]
                start = 0
                while start < len(order):
                    part = order[start : start + every - pending]
                    entries += self._write_ops(tx, [ops[i] for i in part], c, part)
                    start += len(part)
                    pending += len(part)
                    wrote = True
                    if pending >= every:
                        tx.commit()
                        tx = session.begin_transaction()
                        pending = 0
                c.seq += len(ops)
            except (Neo4jError, DriverError) as e:
                raise self._error(e) from e
            known.update(node_id(op[1], op[2]) for op in ops if op[0] == "N")
            self._stamp(ops, entries)

        try:
            yield write
            if wrote:
                if tx is None:
                    tx = session.begin_transaction()
                found = tx.run(query("load/finish"), token=token, seq=c.seq, audit=c.audit)
                if found.single() is None:
                    raise StoreError(
                        "the load in parts was erased meanwhile (taken for abandoned): "
                        "nothing of it is kept; load again"
                    )
                tx.commit()
            else:
                self._unmark(token)
        except BaseException as e:
            if tx is not None:
                with contextlib.suppress(Exception):
                    tx.close()  # rolls back the open part
            stop.set()
            try:
                self._discard(token)
            except Exception as undo:
                log.error("could not erase the unfinished load in parts: %s", undo)
                if isinstance(e, Neo4jError | DriverError | StoreError):
                    error = self._error(e) if not isinstance(e, StoreError) else e
                    raise StoreError(
                        f"{error}; the partial load could not be erased ({self._error(undo)}): "
                        "readers refuse it, and the next load erases it"
                    ) from e
                raise
            if isinstance(e, Neo4jError | DriverError):
                raise StoreError(f"{self._error(e)}; nothing of the load was kept") from e
            if isinstance(e, StoreError) and not isinstance(e, ConflictError):
                raise StoreError(f"{e}; nothing of the load was kept") from e
            raise
        finally:
            stop.set()
            heartbeat.join()
            self._loading = None
            if tx is not None:
                with contextlib.suppress(Exception):
                    tx.close()
            with contextlib.suppress(Exception):
                session.close()
            self._view = None

    def _heartbeat(self, token: str, stop: threading.Event) -> None:
        """Refresh the marker of a running load in parts until `stop` is set."""
        every = max(0.5, min(10.0, self.loading_stale_after / 6))
        while not stop.wait(every):
            try:
                self._driver.execute_query(
                    query("load/heartbeat"), token=token, database_=self.database
                )
            except Exception as e:  # the load itself reports a Neo4j that is gone
                log.debug("heartbeat of the load in parts failed: %s", e)

    def _discard(self, token: str) -> None:
        """Erase what the load in parts `token` wrote, then its marker."""
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                for statement in statements("admin/erase_load"):
                    session.run(statement, token=token).consume()
        except (Neo4jError, DriverError) as e:
            raise self._error(e) from e
        self._unmark(token)
        self._view = None

    def _unmark(self, token: str) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run(query("load/unmark"), token=token).consume()

        self._write(work)

    def _begin(self, tx: neo4j.ManagedTransaction | neo4j.Transaction) -> _Counters:
        record = tx.run(query("load/begin")).single(strict=True)
        marker = _Marker.of(record)
        if marker is not None:
            raise StoreError(self._loading_message(marker))
        return _Counters(int(record["version"]), int(record["seq"]), int(record["audit"]))

    def _end(self, tx: neo4j.ManagedTransaction | neo4j.Transaction, c: _Counters) -> None:
        tx.run(query("load/end"), seq=c.seq, audit=c.audit).consume()

    def _check(
        self,
        tx: neo4j.ManagedTransaction | neo4j.Transaction,
        ops: list[Op],
        known: set[str],
        version: int,
        loading: str | None = None,
    ) -> None:
        """Refuse the batch as the embedded store would, with the same messages (`known`:
        node ids known to exist; `version`: the graph's version before this write; `loading`:
        the marker of the load in parts it belongs to, whose earlier parts it then sees)."""
        endpoints: set[str] = set()
        guarded: set[str] = set()
        keys: set[str] = set()
        for op in ops:
            if op[0] == "R":
                endpoints.update({node_id(op[2], op[3]), node_id(op[4], op[5])} - known)
            elif op[0] == "P":
                guarded.add(node_id(op[1], op[2]))
            elif op[0] == "A" and op[1].get("idempotency_key") is not None:
                keys.add(op[1]["idempotency_key"])
        existing = set(known)
        if endpoints:
            found = tx.run(query("load/existing"), ids=sorted(endpoints))
            existing.update(record["id"] for record in found)
        states: dict[str, Props | None] = {}
        if guarded:
            ids = sorted(guarded)
            for record in tx.run(query("queries/get_nodes"), ids=ids, loading=loading):
                props = record["props"]
                states[ids[record["i"]]] = None if props is None else _node_props(props)
        used: dict[str, AuditEntry] = {}
        if keys:
            found = tx.run(query("queries/audit_by_keys"), keys=sorted(keys), loading=loading)
            for record in found:
                used[record["key"]] = orjson.loads(record["entry"])
        created: set[str] = set()
        seen_keys: set[str] = set()
        for i, op in enumerate(ops):
            kind = op[0]
            if kind == "N":
                created.add(node_id(op[1], op[2]))
            elif kind == "P":
                _check_precondition(i, op, states[node_id(op[1], op[2])])
            elif kind == "V" and op[1] != version:
                raise ConflictError(
                    f"write {i + 1}: the graph is at version {version} now, "
                    f"not {op[1]} (changed meanwhile)"
                )
            elif kind == "A":
                key = op[1].get("idempotency_key")
                if key is None:
                    continue
                if key in used or key in seen_keys:
                    raise ConflictError(
                        f"write {i + 1}: the idempotency key {key!r} was used already",
                        used.get(key),
                    )
                seen_keys.add(key)
            elif kind == "R":
                for label, key in ((op[2], op[3]), (op[4], op[5])):
                    nid = node_id(label, key)
                    if nid not in created and nid not in existing:
                        raise StoreError(
                            f"write {i + 1}: {op[1]} refers to {label} {key!r}, "
                            "which does not exist"
                        )
            elif kind not in ("X", "V"):
                raise StoreError(f"write {i + 1}: unknown write operation {kind!r}")

    def _write_ops(
        self,
        tx: neo4j.ManagedTransaction | neo4j.Transaction,
        ops: list[Op],
        c: _Counters,
        positions: list[int] | None = None,
    ) -> list[AuditEntry]:
        """Run a checked batch as a few UNWIND statements; returns its stamped audit entries.

        Node writes touch only node properties and relationship writes need their ends to
        exist, so every node write goes first; relationship writes and clears keep their order
        within a type (types are independent of each other). Each write's `_seq` is its place
        in the batch, so creation order is the batch's order whatever order the statements run.
        `positions`: the ops' places in their batch when they are a part of it (the caller
        then advances `c.seq`).
        """
        nodes: dict[str, list[dict[str, Any]]] = {}
        runs: dict[str, list[tuple[str, list[Any]]]] = {}  # type -> [("R"|"out"|"in", rows)]
        audits: list[AuditEntry] = []
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for i, op in enumerate(ops):
            kind = op[0]
            seq = c.seq + (i if positions is None else positions[i]) + 1
            if kind == "N":
                _, label, key, props, replace = op
                nodes.setdefault(label, []).append(
                    {
                        "key": key,
                        "id": node_id(label, key),
                        "props": props,
                        "replace": replace,
                        "seq": seq,
                    }
                )
            elif kind == "R":
                _, rel_type, sl, sk, tl, tk, ident, props = op
                row = {
                    "source": node_id(sl, sk),
                    "target": node_id(tl, tk),
                    "ident": ident,
                    "props": props,
                    "seq": seq,
                }
                _run(runs, rel_type, "R").append(row)
            elif kind == "X":
                _, label, key, rel_type, direction = op
                if rel_type in RELATIONSHIPS:
                    _run(runs, rel_type, direction).append(node_id(label, key))
            elif kind == "A":
                c.audit += 1
                audits.append(
                    {**op[1], "seq": c.audit, "version": c.version, "at": op[1].get("at") or now}
                )
        if positions is None:
            c.seq += len(ops)
        for label, rows in nodes.items():
            for part in _chunks(rows):
                tx.run(query(f"load/node_{label}"), rows=part).consume()
        for rel_type, type_runs in runs.items():
            for kind, rows in type_runs:
                for part in _chunks(rows):
                    if kind == "R":
                        tx.run(query(f"load/rel_{rel_type}"), rows=part).consume()
                    else:
                        tx.run(query(f"load/clear_{kind}"), type=rel_type, ids=part).consume()
        if audits:
            rows = [
                {
                    "seq": e["seq"],
                    "key": e.get("idempotency_key"),
                    "entry": orjson.dumps(e).decode(),
                }
                for e in audits
            ]
            tx.run(query("load/audit"), rows=rows).consume()
        return audits

    @staticmethod
    def _stamp(ops: list[Op], entries: list[AuditEntry]) -> None:
        """Put the stored audit entries (seq, version, time) back into the batch, as the
        embedded store does."""
        stamped = iter(entries)
        for op in ops:
            if op[0] == "A":
                op[1] = next(stamped)

    # -- reads ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self, *, short: bool = False) -> Iterator[None]:
        """A no-op: `view()` is a copy that writes never change."""
        yield

    def audit_entries(self, after: int = 0, limit: int = 100) -> list[AuditEntry]:
        """Audit entries with `seq` greater than `after`, oldest first, at most `limit`."""

        def work(tx: neo4j.ManagedTransaction) -> list[AuditEntry]:
            found = tx.run(query("queries/audit_entries"), after=after, limit=limit)
            return [orjson.loads(record["entry"]) for record in found]

        return self._read(work)

    def audit_entry(self, idempotency_key: str) -> AuditEntry | None:
        """The audit entry recorded under an idempotency key, if any."""

        def work(tx: neo4j.ManagedTransaction) -> AuditEntry | None:
            found = tx.run(
                query("queries/audit_by_keys"), keys=[idempotency_key], loading=None
            ).single()
            return None if found is None else dict(orjson.loads(found["entry"]))

        return self._read(work)

    def get_nodes(self, label: str, keys: Iterable[str]) -> list[Props | None]:
        """The properties of each keyed node (None where there is none), in order."""
        ids = [node_id(label, key) for key in keys]
        if not ids:
            return []

        def work(tx: neo4j.ManagedTransaction) -> list[Props | None]:
            out: list[Props | None] = [None] * len(ids)
            for record in tx.run(query("queries/get_nodes"), ids=ids, loading=None):
                props = record["props"]
                if props is not None:
                    out[record["i"]] = _node_props(props)
            return out

        return self._read(work)

    def neighbours(
        self,
        label: str,
        keys: Iterable[str],
        rel_type: str,
        direction: Direction = "out",
    ) -> list[list[tuple[str, Props, Props]]]:
        """For each key, its neighbours over `rel_type`: (label, node props, rel props), in
        the embedded store's order (by neighbour, as first linked, then by relationship)."""
        ids = [node_id(label, key) for key in keys]
        if not ids:
            return []
        name = "queries/neighbours_out" if direction == "out" else "queries/neighbours_in"

        def work(tx: neo4j.ManagedTransaction) -> list[list[tuple[str, Props, Props]]]:
            groups: list[dict[str, list[tuple[int, Props, Props]]]] = [{} for _ in ids]
            for record in tx.run(query(name), ids=ids, type=rel_type):
                groups[record["i"]].setdefault(record["id"], []).append(
                    (record["seq"] or 0, record["node"], record["rel"])
                )
            out: list[list[tuple[str, Props, Props]]] = []
            for group in groups:
                found: list[tuple[str, Props, Props]] = []
                for other, rels in sorted(group.items(), key=lambda g: min(r[0] for r in g[1])):
                    other_label = split_node_id(other)[0]
                    for _, node, rel in sorted(rels, key=lambda r: r[0]):
                        found.append((other_label, _node_props(node), _rel_props(rel)))
                out.append(found)
            return out

        return self._read(work)

    def iter_nodes(self, label: str, chunk: int = 4096) -> Iterator[Props]:
        """Every node of a label, in creation order, read `chunk` at a time."""
        after = -1
        while True:

            def work(tx: neo4j.ManagedTransaction, after: int = after) -> list[tuple[int, Props]]:
                found = tx.run(
                    query("queries/iter_nodes"), prefix=f"{label}:", after=after, limit=chunk
                )
                return [(record["seq"], record["props"]) for record in found]

            page = self._read(work)
            for _, props in page:
                yield _node_props(props)
            if len(page) < chunk:
                return
            after = page[-1][0]

    def counts(self) -> Counts:
        """Node counts per label and relationship counts per type (store-internal ones left
        out), from Neo4j's count store."""

        def work(tx: neo4j.ManagedTransaction) -> Counts:
            nodes = {
                r["label"]: r["nodes"]
                for r in tx.run(query("queries/counts_nodes"))
                if r["label"] in LABELS and r["nodes"]
            }
            rels = {
                r["type"]: r["relationships"]
                for r in tx.run(query("queries/counts_relationships"))
                if r["type"] in RELATIONSHIPS and r["relationships"]
            }
            return Counts(nodes, rels)

        return self._read(work)

    def view(self) -> nx.MultiDiGraph:
        """The whole graph as the embedded store gives it (node ids `Label:key`, edge keys from
        `rel_key`, the same properties, in creation order), frozen, cached per version."""
        version = self.version
        cached = self._view
        if cached is not None and cached[0] == version:
            return cached[1]
        with self._view_lock:
            cached = self._view
            if cached is not None and cached[0] == self.version:
                return cached[1]
            for _ in range(VIEW_ATTEMPTS):
                projected = self._read(_project)
                if projected is not None:
                    self._view = projected
                    return projected[1]
            # Writes keep landing: read once more with them held back (a few seconds).
            projected = self._write(_project_holding_writers)
            if projected is None:
                raise StoreError("the graph kept changing while it was read; try again")
            self._view = projected
            return projected[1]

    def search(self, text: str, limit: int = 10) -> list[tuple[str, Props, float]]:
        """Full-text search (CJK analyzer) over names, titles and descriptions: the best
        nodes as (node id, properties, score). Lucene syntax applies to `text`."""

        def work(tx: neo4j.ManagedTransaction) -> list[tuple[str, Props, float]]:
            found = tx.run(query("queries/search"), text=text, limit=limit)
            return [(r["id"], _node_props(r["props"]), float(r["score"])) for r in found]

        return self._read(work)

    def ping(self) -> bool:
        """True when Neo4j answers a quick query. Tried twice: after a restart of Neo4j the
        first try may meet a pooled connection to the old process (which the driver then
        drops); no other retries, so a Neo4j that is down is reported at once."""
        for _ in range(2):
            try:
                with self._session(neo4j.READ_ACCESS) as session:
                    session.run(query("queries/ping")).consume()
            except Exception:
                continue
            return True
        return False

    def erase(self) -> None:
        """Delete every node and relationship, the version included (tests, benchmarks)."""
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                for statement in statements("admin/erase"):
                    session.run(statement).consume()
        except (Neo4jError, DriverError) as e:
            raise self._error(e) from e
        self._view = None

    def close(self) -> None:
        """Close the driver's connections."""
        self._driver.close()


def _run(runs: dict[str, list[tuple[str, list[Any]]]], rel_type: str, kind: str) -> list[Any]:
    """The rows of the type's last run of `kind`, or of a new run after it."""
    type_runs = runs.setdefault(rel_type, [])
    if type_runs and type_runs[-1][0] == kind:
        return type_runs[-1][1]
    # Clears commute with each other: an "in" run after an "out" run may share its slot.
    if kind != "R" and len(type_runs) >= 2 and type_runs[-2][0] == kind and type_runs[-1][0] != "R":
        return type_runs[-2][1]
    type_runs.append((kind, []))
    return type_runs[-1][1]


def _check_precondition(i: int, op: Op, attrs: Props | None) -> None:
    _, label, key, prop, expected = op
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


def _project_holding_writers(
    tx: neo4j.ManagedTransaction,
) -> tuple[int, nx.MultiDiGraph] | None:
    """The graph at one version, read in a transaction that holds writers back."""
    if tx.run(query("queries/hold_writers")).single() is None:
        return None  # an empty database has no meta node yet: nothing to hold
    return _project(tx)


def _project(tx: neo4j.ManagedTransaction) -> tuple[int, nx.MultiDiGraph] | None:
    """The graph at one version, or None when a write landed while it was read (Neo4j reads
    are read-committed: the version is read before and after to catch that)."""
    first = tx.run(query("queries/version")).single(strict=True)
    before = int(first["version"])
    graph = nx.MultiDiGraph()
    if first["loading"] is not None:  # a load in parts runs: the graph as before it, empty
        return before, nx.freeze(graph)
    rels: list[tuple[int, str, str, str, Props]] = []  # (_seq, source, target, key, props)

    def nodes() -> Iterator[tuple[str, Props]]:
        # One record per node, in creation order, with its outgoing relationships.
        for source, props, out in tx.run(query("queries/view")):
            rels.extend((seq or 0, source, t, k, _rel_props(p)) for t, k, p, seq in out)
            yield source, _node_props(props)

    graph.add_nodes_from(nodes())
    known = graph._node
    if any(target not in known for _, _, target, _, _ in rels):
        return None  # a node created while the projection was read
    rels.sort(key=itemgetter(0))
    graph.add_edges_from((s, t, k, p) for _, s, t, k, p in rels)
    rels.clear()
    last = tx.run(query("queries/version")).single(strict=True)
    if int(last["version"]) != before or last["loading"] is not None:
        return None
    return before, nx.freeze(graph)
