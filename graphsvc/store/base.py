"""The store protocol every backend implements, the write batch, and the store errors.

Examples
--------
>>> batch = Batch()
>>> batch.upsert_node("City", "450100", {"code": "450100", "name": "南宁市"})
>>> batch.upsert_node("County", "450102", {"code": "450102", "name": "兴宁区"})
>>> batch.upsert_rel("IN_CITY", ("County", "450102"), ("City", "450100"))
>>> len(batch)
3

A write can carry the audit record of the request that made it, and preconditions the store
checks atomically with it (here: the demand must still be open):

>>> write = Batch()
>>> write.require("Demand", "D1", "status", "open")
>>> write.upsert_node("Demand", "D1", {"status": "matched"}, replace=False)
>>> write.audit({"mutation": "updateDemand", "actor": "admin", "idempotency_key": None})
>>> [op[0] for op in write.ops]
['P', 'N', 'A']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

import networkx as nx

from graphsvc.ontology import LABELS, RELATIONSHIPS

__all__ = [
    "AuditEntry",
    "Batch",
    "ConflictError",
    "CorruptStoreError",
    "Counts",
    "Direction",
    "GraphStore",
    "NodeRef",
    "Op",
    "Props",
    "StoreError",
    "rel_key",
]

Props: TypeAlias = dict[str, Any]
NodeRef: TypeAlias = tuple[str, str]  # (label, key)
Direction: TypeAlias = Literal["out", "in"]
# Journal-friendly operations (lists of JSON values):
#   ["N", label, key, props, replace]        upsert a node (replace all props, or merge)
#   ["R", type, src_label, src_key, dst_label, dst_key, ident, props]   upsert a relationship
#   ["X", label, key, type, direction]       delete a node's relationships of one type
#   ["P", label, key, prop, expected]        precondition: the node's prop equals expected
#                                            (prop None: the node exists iff expected is true)
#   ["V", version]                           precondition: the store is still at this version
#   ["A", entry]                             append an audit entry (see AuditEntry)
Op: TypeAlias = list[Any]
# An audit entry as stored: {"seq", "at", "version", "actor", "mutation", "idempotency_key",
# "fingerprint", "input", "result"}; the store assigns seq and version.
AuditEntry: TypeAlias = dict[str, Any]


class StoreError(Exception):
    """A store could not do what was asked; the message says why."""


class CorruptStoreError(StoreError):
    """The data folder is damaged in a way that cannot be recovered safely."""


class ConflictError(StoreError):
    """A batch was refused because the graph changed under it: a precondition no longer holds,
    or its audit entry's idempotency key was used already (`existing` is that entry)."""

    def __init__(self, message: str, existing: AuditEntry | None = None) -> None:
        super().__init__(message)
        self.existing = existing


