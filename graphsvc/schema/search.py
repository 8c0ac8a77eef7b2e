"""`search(text, first)`: ranked, typed full-text results (see graphsvc.algorithms.search)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import strawberry

from graphsvc.algorithms.search import FIELDS, search
from graphsvc.schema.context import Info
from graphsvc.schema.errors import BadInputError
from graphsvc.schema.limits import check_first
from graphsvc.schema.types import TYPES, Node

__all__ = ["MAX_TEXT", "SearchHit", "SearchQuery"]

MAX_TEXT = 200  # characters of a search text


@strawberry.type(description="A search result: the object found, why, and how well.")
class SearchHit:
    node: Node
    label: str = strawberry.field(description="The object's type.")
    score: float = strawberry.field(description="Higher is better; comparable within a query.")
    matched: list[str] = strawberry.field(description="The query's words found in the object.")


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description=(
            "Full-text search over names, titles, descriptions and keywords, segmented like "
            "the loaders segment (Chinese and latin); best first."
        )
    )
    async def search(
        self,
        info: Info,
        text: str,
        first: Annotated[int | None, strawberry.argument(description="At most 100.")] = 10,
        labels: Annotated[
            list[str] | None,
            strawberry.argument(description=f"Only these types: {', '.join(sorted(FIELDS))}."),
        ] = None,
    ) -> list[SearchHit]:
        ctx = info.context
        size = check_first(first, ctx.limits)
        if len(text) > MAX_TEXT:
            raise BadInputError(f"`text` may hold at most {MAX_TEXT} characters (got {len(text)})")
        unknown = sorted(set(labels or ()) - set(FIELDS))
        if unknown:
            allowed = ", ".join(sorted(FIELDS))
            raise BadInputError(f"`labels` must be among {allowed} (got {unknown})")
        index = ctx.indexes.search_ready(ctx.store)
        tokens = ctx.segmenter.tokens
        stale = None if index is not None else ctx.indexes.search_stale(ctx.store, tokens)
        if stale is not None:  # after a write: the rebuild, if it started now, or the last index
            index, rebuilding = stale
            if rebuilding is not None:
                with contextlib.suppress(TimeoutError):
                    wait = ctx.limits.fresh_wait
                    await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(rebuilding)), wait)
                    index = ctx.indexes.search_ready(ctx.store) or index
        if index is None:
            index = await asyncio.to_thread(
                ctx.indexes.search_index, ctx.store, ctx.segmenter.tokens
            )
        ctx.check_time()
        hits = search(index, text, ctx.segmenter.tokens, first=size, labels=labels)
        found = await asyncio.gather(*(ctx.loaders.node(h.label).load(h.key) for h in hits))
        out = []
        for hit, props in zip(hits, found, strict=True):
            if props is None:
                continue
            node = TYPES[hit.label].from_props(props)
            assert isinstance(node, Node)
            out.append(
                SearchHit(node=node, label=hit.label, score=hit.score, matched=list(hit.matched))
            )
        return out
