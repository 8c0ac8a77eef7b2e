"""Neo4j stopped under load: while readers and writers keep a Neo4j-backed server busy, the
database is stopped and started again. Every answer meanwhile is a success or a clear error
(never a 500, a stack trace or a driver's internals), /readyz turns 503 while it is away,
service resumes by itself when it is back, and every acknowledged write is there.

tests/neo4j covers a kill during a load, readiness after a kill with the server idle, and
writes seen across servers; this adds the load, a clean stop, and the writes it cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphsvc.loaders.load import load_dataset
from graphsvc.store.neo4j import Neo4jStore
from tests.api.conftest import MINI, TOKENS, Server, start_server, stop_server
from tests.neo4j import launcher

READS = [
    '{ expert(key: "EXP-1") { name institution { name } serviceRecords { totalCount } } }',
    '{ demands(filter: {status: ["open"]}, first: 5) { totalCount edges { node { key } } } }',
    '{ enterprise(key: "ENT-2") { name demands(first: 5) { totalCount } } }',
    '{ search(text: "碳酸钙") { label node { id } } }',
    '{ recommendExperts(demand: "DEM-1", first: 3) { expert { key } score } }',
]
POST = """mutation($i: PostDemandInput!) {
  postDemand(input: $i) { demand { key } errors { field message } } }"""
PORTAL = {"Authorization": f"Bearer {TOKENS['portal']}"}
ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}
# What a client must never see: Python's or the driver's insides.
LEAKS = ("Traceback", 'File "', "neo4j._sync", "neo4j.exceptions", "ServiceUnavailable")


@pytest.fixture
def neo4j(tmp_path: Path) -> Iterator[list[launcher.Neo4jProcess]]:
    """A Neo4j of this test's own, holding the mini dataset; the list holds each start."""
    started = [launcher.start(tmp_path / "neo4j")]
    try:
        store = Neo4jStore(started[0].uri)
        try:
            assert not load_dataset(store, MINI).rejects
        finally:
            store.close()
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                launcher.stop(server)


class Tally:
    """Every answer the clients got, by phase and kind."""

    def __init__(self) -> None:
        self.phase = "up"
        self.counts: Counter[tuple[str, str]] = Counter()
        self.messages: Counter[str] = Counter()
        self.acknowledged: list[str] = []
        self.refused: list[str] = []  # writes answered "nothing changed"
        self.unsure: list[str] = []  # writes that got no answer, or a 503, or a timeout

    def judge(self, response: httpx.Response) -> str:
        """ "ok"; "store error" (503, or an error naming the store); "error" for another
        clear one (a timeout, a recommender still being built); fails on anything else."""
        text = response.text
        assert response.status_code in (200, 503), (response.status_code, text)
        assert not any(leak in text for leak in LEAKS), text
        body = response.json()
        errors = body.get("errors") or []
        payload_errors = [
            e
            for v in (body.get("data") or {}).values()
            if isinstance(v, dict)
            for e in v.get("errors") or []
        ]
        messages = [e["message"] for e in [*errors, *payload_errors]]
        for message in messages:
            assert message and message != "Unexpected error; it has been logged.", messages
            self.messages[message[:80]] += 1
        if response.status_code == 503 or any("graph store" in m or "Neo4j" in m for m in messages):
            return "store error"
        return "error" if messages else "ok"


async def _reader(
    client: httpx.AsyncClient, url: str, n: int, tally: Tally, done: asyncio.Event
) -> None:
    i = n
    while not done.is_set():
        query = READS[i % len(READS)]
        i += 1
        phase = tally.phase  # when it was sent
        try:
            response = await client.post(url, json={"query": query}, headers=PORTAL)
        except httpx.TransportError:
            tally.counts[(phase, "no answer")] += 1
            continue
        tally.counts[(phase, tally.judge(response))] += 1
        await asyncio.sleep(0.1)


async def _writer(client: httpx.AsyncClient, url: str, tally: Tally, done: asyncio.Event) -> None:
    i = 0
    while not done.is_set():
        key = f"N4J-{i:05d}"
        i += 1
        given = {"key": key, "enterprise": "ENT-1", "title": f"碳酸钙 {key}"}
        phase = tally.phase
        try:
            response = await client.post(
                url, json={"query": POST, "variables": {"i": given}}, headers=ADMIN
            )
        except httpx.TransportError:
            tally.unsure.append(key)
            continue
        verdict = tally.judge(response)
        tally.counts[(phase, f"write {verdict}")] += 1
        if verdict == "ok":
            tally.acknowledged.append(key)
        elif "nothing changed" in response.text:
            tally.refused.append(key)
        else:
            tally.unsure.append(key)
        await asyncio.sleep(0.1)


