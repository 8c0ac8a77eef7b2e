"""Live events over graphql-transport-ws: a portal screen sees demands and services as they
are written, can resume after the last event it saw, and needs a valid token."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.api.conftest import TOKENS, Server

EVENTS = """
subscription Events($kinds: [EventKind!], $after: Int) {
  events(kinds: $kinds, after: $after) {
    seq kind mutation version
    demand { key status }
    expert { key }
    enterprise { key }
  }
}"""
POST = """
mutation Post($input: PostDemandInput!) {
  postDemand(input: $input) { demand { key } errors { message } }
}"""
UPDATE = """
mutation Update($input: UpdateDemandInput!) {
  updateDemand(input: $input) { demand { key } errors { message } }
}"""
RECORD = """
mutation Record($input: RecordServiceInput!) {
  recordService(input: $input) { service { rating } errors { message } }
}"""


def ws_url(server: Server) -> str:
    return server.url.replace("http://", "ws://") + "/graphql"


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(20):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] != "ping":
                return message


async def subscribe(
    server: Server, token: str | None, variables: dict[str, Any]
) -> ClientConnection:
    ws = await connect(ws_url(server), subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await send(ws, {"type": "connection_init", "payload": payload})
    assert (await receive(ws))["type"] == "connection_ack"
    await send(
        ws, {"id": "1", "type": "subscribe", "payload": {"query": EVENTS, "variables": variables}}
    )
    return ws


async def write(server: Server, query: str, input_: dict[str, Any]) -> Any:
    data = await asyncio.to_thread(server.data, query, {"input": input_}, role="admin")
    return next(iter(data.values()))


def test_a_subscriber_sees_writes_as_they_land(server: Server) -> None:
    async def scenario() -> None:
        ws = await subscribe(server, TOKENS["portal"], {"kinds": ["DEMAND"]})
        await asyncio.sleep(0.3)  # subscribed before the writes
        posted = await write(server, POST, {"enterprise": "ENT-2", "title": "石粉综合利用"})
        key = posted["demand"]["key"]
        service = {
            "expert": "EXP-1",
            "enterprise": "ENT-2",
            "role": "visit",
            "startOn": "2025-06-01",
        }
        await write(server, RECORD, service)  # not a DEMAND event: filtered out
        await write(server, UPDATE, {"key": key, "status": "matched"})
        first, second = await receive(ws), await receive(ws)
        assert [m["type"] for m in (first, second)] == ["next", "next"]
        one, two = first["payload"]["data"]["events"], second["payload"]["data"]["events"]
        assert (one["kind"], one["mutation"], one["demand"]["key"]) == ("DEMAND", "postDemand", key)
        assert (two["mutation"], two["demand"]) == (
            "updateDemand",
            {"key": key, "status": "matched"},
        )
        assert two["seq"] > one["seq"] + 1 and two["version"] > one["version"]
        await ws.close()

        # Resuming after the first event replays what came after it, services included.
        ws = await subscribe(server, TOKENS["portal"], {"after": one["seq"]})
        service_event, update_event = await receive(ws), await receive(ws)
        assert service_event["payload"]["data"]["events"]["kind"] == "SERVICE"
        assert service_event["payload"]["data"]["events"]["expert"] == {"key": "EXP-1"}
        assert update_event["payload"]["data"]["events"]["seq"] == two["seq"]
        await ws.close()

    asyncio.run(scenario())


def test_subscriptions_need_a_known_token_and_the_portal_role(server: Server) -> None:
    async def scenario() -> None:
        ws = await connect(ws_url(server), subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await send(ws, {"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

        ws = await subscribe(server, None, {})
        message = await receive(ws)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        await ws.close()

    asyncio.run(scenario())
