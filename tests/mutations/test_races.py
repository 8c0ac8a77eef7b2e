"""Writes with the same idempotency key racing each other answer as one write, whatever the
interleaving (the cross-process version runs on Neo4j in tests/neo4j)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from graphsvc.auth import Role
from graphsvc.cache import VersionedCache
from graphsvc.schema import Context, build_schema
from graphsvc.store import AuditEntry, MemoryStore
from graphsvc.text import Segmenter
from tests.api.conftest import MINI, load_folder

POST = """mutation($i: PostDemandInput!) {
  postDemand(input: $i) { demand { key title } errors { field message } } }"""


class LateStore(MemoryStore):
    """A store where another request's write lands just after the first idempotency look-up
    (between the look-up and the prepare that reads the graph)."""

    competitor: Any = None

    def audit_entry(self, key: str) -> AuditEntry | None:
        found = super().audit_entry(key)
        competitor, self.competitor = self.competitor, None
        if competitor is not None:
            competitor()
        return found


def test_a_same_key_post_landing_after_the_look_up_answers_the_first_write(
    tmp_path: Path,
) -> None:
    load_folder(MINI, tmp_path / "graph")
    store = LateStore(tmp_path / "graph")
    schema, cache, segmenter = build_schema(), VersionedCache(), Segmenter()
    demand = {"key": "DEM-RACE", "enterprise": "ENT-1", "title": "竞速需求"}

    def post() -> dict[str, Any]:
        ctx = Context(store=store, segmenter=segmenter, role=Role.ADMIN, cache=cache)
        run = schema.execute(POST, variable_values={"i": demand}, context_value=ctx)
        result = asyncio.run(run)
        assert result.errors is None, result.errors
        assert result.data is not None
        return dict(result.data["postDemand"])

    try:
        landed: list[dict[str, Any]] = []
        store.competitor = lambda: landed.append(post())
        version = store.version
        answer = post()
        assert landed == [answer]
        assert answer == {"demand": {"key": "DEM-RACE", "title": "竞速需求"}, "errors": []}
        assert store.version == version + 1  # one write, not two
    finally:
        store.close()
