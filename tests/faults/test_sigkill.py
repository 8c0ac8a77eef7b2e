"""The server killed (SIGKILL) at random moments while 8 clients write: 20 rounds of start,
write, kill. After each kill every acknowledged write is there, whole; a write that got no
answer is either all there (its node, its relationships, its audit entry) or not at all;
the audit trail runs 1..n without a gap; and the restarted server answers the same counts.

The kill moments come from a seeded generator, so a failing round can be replayed. The
folder is checked by opening it as a restart does (`MemoryStore`), which shows the raw
graph: a demand's node and its POSTED and MENTIONS relationships, a service's SERVED and
ADDRESSED relationships, and the audit entries of both.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import Any, Literal

import httpx

from graphsvc.store import MemoryStore
from tests.api.conftest import MINI, TOKENS, Server, load_folder, start_server, stop_server

SEED = 20261127
ROUNDS = int(os.environ.get("GRAPHSVC_FAULT_ROUNDS", "20"))  # `make faults` runs more
WRITERS = 8
KEYWORDS = ("碳酸钙", "表面改性")
POST = (
    "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { key } errors { message } } }"
)
RECORD = (
    "mutation($i: RecordServiceInput!) { recordService(input: $i) "
    "{ service { rating } errors { message } } }"
)
ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}
Answer = Literal["acknowledged", "unanswered"]


@dataclass(frozen=True)
class Service:
    expert: str
    enterprise: str
    start_on: str
    demand: str
    rating: int


@dataclass
class Ledger:
    """What the clients know: writes acknowledged, and writes sent that got no answer."""

    demands: dict[str, str] = field(default_factory=dict)  # key -> enterprise
    services: set[Service] = field(default_factory=set)
    unanswered_demands: dict[str, str] = field(default_factory=dict)
    unanswered_services: set[Service] = field(default_factory=set)
    cut: int = 0  # writes that got no answer


async def _send(client: httpx.AsyncClient, url: str, query: str, input_: dict[str, Any]) -> Answer:
    try:
        response = await client.post(url, json={"query": query, "variables": {"i": input_}})
    except httpx.TransportError:
        return "unanswered"  # the server died with the request in flight, or before it
    assert response.status_code == 200, response.text
    payload = next(iter(response.json()["data"].values()))
    assert payload["errors"] == [], payload
    return "acknowledged"


async def _writer(
    client: httpx.AsyncClient, url: str, r: int, w: int, days: count[int], ledger: Ledger
) -> None:
    enterprise, expert = f"ENT-{w % 3 + 1}", f"EXP-{w % 4 + 1}"
    for i in count():
        key = f"F{r:02d}-{w}-{i:04d}"
        demand = {"key": key, "enterprise": enterprise, "title": f"故障{key}"}
        answer = await _send(client, url, POST, {**demand, "keywords": list(KEYWORDS)})
        if answer == "unanswered":
            ledger.unanswered_demands[key] = enterprise
            ledger.cut += 1
            return
        ledger.demands[key] = enterprise
        start_on = (date(1990, 1, 1) + timedelta(days=next(days))).isoformat()
        service = Service(expert, enterprise, start_on, key, i % 5 + 1)
        given = {
            "expert": expert,
            "enterprise": enterprise,
            "role": "consultant",
            "startOn": start_on,
            "demand": key,
            "rating": service.rating,
            "idempotencyKey": f"svc-{start_on}",
        }
        if await _send(client, url, RECORD, given) == "unanswered":
            ledger.unanswered_services.add(service)
            ledger.cut += 1
            return
        ledger.services.add(service)


async def _write_until_killed(server: Server, r: int, delay: float, ledger: Ledger) -> None:
    days = count(r * 10_000)  # a distinct start date per service
    url = f"{server.url}/graphql"
    limits = httpx.Limits(max_connections=WRITERS)
    async with httpx.AsyncClient(timeout=60, headers=ADMIN, limits=limits) as client:
        writers = [
            asyncio.ensure_future(_writer(client, url, r, w, days, ledger)) for w in range(WRITERS)
        ]
        await asyncio.sleep(delay)
        os.kill(server.process.pid, signal.SIGKILL)
        await asyncio.gather(*writers)
    server.process.wait(timeout=30)


def _demand_state(store: MemoryStore, key: str, enterprise: str, audited: set[str]) -> str:
    """ "whole", "absent", or what is half there."""
    g = store.view()
    node = f"Demand:{key}"
    parts = {
        "node": node in g,
        "POSTED": g.has_edge(f"Enterprise:{enterprise}", node),
        **{f"MENTIONS {k}": g.has_edge(node, f"Keyword:{k}") for k in KEYWORDS},
        "audit": key in audited,
    }
    if all(parts.values()):
        return "whole"
    return "absent" if not any(parts.values()) else f"half: {parts}"


def _service_state(store: MemoryStore, s: Service, audited: set[str]) -> str:
    g = store.view()
    served = g.get_edge_data(f"Expert:{s.expert}", f"Enterprise:{s.enterprise}") or {}
    records = [
        a for k, a in served.items() if k.startswith("SERVED|") and a["start_on"] == s.start_on
    ]
    parts = {
        "SERVED": [(a["rating"], a["demand_key"]) for a in records] == [(s.rating, s.demand)],
        "ADDRESSED": g.has_edge(f"Expert:{s.expert}", f"Demand:{s.demand}"),
        "audit": s.start_on in audited,
    }
    if all(parts.values()):
        return "whole"
    return "absent" if not any(parts.values()) and not records else f"half: {parts}"


def _check_folder(folder: Path, ledger: Ledger, r: int) -> dict[str, Any]:
    """Open the folder as a restart does and check the ledger against it; its figures."""
    store = MemoryStore(folder)
    try:
        audit = store.audit_entries(0, 10**9)
        assert [a["seq"] for a in audit] == list(range(1, len(audit) + 1)), f"round {r}: a gap"
        posted = {a["input"]["key"] for a in audit if a["mutation"] == "postDemand"}
        recorded = {a["input"]["start_on"] for a in audit if a["mutation"] == "recordService"}
        assert len(posted) + len(recorded) == len(audit)
        for key, enterprise in ledger.demands.items():
            assert _demand_state(store, key, enterprise, posted) == "whole", (r, key)
        for service in ledger.services:
            assert _service_state(store, service, recorded) == "whole", (r, service)
        for key, enterprise in list(ledger.unanswered_demands.items()):
            state = _demand_state(store, key, enterprise, posted)
            assert state in ("whole", "absent"), (r, key, state)
            if state == "whole":  # it landed after all: from now on it must stay
                ledger.demands[key] = ledger.unanswered_demands.pop(key)
        for service in list(ledger.unanswered_services):
            state = _service_state(store, service, recorded)
            assert state in ("whole", "absent"), (r, service, state)
            if state == "whole":
                ledger.unanswered_services.discard(service)
                ledger.services.add(service)
        # every audited write is one the clients sent: nothing appeared from nowhere
        assert posted == set(ledger.demands)
        assert recorded == {s.start_on for s in ledger.services}
        counts = store.counts()
        return {
            "version": store.version,
            "audit": len(audit),
            "nodes": counts.nodes,
            "relationships": counts.relationships,
        }
    finally:
        store.close()


def _served_figures(server: Server) -> dict[str, Any]:
    data = server.data(
        "{ stats { version nodeCounts { label count } relationshipCounts { type count } } "
        "auditLog(first: 1, newestFirst: true) { edges { node { seq } } } }",
        role="planner",
    )
    edges = data["auditLog"]["edges"]
    return {
        "version": data["stats"]["version"],
        "audit": edges[0]["node"]["seq"] if edges else 0,
        "nodes": {c["label"]: c["count"] for c in data["stats"]["nodeCounts"]},
        "relationships": {c["type"]: c["count"] for c in data["stats"]["relationshipCounts"]},
    }


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    folder = tmp_path / "graph"
    load_folder(MINI, folder)
    ledger = Ledger()
    expected = _check_folder(folder, ledger, 0)
    for r in range(1, ROUNDS + 1):
        server = start_server(folder, tmp_path)
        try:
            assert _served_figures(server) == expected, f"round {r}: the restart differs"
            asyncio.run(_write_until_killed(server, r, rng.uniform(0.05, 1.2), ledger))
        finally:
            if server.process.poll() is None:
                stop_server(server)
        expected = _check_folder(folder, ledger, r)
    server = start_server(folder, tmp_path)
    try:
        assert _served_figures(server) == expected
    finally:
        stop_server(server)
    # Enough happened to mean something: many writes landed, and kills cut some short.
    assert len(ledger.demands) >= 2 * ROUNDS and len(ledger.services) >= ROUNDS
    assert ledger.cut >= WRITERS * ROUNDS // 2
