"""The per-request GraphQL context: the store, the caller's role, and request-scoped helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import strawberry

from graphsvc.auth import Role
from graphsvc.store.base import GraphStore
from graphsvc.text import Segmenter

__all__ = ["Context", "Info", "Role"]


@dataclass
class Context:
    """Built once per request by the app; resolvers read it through `info.context`."""

    store: GraphStore
    segmenter: Segmenter
    role: Role = Role.PUBLIC
    extras: dict[str, object] = field(default_factory=dict)


Info: TypeAlias = strawberry.Info[Context, None]
