"""Relay cursor connections: `edges { cursor node }`, `pageInfo`, `totalCount`.

Rows are ordered by a sort key (the natural key, or a composite one for relationship rows);
a cursor holds the sort key of its row, so the next page starts right after it even when
rows were added or removed in between.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from graphsvc.schema.ids import cursor, parse_cursor
from graphsvc.schema.limits import DEFAULT_FIRST, Limits, check_first

__all__ = [
    "DEFAULT_FIRST",
    "Connection",
    "Edge",
    "PageInfo",
    "connection_from_keys",
    "connection_from_rows",
]

T = TypeVar("T")


@strawberry.type(description="Where a page of a connection sits (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A row of a connection and its cursor.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list; walk it with `first` and `after: endCursor`.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Rows in the whole list, all pages.")


def _window(
    sort_keys: Sequence[str], first: int | None, after: str | None, limits: Limits
) -> tuple[int, int]:
    size = check_first(first, limits)
    start = bisect_right(sort_keys, parse_cursor(after)) if after is not None else 0
    return start, min(len(sort_keys), start + size)


def _connection(
    sort_keys: Sequence[str], nodes: Sequence[T | None], start: int, stop: int
) -> Connection[T]:
    edges = [
        Edge(cursor=cursor(sort_keys[i]), node=n)
        for i, n in zip(range(start, stop), nodes, strict=True)
        if n is not None  # gone since the list was built
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=stop < len(sort_keys),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(sort_keys),
    )


def connection_from_rows(
    rows: list[tuple[str, T]], first: int | None, after: str | None, limits: Limits
) -> Connection[T]:
    """A page of in-memory rows given as (sort key, node)."""
    rows = sorted(rows, key=lambda r: r[0])
    keys = [r[0] for r in rows]
    start, stop = _window(keys, first, after, limits)
    return _connection(keys, [r[1] for r in rows[start:stop]], start, stop)


async def connection_from_keys(
    keys: Sequence[str],
    first: int | None,
    after: str | None,
    limits: Limits,
    load: Callable[[Sequence[str]], Awaitable[list[T | None]]],
) -> Connection[T]:
    """A page of sorted keys; only the page's nodes are loaded (one batched call)."""
    start, stop = _window(keys, first, after, limits)
    nodes: list[T | None] = await load(keys[start:stop]) if stop > start else []
    return _connection(keys, nodes, start, stop)
