"""HTTP edges: bad requests are 4xx or GraphQL errors (never 500); GraphiQL, probes, metrics."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.app import create_app
from graphsvc.config import Settings
from tests.api.conftest import MINI, Server, load_folder

BAD_BODIES = [
    (b"{not json", "application/json", 400),
    (b"", "application/json", 400),
    (b'"just a string"', "application/json", 400),
    (b"42", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b'[{"query": "{ __typename }"}]', "application/json", 400),  # no batching
    (b'{"query": 5}', "application/json", 400),
    (b'{"query": "{ __typename }", "variables": [1]}', "application/json", 400),
    (b"{}", "application/json", 400),
    (b'{"query": "{ __typename }"}', "text/plain", 400),
    (b"query=%7B__typename%7D", "application/x-www-form-urlencoded", 400),
    (b'{"query": "{ __typename }"}', "", 400),
    ("\udcff".encode("utf-8", "surrogatepass"), "application/json", 400),
]


@pytest.mark.parametrize(("body", "content_type", "status"), BAD_BODIES)
def test_bad_requests_are_4xx(
    mini_server: Server, body: bytes, content_type: str, status: int
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = httpx.post(f"{mini_server.url}/graphql", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text


GRAPHQL_ERRORS = [
    ("{ nope }", "Cannot query field 'nope' on type 'Query'."),
    ('{ enterprise(key: "ENT-1") { nope } }', "Cannot query field 'nope' on type 'Enterprise'."),
    ('{ enterprise(kee: "ENT-1") { key } }', "Unknown argument 'kee' on field 'Query.enterprise'."),
    ("{ enterprise { key } }", "Argument 'Query.enterprise(key:)' of type 'String!' is required"),
    ('{ enterprises(first: "ten") { totalCount } }', "Int cannot represent non-integer value"),
    ("{ enterprise(key: ", "Syntax Error"),
    ("mutation { x }", "Cannot query field 'x' on type 'Mutation'."),
    ("subscription { events { seq } }", "subscriptions are not allowed when using POST"),
    ("query A { __typename }", 'Unknown operation named "B".'),
]


@pytest.mark.parametrize(("query", "message"), GRAPHQL_ERRORS)
def test_invalid_queries_are_graphql_errors(mini_server: Server, query: str, message: str) -> None:
    response = mini_server.post(query, operation_name="B" if "query A" in query else None)
    assert response.status_code in (200, 400), response.text
    text = response.text
    assert message in text
    assert "Traceback" not in text


def test_variables_of_the_wrong_type(mini_server: Server) -> None:
    response = mini_server.post("query($k: String!) { enterprise(key: $k) { key } }", {"k": 5})
    assert response.status_code == 200
    assert "String cannot represent a non string value" in response.json()["errors"][0]["message"]


def test_queries_by_get(mini_server: Server) -> None:
    response = httpx.get(
        f"{mini_server.url}/graphql", params={"query": '{ city(code: "451100") { name } }'}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"city": {"name": "贺州市"}}}
    assert httpx.put(f"{mini_server.url}/graphql", json={}).status_code == 405


def test_graphiql_in_a_browser(mini_server: Server, locked_server: Server) -> None:
    page = httpx.get(f"{mini_server.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()
    off = httpx.get(f"{locked_server.url}/graphql", headers={"Accept": "text/html"})
    assert off.status_code == 404


def test_introspection_can_be_turned_off(mini_server: Server, locked_server: Server) -> None:
    query = "{ __schema { queryType { name } } }"
    assert mini_server.data(query) == {"__schema": {"queryType": {"name": "Query"}}}
    error = locked_server.post(query).json()["errors"][0]
    assert "introspection has been disabled" in error["message"]
    # and no field suggestions that would leak the schema piece by piece
    assert "Did you mean" not in locked_server.post("{ enterprize }").text


def test_probes(mini_server: Server) -> None:
    assert httpx.get(f"{mini_server.url}/livez").json() == {"status": "alive"}
    ready = httpx.get(f"{mini_server.url}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_metrics_count_operations_by_name(mini_server: Server) -> None:
    for _ in range(3):
        mini_server.data('query CityName { city(code: "451100") { name } }')
    mini_server.post("query Broken { nope }")
    text = httpx.get(f"{mini_server.url}/metrics").text
    counts = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("graphsvc_") and not line.startswith("#")
    }
    assert counts['graphsvc_graphql_operations_total{operation="CityName",status="ok"}'] >= 3
    assert counts['graphsvc_graphql_operations_total{operation="Broken",status="error"}'] >= 1
    assert counts['graphsvc_graphql_operation_seconds_count{operation="CityName"}'] >= 3
    assert counts['graphsvc_http_responses_total{code="200"}'] >= 4


async def _wait(client: httpx.AsyncClient, until: Any) -> httpx.Response:
    deadline = time.monotonic() + 60
    while not until(reply := await client.get("/readyz")):
        assert time.monotonic() < deadline, reply.text
        await asyncio.sleep(0.05)
    return reply


def test_readyz_is_503_while_the_store_is_unreachable(tmp_path: Path) -> None:
    load_folder(MINI, tmp_path / "graph")
    settings = Settings(data_dir=tmp_path / "graph", demo_if_empty=False, admin_token="x" * 20)
    app = create_app(settings)

    async def scenario() -> None:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
        ):
            await _wait(client, lambda r: r.status_code == 200)
            query = {"query": "{ __typename }"}
            assert (await client.post("/graphql", json=query)).status_code == 200
            app.state.service.store.close()  # the store stops answering
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json() == {"status": "unavailable", "reason": "the store does not answer"}
            assert (await client.post("/graphql", json=query)).status_code == 503
            assert (await client.get("/livez")).status_code == 200

    asyncio.run(scenario())


def test_readyz_explains_a_failed_start(tmp_path: Path) -> None:
    (tmp_path / "tokens").write_text("abc superuser\n", "utf-8")
    settings = Settings(
        data_dir=tmp_path / "graph", demo_if_empty=False, tokens_file=tmp_path / "tokens"
    )
    app = create_app(settings)

    async def scenario() -> None:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
        ):
            reply = await _wait(client, lambda r: r.json()["reason"] != "loading the graph")
            assert reply.status_code == 503
            assert "expected `TOKEN ROLE [NAME]`" in reply.json()["reason"]
            query = {"query": "{ __typename }"}
            assert (await client.post("/graphql", json=query)).status_code == 503

    asyncio.run(scenario())
