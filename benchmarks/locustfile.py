"""The load test's users, for locust (run by benchmarks/loadtest.py, headless).

- `Reader`: the programme's clients mixed: the enterprise portal's recommendation calls, the
  web frontend's reads (entity lookups, connections, search) and the planners' analytics
  (clusters, coverage, service figures, a pairing plan), with a short think time.
- `Writer` (5 of them): posting demands and recording services, as the portal does.

Every request counts as failed unless it answers 200 without any GraphQL error (and, for a
write, without payload errors). The keys come from the JSON file in GRAPHSVC_LOADTEST_KEYS.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

from locust import FastHttpUser, between, task

KEYS: dict[str, Any] = json.loads(
    Path(os.environ.get("GRAPHSVC_LOADTEST_KEYS", "keys.json")).read_text("utf-8")
    if os.environ.get("GRAPHSVC_LOADTEST_KEYS")
    else "{}"
)
TOKENS: dict[str, str] = KEYS.get("tokens", {})
_sequence = itertools.count()
_WRITER_WAIT = [
    float(x) for x in os.environ.get("GRAPHSVC_LOADTEST_WRITER_WAIT", "0.5,1.5").split(",")
]

RECOMMEND_EXPERTS = """query R($d: String!) { recommendExperts(demand: $d, first: 10) {
  score reasons expert { key name } } }"""
RECOMMEND_INSTITUTIONS = """query R($e: String!) { recommendInstitutions(enterprise: $e,
  first: 10) { score institution { key name } } }"""
RECOMMEND_DEMANDS = """query R($x: String!) { recommendDemands(expert: $x, first: 10) {
  score demand { key title } } }"""
CLUSTERS = """{ clusters(first: 10) { clusterCount modularity } }"""
COVERAGE = """{ coverage { enterprises benchmarkTotal benchmarkPaired pairingCoverage } }"""
SERVICE_STATS = """{ serviceStats(groupBy: EXPERT, first: 10) { groupCount } }"""
PLAN_PAIRING = """{ planPairing { assignmentCount unassignedCount totalFit } }"""
POST = """mutation P($i: PostDemandInput!) { postDemand(input: $i) {
  demand { key } errors { field message } } }"""
RECORD = """mutation S($i: RecordServiceInput!) { recordService(input: $i) {
  service { rating } errors { field message } } }"""


class _GraphQL(FastHttpUser):
    abstract = True
    role: ClassVar[str] = "portal"

    def graphql(self, name: str, query: str, role: str, **variables: Any) -> None:
        headers = {"Authorization": f"Bearer {TOKENS[role]}"}
        body = {"query": query, "variables": variables}
        with self.client.post(
            "/graphql", json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            payload = response.json()
            if payload.get("errors"):
                response.failure(f"errors: {payload['errors'][:1]}")
                return
            for value in (payload.get("data") or {}).values():
                if isinstance(value, dict) and value.get("errors"):
                    response.failure(f"payload errors: {value['errors'][:1]}")
                    return
            response.success()


class Reader(_GraphQL):
    """Portal, frontend and planner traffic."""

    wait_time = between(0.5, 1.5)

    # the portal's recommendation calls
    @task(3)
    def recommend_experts(self) -> None:
        self.graphql("recommendExperts", RECOMMEND_EXPERTS, "portal", d=_pick("demands"))

    @task(1)
    def recommend_institutions(self) -> None:
        self.graphql(
            "recommendInstitutions", RECOMMEND_INSTITUTIONS, "portal", e=_pick("enterprises")
        )

    @task(1)
    def recommend_demands(self) -> None:
        self.graphql("recommendDemands", RECOMMEND_DEMANDS, "portal", x=_pick("experts"))

    # the frontend's reads: the API benchmark's entity lookups, pages and search
    @task(8)
    def frontend(self) -> None:
        name = random.choice(sorted(KEYS["reads"]))
        body = json.loads(random.choice(KEYS["reads"][name]))
        self.graphql(name, body["query"], "portal", **body.get("variables", {}))

    # the planners' analytics
    @task(1)
    def clusters(self) -> None:
        self.graphql("clusters", CLUSTERS, "planner")

    @task(1)
    def coverage(self) -> None:
        self.graphql("coverage", COVERAGE, "planner")

    @task(1)
    def service_stats(self) -> None:
        self.graphql("serviceStats", SERVICE_STATS, "planner")

    @task(1)
    def plan_pairing(self) -> None:
        self.graphql("planPairing", PLAN_PAIRING, "planner")


class Writer(_GraphQL):
    """The portal's writes: a demand posted, a service recorded, in turn; then a pause of
    GRAPHSVC_LOADTEST_WRITER_WAIT seconds ("low,high", 0.5-1.5 by default)."""

    fixed_count = 5
    wait_time = between(*_WRITER_WAIT)

    @task
    def write(self) -> None:
        n = next(_sequence)
        enterprise, expert = _pick("enterprises"), _pick("experts")
        key = f"LOAD-{os.getpid()}-{n:06d}"
        title = f"{random.choice(KEYS['terms'])}工艺改进 {key}"
        self.graphql(
            "postDemand", POST, "admin", i={"key": key, "enterprise": enterprise, "title": title}
        )
        start = date(2000, 1, 1) + timedelta(days=n)
        service = {
            "expert": expert,
            "enterprise": enterprise,
            "role": "consultant",
            "startOn": start.isoformat(),
            "rating": n % 5 + 1,
            "demand": key,
        }
        self.graphql("recordService", RECORD, "admin", i=service)


def _pick(kind: str) -> str:
    return str(random.choice(KEYS[kind]))
