"""Results derived from the whole graph (the recommender, analytics, plans), for a query.

Each is kept per graph version in the context's `VersionedCache`. When a write has made the
cached one stale, the query asks for a rebuild in the background (on the cache's one rebuild
thread) and, if it starts at once, waits for it at most
`limits.fresh_wait` seconds; otherwise it answers from the latest result built, one or a few
writes behind, rather than keep the caller waiting or fail. A query waits out its time budget
only when nothing was built yet (just after start-up), or when it needs the current version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from graphsvc.schema.context import Info
from graphsvc.schema.errors import ApiError

__all__ = ["BuildingError", "derived"]

T = TypeVar("T")
ANSWER_SHARE = 0.2  # of the query timeout kept for shaping the answer after a build


class BuildingError(ApiError):
    """Nothing was built yet for a query that needs it; it is being built."""

    code = "UNAVAILABLE"


async def derived(
    info: Info, key: Hashable, build: Callable[[], T], *, what: str, fresh: bool = False
) -> T:
    """The result of `build()` for the store's current version; right after a write, the
    latest one built unless the rebuild starts at once and ends within `fresh_wait`.

    With `fresh` (the caller needs the current version, e.g. for a demand posted since),
    wait for the rebuild within the query's budget. Errors of `build` (bad input) reach the
    caller; `what` names the result in the error of a query that found nothing built and ran
    out of time.
    """
    ctx = info.context
    version = ctx.store.version
    found, value = ctx.cache.peek(version, key)
    if found:
        return cast(T, value)
    latest = None if fresh else ctx.cache.latest(key)
    refresh = ctx.cache.refresh(version, key, build)
    if latest is not None and not refresh.prompt:
        return cast(T, latest[1])  # rebuilt after other rebuilds: do not wait for it
    timeout = ctx.limits.query_timeout
    budget = min(ctx.deadline - time.monotonic(), timeout) - timeout * ANSWER_SHARE
    wait = max(min(ctx.limits.fresh_wait, budget) if latest else budget, 0.05)
    try:
        result: T = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(refresh.job)), wait)
        return result
    except TimeoutError:
        refresh.job.add_done_callback(_retrieve)  # it lands in the cache for the next queries
        if latest is not None:
            return cast(T, latest[1])
        raise BuildingError(
            f"{what} is being built for the current graph; ask again in a few seconds"
        ) from None


def _retrieve(job: Any) -> None:
    """Read a background build's outcome, so a failure is not reported as unretrieved; the
    next query builds again and gets the error itself."""
    if not job.cancelled():
        job.exception()
