"""Graph stores: the protocol, and the embedded (networkx) implementation."""

from graphsvc.store.base import (
    AuditEntry,
    Batch,
    ConflictError,
    CorruptStoreError,
    Counts,
    Direction,
    GraphStore,
    NodeRef,
    Props,
    StoreError,
    rel_key,
)
from graphsvc.store.memory import MemoryStore

__all__ = [
    "AuditEntry",
    "Batch",
    "ConflictError",
    "CorruptStoreError",
    "Counts",
    "Direction",
    "GraphStore",
    "MemoryStore",
    "NodeRef",
    "Props",
    "StoreError",
    "rel_key",
]
