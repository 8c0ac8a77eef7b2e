"""Many clients writing at once lose nothing: 20 writers × 500 mutations over HTTP while
readers query, then the server is killed (SIGKILL) and restarted on its data folder; every
acknowledged write is there, and nothing else."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import MINI, TOKENS, Server, load_folder, start_server, stop_server

WRITERS = 20
MUTATIONS = 500  # per writer
POST = (
    "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { key } errors { message } } }"
)
RECORD = (
    "mutation($i: RecordServiceInput!) { recordService(input: $i) "
    "{ service { rating } errors { message } } }"
)
READS = [
    '{ demands(filter: {enterprise: "ENT-1"}, first: 5) { totalCount edges { node { key } } } }',
    '{ expert(key: "EXP-1") { serviceRecords(first: 5) { totalCount } } }',
    '{ recommendExperts(demand: "DEM-1", first: 3) { expert { key } score } }',
    "{ stats { version nodeCounts { label count } } }",
]
ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}
PORTAL = {"Authorization": f"Bearer {TOKENS['portal']}"}


def _service(w: int, i: int) -> dict[str, Any]:
    return {
        "expert": f"EXP-{w % 4 + 1}",
        "enterprise": f"ENT-{i % 3 + 1}",
        "role": "consultant",
        "startOn": (date(2000, 1, 1) + timedelta(days=w * MUTATIONS + i)).isoformat(),
        "endOn": (date(2000, 1, 1) + timedelta(days=w * MUTATIONS + i + 1)).isoformat(),
        "rating": i % 5 + 1,
    }


async def _writer(
    client: httpx.AsyncClient,
    url: str,
    w: int,
    mutations: int,
    demands: set[str],
    services: set[tuple[Any, ...]],
) -> None:
    for i in range(mutations):
        if i % 2 == 0:
            key = f"LT-{w:02d}-{i:03d}"
            body = {
                "query": POST,
                "variables": {"i": {"key": key, "enterprise": "ENT-2", "title": f"负载{key}"}},
            }
        else:
            body = {"query": RECORD, "variables": {"i": _service(w, i)}}
        response = await client.post(url, json=body, headers=ADMIN)
        assert response.status_code == 200, response.text
        payload = next(iter(response.json()["data"].values()))
        assert payload["errors"] == [], payload
        if i % 2 == 0:
            demands.add(key)
        else:
            s = _service(w, i)
            services.add((s["expert"], s["enterprise"], s["startOn"], s["rating"]))


async def _reader(client: httpx.AsyncClient, url: str, done: asyncio.Event) -> int:
    reads = 0
    while not done.is_set():
        for query in READS:
            response = await client.post(url, json={"query": query}, headers=PORTAL)
            assert response.status_code == 200, response.text
            assert "errors" not in response.json(), response.json()
            reads += 1
    return reads


def _all_pages(server: Server, query: str, path: list[str], **variables: Any) -> list[Any]:
    nodes: list[Any] = []
    after = None
    while True:
        data = server.data(query, {**variables, "after": after}, role="planner")
        for step in path:
            data = data[step]
        nodes.extend(e["node"] for e in data["edges"])
        if not data["pageInfo"]["hasNextPage"]:
            return nodes
        after = data["pageInfo"]["endCursor"]


def _counts(server: Server) -> tuple[int, int]:
    stats = server.data(
        "{ stats { nodeCounts { label count } relationshipCounts { type count } } }"
    )
    nodes = {c["label"]: c["count"] for c in stats["stats"]["nodeCounts"]}
    rels = {c["type"]: c["count"] for c in stats["stats"]["relationshipCounts"]}
    return nodes["Demand"], rels["SERVED"]


@dataclass
class Written:
    """What the writers were told landed."""

    demands: set[str] = field(default_factory=set)
    services: set[tuple[Any, ...]] = field(default_factory=set)


def hammer(servers: list[Server], mutations: int = MUTATIONS) -> Written:
    """WRITERS clients, spread over `servers`, each making `mutations` writes, while two
    readers query; every write must be acknowledged."""
    written = Written()

    async def run() -> int:
        limits = httpx.Limits(max_connections=WRITERS + 2)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:
            done = asyncio.Event()
            urls = [f"{s.url}/graphql" for s in servers]
            readers = [asyncio.ensure_future(_reader(client, u, done)) for u in urls[:2]]
            await asyncio.gather(
                *(
                    _writer(
                        client, urls[w % len(urls)], w, mutations, written.demands, written.services
                    )
                    for w in range(WRITERS)
                )
            )
            done.set()
            return sum(await asyncio.gather(*readers))

    assert asyncio.run(run()) > 0
    assert len(written.demands) + len(written.services) == WRITERS * mutations
    return written


def kill(server: Server) -> None:
    """SIGKILL: no chance to flush anything more."""
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)


def check_everything_landed(
    server: Server, before: tuple[int, int], written: Written, audit_before: int = 0
) -> None:
    """Every acknowledged write is in the graph and the audit trail, and nothing else."""
    demands, services = written.demands, written.services
    assert _counts(server) == (before[0] + len(demands), before[1] + len(services))
    listed = _all_pages(
        server,
        'query($after: String) { demands(filter: {enterprise: "ENT-2"}, first: 100, '
        "after: $after) "
        "{ pageInfo { hasNextPage endCursor } edges { node { key title } } } }",
        ["demands"],
    )
    landed = {d["key"]: d["title"] for d in listed if d["key"].startswith("LT-")}
    assert landed == {k: f"负载{k}" for k in demands}
    found: set[tuple[Any, ...]] = set()
    for expert in ("EXP-1", "EXP-2", "EXP-3", "EXP-4"):
        records = _all_pages(
            server,
            "query($after: String, $e: String!) { expert(key: $e) { serviceRecords(first: 100, "
            "after: $after) { pageInfo { hasNextPage endCursor } edges { node { "
            "enterprise { key } role startOn rating } } } } }",
            ["expert", "serviceRecords"],
            e=expert,
        )
        found |= {
            (expert, r["enterprise"]["key"], r["startOn"], r["rating"])
            for r in records
            if r["role"] == "consultant" and r["startOn"] < "2030"
        }
    assert found == services
    audit = _all_pages(
        server,
        "query($after: String) { auditLog(first: 100, after: $after) "
        "{ pageInfo { hasNextPage endCursor } edges { node { seq version } } } }",
        ["auditLog"],
    )
    total = audit_before + len(demands) + len(services)
    assert [a["seq"] for a in audit] == list(range(1, total + 1))
    assert len({a["version"] for a in audit}) == len(audit)


def test_concurrent_writers_lose_nothing_across_a_kill(tmp_path: Path) -> None:
    load_folder(MINI, tmp_path / "graph")
    server = start_server(tmp_path / "graph", tmp_path)
    try:
        before = _counts(server)
        written = hammer([server])
    finally:
        kill(server)
    server = start_server(tmp_path / "graph", tmp_path)
    try:
        check_everything_landed(server, before, written)
    finally:
        stop_server(server)