async def _readyz(client: httpx.AsyncClient, server: Server) -> int:
    with contextlib.suppress(httpx.TransportError):
        return (await client.get(f"{server.url}/readyz", timeout=10)).status_code
    return 0


async def _until(client: httpx.AsyncClient, server: Server, status: int, within: float) -> None:
    deadline = time.monotonic() + within
    while await _readyz(client, server) != status:
        assert time.monotonic() < deadline, f"/readyz did not turn {status} within {within} s"
        await asyncio.sleep(0.1)


async def _answered(tally: Tally, phase: str, within: float, **at_least: int) -> None:
    """Wait until, of the requests sent in `phase`, at least so many got each verdict
    (a keyword's underscores stand for spaces: `write_ok` counts "write ok")."""
    deadline = time.monotonic() + within
    wanted = {kind.replace("_", " "): n for kind, n in at_least.items()}
    while any(tally.counts[(phase, kind)] < n for kind, n in wanted.items()):
        assert time.monotonic() < deadline, (phase, tally.counts, tally.messages)
        await asyncio.sleep(0.1)


async def _served(tally: Tally, phase: str, reads: int, writes: int, within: float) -> None:
    """Wait until `reads` reads and `writes` writes sent in `phase` succeeded."""
    await _answered(tally, phase, within, ok=reads, write_ok=writes)


def _demands_of_ent_1(server: Server) -> set[str]:
    keys: set[str] = set()
    after = None
    while True:
        page = server.data(
            'query($after: String) { demands(filter: {enterprise: "ENT-1"}, first: 100, '
            "after: $after) { pageInfo { hasNextPage endCursor } edges { node { key } } } }",
            {"after": after},
        )["demands"]
        keys |= {e["node"]["key"] for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            return keys
        after = page["pageInfo"]["endCursor"]


def test_neo4j_stopped_under_load(tmp_path: Path, neo4j: list[launcher.Neo4jProcess]) -> None:
    first = neo4j[0]
    server = start_server(
        tmp_path / "unused",
        tmp_path,
        GRAPHSVC_BACKEND="neo4j",
        GRAPHSVC_NEO4J_URI=first.uri,
        GRAPHSVC_NEO4J_MAX_RETRY_TIME="1",
    )
    tally = Tally()
    try:

        async def scenario() -> None:
            url = f"{server.url}/graphql"
            async with httpx.AsyncClient(timeout=60) as client:
                done = asyncio.Event()
                clients = [
                    *(
                        asyncio.ensure_future(_reader(client, url, n, tally, done))
                        for n in range(4)
                    ),
                    asyncio.ensure_future(_writer(client, url, tally, done)),
                ]
                await _served(tally, "up", reads=10, writes=2, within=60)
                tally.phase = "stopping"
                await asyncio.to_thread(launcher.stop, first)
                await _until(client, server, 503, within=30)
                tally.phase = "down"
                # requests sent while it stopped may still be waiting on the driver; keep it
                # down until one sent now has been answered (and said why)
                await _answered(tally, "down", within=60, store_error=1)
                tally.phase = "starting"
                again = await asyncio.to_thread(launcher.start, tmp_path / "neo4j", first.port)
                neo4j.append(again)
                await _until(client, server, 200, within=60)
                tally.phase = "back"
                await _served(tally, "back", reads=10, writes=2, within=60)
                tally.phase = "settled"
                await _served(tally, "settled", reads=10, writes=2, within=60)
                done.set()
                await asyncio.gather(*clients)

        asyncio.run(scenario())
        counts = tally.counts
        # (that requests sent while it was down were refused, and said why, was waited for)
        assert counts[("down", "ok")] == counts[("down", "write ok")] == 0, counts
        assert tally.messages["the graph store does not answer; retry shortly"] > 0
        # back by itself: once the caches are rebuilt, the store answers every request
        # (a slow request may still run out of its time budget on a busy machine)
        assert counts[("settled", "store error")] == 0, (counts, tally.messages)
        assert counts[("settled", "write store error")] == 0, (counts, tally.messages)

        present = _demands_of_ent_1(server)
        assert set(tally.acknowledged) <= present
        assert not set(tally.refused) & present
    finally:
        stop_server(server)
