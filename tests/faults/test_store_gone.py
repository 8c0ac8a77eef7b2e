"""A store that stops answering between the readiness check and the request (Neo4j stopped
under load): requests answer a clear STORE_UNAVAILABLE error or a 503, never a 500 or the
driver's message, and the cause is logged for the operator.

Before the fix the response cache's version read raised straight out of the endpoint (a
bare 500 "Internal Server Error"), /readyz did the same, and resolvers' store errors were
masked as "Unexpected error".
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.app import create_app
from graphsvc.config import Settings
from graphsvc.store import MemoryStore, StoreError
from tests.api.conftest import MINI, load_folder

CAUSE = "Neo4j at bolt://10.0.0.7:7687 is unavailable: Failed to write to defunct connection"


class GoneStore:
    """A store that still answers its ping but fails every read (as Neo4j does when it goes
    away between two calls)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def ping(self) -> bool:
        return True

    @property
    def version(self) -> int:
        raise StoreError(CAUSE)

    def __getattr__(self, name: str) -> Any:
        if name in ("get_nodes", "neighbours", "iter_nodes", "counts", "view", "audit_entries"):

            def fail(*args: Any, **kwargs: Any) -> Any:
                raise StoreError(CAUSE)

            return fail
        return getattr(self._store, name)


def test_a_store_gone_mid_request_gives_clear_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_folder(MINI, tmp_path / "graph")
    settings = Settings(data_dir=tmp_path / "graph", demo_if_empty=False, admin_token="x" * 20)
    app = create_app(settings)

    async def scenario() -> None:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
        ):
            while (await client.get("/readyz")).status_code != 200:
                await asyncio.sleep(0.05)
            service = app.state.service
            real = service.store
            service.store = GoneStore(real)
            try:
                for query in ('{ enterprise(key: "ENT-1") { name } }', "{ stats { version } }"):
                    response = await client.post("/graphql", json={"query": query})
                    assert response.status_code == 200, response.text
                    [error] = response.json()["errors"]
                    assert error["message"] == "the graph store could not answer; retry shortly"
                    assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}
                    assert "10.0.0.7" not in response.text
                ready = await client.get("/readyz")
                assert ready.status_code == 503
                assert ready.json() == {
                    "status": "unavailable",
                    "reason": "the store does not answer",
                }
            finally:
                service.store = real

    with caplog.at_level(logging.ERROR):
        asyncio.run(scenario())
    assert "10.0.0.7" in caplog.text  # the cause, for the operator
