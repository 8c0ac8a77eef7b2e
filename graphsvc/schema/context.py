"""The per-request GraphQL context: the store, the caller's role, and request-scoped helpers."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

import strawberry

from graphsvc.auth import Role
from graphsvc.cache import VersionedCache
from graphsvc.events import EventHub
from graphsvc.schema.catalog import Catalog, Indexes
from graphsvc.schema.errors import QueryTimeoutError
from graphsvc.schema.limits import Limits
from graphsvc.schema.loaders import Loaders
from graphsvc.store.base import GraphStore
from graphsvc.text import Segmenter

__all__ = ["Context", "Info", "OperationRecorder", "Role"]

# (operation name, "ok" | "error" | "timeout", seconds) -> None
OperationRecorder: TypeAlias = Callable[[str, str, float], None]


def _ignore(name: str, status: str, seconds: float) -> None:
    return None


@dataclass
class Context:
    """Built once per request by the app; resolvers read it through `info.context`."""

    store: GraphStore
    segmenter: Segmenter
    role: Role = Role.PUBLIC
    limits: Limits = field(default_factory=Limits)
    indexes: Indexes = field(default_factory=Indexes)
    cache: VersionedCache = field(default_factory=VersionedCache)  # analytics per version
    deadline: float = math.inf  # time.monotonic() after which resolvers give up
    record_operation: OperationRecorder = _ignore
    extras: dict[str, object] = field(default_factory=dict)
    loaders: Loaders = field(init=False)
    operation: str | None = None  # the operation's name, once parsed
    operation_kind: str | None = None  # query, mutation or subscription, once parsed
    actor: str = "anonymous"  # who is asking, for the audit trail
    events: EventHub | None = None  # told of every write, for subscriptions
    connection_params: dict[str, object] | None = None  # a websocket's connection_init payload
    budget: asyncio.Timeout | None = None  # the operation's time budget, while it runs

    def set_operation(self, name: str, kind: str = "query") -> None:
        """Remember the name and kind of the operation being run (metrics, response cache);
        a mutation's time budget is `limits.write_timeout`."""
        self.operation = name
        self.operation_kind = kind
        if kind == "mutation":
            self.deadline = time.monotonic() + self.limits.write_timeout
            if self.budget is not None:
                self.budget.reschedule(
                    asyncio.get_running_loop().time() + self.limits.write_timeout
                )

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store, self.check_time)

    def catalog(self) -> Catalog:
        """Indexes over the graph's current version."""
        return self.indexes.catalog(self.store)

    def check_time(self) -> None:
        """Raise `QueryTimeoutError` once the operation's time budget is spent."""
        if time.monotonic() > self.deadline:
            raise QueryTimeoutError(
                f"the query ran longer than {self.limits.query_timeout:g} s and was stopped"
            )


Info: TypeAlias = strawberry.Info[Context, None]