@dataclass
class Counts:
    """Node counts per label and relationship counts per type."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)


def rel_key(rel_type: str, props: Mapping[str, Any]) -> str:
    """The identity of a relationship between two given nodes: its type, plus the values of
    the type's identity properties (so parallel SERVED records stay apart).

    >>> rel_key("SERVED", {"role": "visit", "start_on": "2024-03-01", "rating": 5})
    'SERVED|visit|2024-03-01'
    >>> rel_key("IN_CITY", {})
    'IN_CITY'
    """
    ident = RELATIONSHIPS[rel_type].identity
    if not ident:
        return rel_type
    return "|".join([rel_type, *("" if props.get(p) is None else str(props[p]) for p in ident)])


class Batch:
    """An ordered list of writes applied all together or not at all."""

    def __init__(self) -> None:
        self.ops: list[Op] = []

    def __len__(self) -> int:
        return len(self.ops)

    def upsert_node(self, label: str, key: str, props: Props, *, replace: bool = True) -> None:
        """Create or update a node; `replace` drops properties not given, else merges."""
        if label not in LABELS:
            raise StoreError(f"unknown label {label!r}")
        self.ops.append(["N", label, key, props, replace])

    def upsert_rel(
        self, rel_type: str, source: NodeRef, target: NodeRef, props: Props | None = None
    ) -> None:
        """Create or update a relationship, identified by its endpoints and `rel_key`."""
        spec = RELATIONSHIPS.get(rel_type)
        if spec is None:
            raise StoreError(f"unknown relationship type {rel_type!r}")
        if source[0] not in spec.sources or target[0] not in spec.targets:
            raise StoreError(
                f"{rel_type} cannot link {source[0]} to {target[0]} "
                f"(allowed: {'|'.join(spec.sources)} -> {'|'.join(spec.targets)})"
            )
        p = props or {}
        self.ops.append(["R", rel_type, *source, *target, rel_key(rel_type, p), p])

    def clear_rels(self, node: NodeRef, rel_type: str, direction: Direction = "out") -> None:
        """Delete every relationship of `rel_type` at `node` in one direction."""
        self.ops.append(["X", *node, rel_type, direction])

    def require(self, label: str, key: str, prop: str | None, expected: Any) -> None:
        """Apply the batch only if the node's `prop` still equals `expected` (with `prop`
        None: only if the node exists, when `expected` is true, or does not, when false)."""
        self.ops.append(["P", label, key, prop, expected])

    def require_version(self, version: int) -> None:
        """Apply the batch only if nothing was written since `version`: for writes checked
        against the whole graph (a plan's capacities), at the price of retrying more."""
        self.ops.append(["V", version])

    def audit(self, entry: AuditEntry) -> None:
        """Record who asked for this write, and what, atomically with it. An entry whose
        `idempotency_key` is already recorded makes `apply` raise ConflictError."""
        self.ops.append(["A", dict(entry)])

    def extend(self, other: Batch) -> None:
        """Append another batch's writes."""
        self.ops.extend(other.ops)


@runtime_checkable
class GraphStore(Protocol):
    """What every backend offers. Reads return plain dicts of properties."""

    @property
    def version(self) -> int:
        """Grows by one with every applied batch; caches key on it."""
        ...

    @property
    def remote(self) -> bool:
        """True when reads go over the network: the API then calls them from worker
        threads, so that one slow answer does not hold up every request."""
        ...

    def apply(self, batch: Batch) -> int:
        """Apply a batch atomically and durably; returns the new version. Raises
        ConflictError, applying nothing, when a precondition fails or an idempotency key
        was used already."""
        ...

    def bulk(self) -> AbstractContextManager[Callable[[Batch], None]]:
        """A large load: batches written through the yielded function land together, as one
        new version, when the block ends; if it raises, none of them does."""
        ...

    def reading(self, *, short: bool = False) -> AbstractContextManager[None]:
        """Hold while reading `view()`: no write lands in the graph until the block ends
        (a no-op where `view()` is a copy). A long read (an index build) lets a waiting
        writer go first; a `short` one (on the event loop) never waits for a writer."""
        ...

    def audit_entries(self, after: int = 0, limit: int = 100) -> list[AuditEntry]:
        """Audit entries with `seq` greater than `after`, oldest first, at most `limit`."""
        ...

    def audit_entry(self, idempotency_key: str) -> AuditEntry | None:
        """The audit entry recorded under an idempotency key, if any."""
        ...

    def get_nodes(self, label: str, keys: Iterable[str]) -> list[Props | None]:
        """The properties of each keyed node (None where there is none), in order."""
        ...

    def neighbours(
        self,
        label: str,
        keys: Iterable[str],
        rel_type: str,
        direction: Direction = "out",
    ) -> list[list[tuple[str, Props, Props]]]:
        """For each key, its neighbours over `rel_type`: (label, node props, rel props)."""
        ...

    def iter_nodes(self, label: str) -> Iterator[Props]:
        """Every node of a label, in insertion order."""
        ...

    def counts(self) -> Counts:
        """Node counts per label and relationship counts per type."""
        ...

    def view(self) -> nx.MultiDiGraph:
        """A read-only graph for algorithms: node ids `Label:key`, edge keys from `rel_key`."""
        ...

    def ping(self) -> bool:
        """True when the store answers."""
        ...

    def close(self) -> None:
        """Release files or connections."""
        ...
