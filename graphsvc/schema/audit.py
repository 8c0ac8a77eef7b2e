"""The audit trail (who changed what, when) and the live events subscription built on it.

Every mutation's write carries an audit entry, so the trail is exactly the writes that
landed, in order. The `events` subscription follows the same trail: a subscriber resumes
after the last `seq` it saw, and sees writes of other processes sharing the store too.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import Enum
from typing import Any, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from graphsvc.schema.connections import Connection, connection_from_rows
from graphsvc.schema.context import Info
from graphsvc.schema.errors import BadInputError
from graphsvc.schema.mutations import event_kind
from graphsvc.schema.permissions import PlannerOnly, PortalOnly
from graphsvc.schema.types import Demand, Enterprise, Expert, Institution
from graphsvc.store.base import AuditEntry

__all__ = ["AuditQuery", "EventKind", "Subscription"]

PAGE = 1000  # audit entries read from the store at a time
E = TypeVar("E", Demand, Enterprise, Expert, Institution)


def _fresh(info: Info, cls: type[E], key: Any) -> E | None:
    """The object as stored now (a subscription's context lives long: no loader caches)."""
    if not isinstance(key, str):
        return None
    props = info.context.store.get_nodes(cls.LABEL, [key])[0]
    return None if props is None else cls.from_props(props)


@strawberry.type(description="One write: who made it, when, with what input, and its result.")
class AuditRecord:
    seq: int = strawberry.field(description="Position in the trail, from 1.")
    at: str = strawberry.field(description="When it was written (UTC, ISO 8601).")
    actor: str = strawberry.field(description="The caller's name, or role and token tag.")
    mutation: str
    version: int = strawberry.field(description="The graph version it made.")
    idempotency_key: str | None
    input: JSON = strawberry.field(description="The input as given, by file column name.")
    result: JSON = strawberry.field(description="The keys of what it changed.")

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditRecord:
        """A record from a stored audit entry."""
        return cls(
            seq=entry["seq"],
            at=entry["at"],
            actor=entry.get("actor") or "",
            mutation=entry.get("mutation") or "",
            version=entry.get("version") or 0,
            idempotency_key=entry.get("idempotency_key"),
            input=cast(JSON, entry.get("input") or {}),
            result=cast(JSON, entry.get("result") or {}),
        )


@strawberry.enum(description="What a live event is about.")
class EventKind(Enum):
    DEMAND = "DEMAND"
    SERVICE = "SERVICE"
    PAIRING = "PAIRING"
    EXPERT = "EXPERT"
    ENTERPRISE = "ENTERPRISE"
    PLAN = "PLAN"
    OTHER = "OTHER"


@strawberry.type(description="A write that just landed, with the objects it changed.")
class GraphEvent:
    seq: int = strawberry.field(description="Its audit entry's seq: resume with `after`.")
    at: str
    kind: EventKind
    mutation: str
    version: int
    result: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The demand, for DEMAND events and services naming one.")
    def demand(self, info: Info) -> Demand | None:
        return _fresh(info, Demand, self.result.get("demand"))

    @strawberry.field(description="The expert, for SERVICE and EXPERT events.")
    def expert(self, info: Info) -> Expert | None:
        return _fresh(info, Expert, self.result.get("expert"))

    @strawberry.field(description="The enterprise, for SERVICE, PAIRING and ENTERPRISE events.")
    def enterprise(self, info: Info) -> Enterprise | None:
        return _fresh(info, Enterprise, self.result.get("enterprise"))

    @strawberry.field(description="The institution, for PAIRING events.")
    def institution(self, info: Info) -> Institution | None:
        return _fresh(info, Institution, self.result.get("institution"))


def _entries(info: Info, after: int = 0) -> list[AuditEntry]:
    store = info.context.store
    out: list[AuditEntry] = []
    while True:
        page = store.audit_entries(after=after, limit=PAGE)
        out.extend(page)
        if len(page) < PAGE:
            return out
        after = page[-1]["seq"]


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail, oldest first (or newest first), filtered by mutation "
        "or actor.",
        permission_classes=[PlannerOnly],
    )
    def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        mutation: str | None = None,
        actor: str | None = None,
        newest_first: bool = False,
    ) -> Connection[AuditRecord]:
        rows = [
            (f"{(10**12 - e['seq']) if newest_first else e['seq']:013d}", AuditRecord.of(e))
            for e in _entries(info)
            if (mutation is None or e.get("mutation") == mutation)
            and (actor is None or e.get("actor") == actor)
        ]
        return connection_from_rows(rows, first, after, info.context.limits)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Writes as they land: demands posted and changed, services recorded, "
        "pairings, experts and enterprises. From now on, or resumed after `after` (a seq).",
        permission_classes=[PortalOnly],
    )
    async def events(
        self, info: Info, kinds: list[EventKind] | None = None, after: int | None = None
    ) -> AsyncGenerator[GraphEvent, None]:
        if after is not None and after < 0:
            raise BadInputError("after is a seq of the audit trail: 0 or more")
        wanted = set(kinds) if kinds else set(EventKind)
        if after is None:
            seen = _entries(info)
            after = seen[-1]["seq"] if seen else 0
        hub = info.context.events
        while True:
            for entry in _entries(info, after):
                after = entry["seq"]
                kind = EventKind(event_kind(entry.get("mutation") or ""))
                if kind in wanted:
                    yield GraphEvent(
                        seq=entry["seq"],
                        at=entry["at"],
                        kind=kind,
                        mutation=entry.get("mutation") or "",
                        version=entry.get("version") or 0,
                        result=dict(entry.get("result") or {}),
                    )
            if hub is None:
                return
            await hub.wait()
