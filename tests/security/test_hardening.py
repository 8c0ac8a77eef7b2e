"""The production settings (GRAPHSVC_INTROSPECTION=false, GRAPHSVC_GRAPHIQL=false) against the
ways round them: introspection under an alias, in a fragment, by GET, over the websocket
endpoint, for every role including admin; field, argument and type suggestions that would
leak the schema piece by piece; GraphiQL for any caller. And error masking end to end: an
unexpected exception answers "Unexpected error; it has been logged." with no traceback or
detail in the HTTP response, and the traceback goes to the log.

tests/api/test_http.py checks the plain `{ __schema }` and GraphiQL cases; this adds the rest.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from graphsvc.app import create_app
from graphsvc.config import Settings
from graphsvc.store import MemoryStore
from tests.api.conftest import MINI, TOKENS, Server, load_folder, start_server, stop_server

INTROSPECTION = [
    "{ __schema { types { name } } }",
    '{ __type(name: "Expert") { fields { name } } }',
    "{ a: __schema { queryType { name } } }",
    "query { ...Q } fragment Q on Query { __schema { mutationType { name } } }",
    'query { ... on Query { __type(name: "Query") { name } } }',
    '{ expert(key: "EXP-1") { name } __schema { types { name } } }',
]
SUGGESTIONS = [
    "{ enterprize { name } }",  # a field
    '{ expert(kee: "EXP-1") { name } }',  # an argument
    '{ node(id: "x") { ... on Exprt { name } } }',  # a type
    '{ demands(filter: {statu: ["open"]}) { totalCount } }',  # an input field
    "{ clusters(projection: INDUSTRY_EXPRT) { __typename } }",  # an enum value
    "query($f: DemandFiltr) { demands(filter: $f) { totalCount } }",  # a type, again
]
# In variables: the coercion errors suggest too.
SUGGESTING_VARIABLES: list[tuple[str, dict[str, Any]]] = [
    ("query($f: DemandFilter) { demands(filter: $f) { totalCount } }", {"f": {"statu": ["o"]}}),
    (
        "query($p: ClusterProjection!) { clusters(projection: $p) { __typename } }",
        {"p": "INDUSTRY_EXPRT"},
    ),
]


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """graphsvc configured as for production: no introspection, no GraphiQL."""
    tmp = tmp_path_factory.mktemp("production")
    load_folder(MINI, tmp / "graph")
    server = start_server(
        tmp / "graph", tmp, GRAPHSVC_INTROSPECTION="false", GRAPHSVC_GRAPHIQL="false"
    )
    yield server
    stop_server(server)


@pytest.mark.parametrize("role", [None, "portal", "planner", "admin"])
def test_no_introspection_for_anyone(production: Server, role: str | None) -> None:
    for query in INTROSPECTION:
        body = production.post(query, role=role).json()
        assert body.get("data") is None, (query, body)
        assert any("introspection has been disabled" in e["message"] for e in body["errors"])
    headers = {"Authorization": f"Bearer {TOKENS[role]}"} if role else {}
    got = httpx.get(
        f"{production.url}/graphql", params={"query": INTROSPECTION[0]}, headers=headers
    )
    assert "queryType" not in got.text and "__Schema" not in got.text
    assert got.json().get("data") is None
    # what clients need still works
    assert production.data("{ __typename }", role=role) == {"__typename": "Query"}


def test_no_suggestions_that_leak_the_schema(production: Server) -> None:
    for query, variables in [*((q, None) for q in SUGGESTIONS), *SUGGESTING_VARIABLES]:
        response = production.post(query, variables, role="admin")
        assert response.json()["errors"], query
        assert "Did you mean" not in response.text, (query, response.text)


@pytest.mark.parametrize("role", [None, "admin"])
def test_no_graphiql_for_anyone(production: Server, role: str | None) -> None:
    headers = {"Accept": "text/html"} | (
        {"Authorization": f"Bearer {TOKENS[role]}"} if role else {}
    )
    page = httpx.get(f"{production.url}/graphql", headers=headers)
    assert page.status_code == 404 and "graphiql" not in page.text.lower()


def test_no_introspection_over_the_websocket(production: Server) -> None:
    async def ask() -> dict[str, Any]:
        url = production.url.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            init = {"Authorization": f"Bearer {TOKENS['admin']}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            subscribe = {"query": INTROSPECTION[0]}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            async with asyncio.timeout(20):
                while True:
                    message: dict[str, Any] = json.loads(await ws.recv())
                    if message["type"] not in ("ping", "pong"):
                        return message

    message = asyncio.run(ask())
    assert "__Schema" not in json.dumps(message) and "queryType" not in json.dumps(message)
    assert message["type"] == "error" or message["payload"].get("data") is None, message


class FailingStore:
    """A store whose reads fail with something nobody expected (a bug, say), carrying a
    detail that must not reach the client."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def get_nodes(self, label: str, keys: Any) -> Any:
        raise KeyError("internal detail: password=hunter2 at 10.0.0.7")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_unexpected_errors_are_masked_end_to_end(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_folder(MINI, tmp_path / "graph")
    settings = Settings(data_dir=tmp_path / "graph", demo_if_empty=False, admin_token="x" * 20)
    app = create_app(settings)

    async def scenario() -> httpx.Response:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
        ):
            while (await client.get("/readyz")).status_code != 200:
                await asyncio.sleep(0.05)
            service = app.state.service
            real = service.store
            service.store = FailingStore(real)
            try:
                query = '{ enterprise(key: "ENT-1") { name } stats { version } }'
                return await client.post("/graphql", json={"query": query})
            finally:
                service.store = real

    with caplog.at_level(logging.ERROR):
        response = asyncio.run(scenario())
    assert response.status_code == 200
    body = response.json()
    assert [e["message"] for e in body["errors"]] == ["Unexpected error; it has been logged."]
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert body["data"]["stats"] is not None  # the rest of the query still answers
    for leak in ("hunter2", "10.0.0.7", "Traceback", "KeyError", 'File "'):
        assert leak not in response.text
    assert "hunter2" in caplog.text and "Traceback" in caplog.text  # for the operator
