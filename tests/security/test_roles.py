"""Every protected field, mutation and planner query, asked for by each role (public, portal,
planner, admin) of a live server: below the field's role the answer is null with a FORBIDDEN
error at its path (and no trace of the value, e.g. a phone number, anywhere in the
response); at or above it, no FORBIDDEN error. The fields come from the schema (see
schema_walk.py), and the live schema is checked to be that schema, so new fields are covered.

Also: every Node type through `node(id:)` per role (deals hidden below portal, like missing
ones), and the live events subscription over websockets per role, personal data included.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from graphql import (
    IntrospectionQuery,
    build_client_schema,
    get_introspection_query,
    graphql_sync,
    print_schema,
)
from websockets.asyncio.client import ClientConnection, connect

from graphsvc.auth import Role
from graphsvc.schema.ids import global_id
from tests.api.conftest import MINI, TOKENS, Server, load_folder, start_server, stop_server
from tests.security.schema_walk import KEYS, graphql_schema, probe, protected_fields

SCHEMA = graphql_schema()
ROLES = {Role.PUBLIC: None, Role.PORTAL: "portal", Role.PLANNER: "planner", Role.ADMIN: "admin"}
PHONE = "13800000001"  # EXP-1's phone in the mini dataset
HTTP_FIELDS = [
    (t, f, r)
    for t, f, r in protected_fields(SCHEMA)
    if t != getattr(SCHEMA.subscription_type, "name", "")
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """graphsvc on its own copy of the mini dataset (the admin's mutations land)."""
    tmp = tmp_path_factory.mktemp("security-server")
    load_folder(MINI, tmp / "graph")
    server = start_server(tmp / "graph", tmp)
    yield server
    stop_server(server)


def test_the_live_schema_is_the_one_checked(server: Server) -> None:
    live = server.data(get_introspection_query(), role="admin")
    here = graphql_sync(SCHEMA, get_introspection_query()).data
    assert here is not None
    assert print_schema(build_client_schema(cast(IntrospectionQuery, live))) == print_schema(
        build_client_schema(cast(IntrospectionQuery, here))
    )


def _value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r.name)
@pytest.mark.parametrize(
    ("type_name", "field_name", "needed"), HTTP_FIELDS, ids=[f"{t}.{f}" for t, f, _ in HTTP_FIELDS]
)
def test_each_role_sees_only_what_it_may(
    server: Server, type_name: str, field_name: str, needed: Role, role: Role
) -> None:
    asked = probe(SCHEMA, type_name, field_name)
    response = server.post(asked.operation, asked.variables or None, role=ROLES[role])
    assert response.status_code == 200, response.text
    body = response.json()
    forbidden = [
        e
        for e in body.get("errors") or []
        if (e.get("extensions") or {}).get("code") == "FORBIDDEN"
    ]
    if role < needed:
        assert [tuple(e["path"]) for e in forbidden] == [asked.path], body
        assert "role" in forbidden[0]["message"], forbidden  # says which role it needs
        assert _value_at(body.get("data"), asked.path) is None, body
        assert PHONE not in response.text
    else:
        assert forbidden == [], body
        if (type_name, field_name) == ("Expert", "phone"):
            assert _value_at(body["data"], asked.path) == PHONE


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r.name)
def test_every_node_type_by_id_per_role(server: Server, role: Role) -> None:
    for type_name, key in KEYS.items():
        gid = global_id(type_name, key)
        data = server.data(f'{{ node(id: "{gid}") {{ id __typename }} }}', role=ROLES[role])
        if type_name == "Deal" and role < Role.PORTAL:
            assert data == {"node": None}  # hidden, exactly like a missing one
        else:
            assert data == {"node": {"id": gid, "__typename": type_name}}, type_name


# -- live events over websockets ---------------------------------------------------------------

EVENTS = "subscription { events(kinds: [SERVICE], after: 0) { seq expert { key phone } } }"


async def _next(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(20):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] not in ("ping", "pong"):
                return message


async def _subscribe(server: Server, token: str | None) -> dict[str, Any]:
    url = server.url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert (await _next(ws))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}))
        return await _next(ws)


def test_events_per_role_with_personal_data(server: Server) -> None:
    service = {"expert": "EXP-1", "enterprise": "ENT-1", "role": "visit", "startOn": "2025-03-04"}
    written = server.data(
        "mutation($i: RecordServiceInput!) { recordService(input: $i) { errors { message } } }",
        {"i": service},
        role="admin",
    )
    assert written["recordService"]["errors"] == []
    for role, name in ROLES.items():
        message = asyncio.run(_subscribe(server, TOKENS[name] if name else None))
        if role < Role.PORTAL:
            assert message["type"] == "error", message
            assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
            continue
        assert message["type"] == "next", message
        event = message["payload"]["data"]["events"]
        assert event["expert"]["key"] == "EXP-1"
        errors = message["payload"].get("errors") or []
        if role < Role.PLANNER:
            assert event["expert"]["phone"] is None and PHONE not in json.dumps(message)
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
        else:
            assert event["expert"]["phone"] == PHONE and errors == []


def test_mutations_over_get_are_refused(server: Server) -> None:
    asked = probe(SCHEMA, "Mutation", "postDemand")
    response = httpx.get(
        f"{server.url}/graphql",
        params={"query": asked.operation},
        headers={"Authorization": f"Bearer {TOKENS['admin']}"},
    )
    assert response.status_code in (400, 405), response.text
