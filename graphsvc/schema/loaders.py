"""Per-request DataLoaders: every neighbour field of a page of objects costs one store call.

A loader batches the keys asked for in one tick of the event loop into one `get_nodes` or
`neighbours` call, and caches answers for the rest of the request. A remote store (Neo4j) is
called from a worker thread, so a round trip does not hold up the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeAlias

from strawberry.dataloader import DataLoader

from graphsvc.store.base import Direction, GraphStore, Props

__all__ = ["Loaders", "Neighbour"]

Neighbour: TypeAlias = tuple[str, Props, Props]  # (label, node props, relationship props)


class Loaders:
    """The request's loaders, created on first use."""

    def __init__(self, store: GraphStore, check: Callable[[], None] = lambda: None) -> None:
        self._store = store
        self._check = check
        self._nodes: dict[str, DataLoader[str, Props | None]] = {}
        self._rels: dict[tuple[str, str, Direction], DataLoader[str, list[Neighbour]]] = {}

    def node(self, label: str) -> DataLoader[str, Props | None]:
        """Properties of `label` nodes by key (None where there is none)."""
        loader = self._nodes.get(label)
        if loader is None:
            store, check = self._store, self._check

            async def load(keys: list[str]) -> list[Props | None]:
                check()
                if store.remote:
                    return await asyncio.to_thread(store.get_nodes, label, keys)
                return store.get_nodes(label, keys)

            loader = self._nodes[label] = DataLoader(load_fn=load)
        return loader

    def rel(
        self, label: str, rel_type: str, direction: Direction = "out"
    ) -> DataLoader[str, list[Neighbour]]:
        """Neighbours of `label` nodes over `rel_type`, by key."""
        slot = (label, rel_type, direction)
        loader = self._rels.get(slot)
        if loader is None:
            store, check = self._store, self._check

            async def load(keys: list[str]) -> list[list[Neighbour]]:
                check()
                if store.remote:
                    return await asyncio.to_thread(
                        store.neighbours, label, keys, rel_type, direction
                    )
                return store.neighbours(label, keys, rel_type, direction)

            loader = self._rels[slot] = DataLoader(load_fn=load)
        return loader
