"""Plans over HTTP: a real uvicorn on a copy of the demo store."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

from graphsvc.store import MemoryStore
from tests.api.conftest import Server, start_server, stop_server

PAIRING = """query($mode: PlanMode!) { planPairing(mode: $mode) {
  kind mode version totalFit kept assignmentCount unassignedCount
  coverage { total before after shareBefore shareAfter counties { code name total before after }
             industries { code after } }
  assignments(first: 5) { enterprise { key } institution { key } expert { key } score round
    reasons paths { share nodes { id key label name } relationships { type forward } } }
  unassigned(first: 100) { enterprise { key } code reason } } }"""

COMMISSIONERS = """query($counties: [String!], $quotas: [QuotaInput!]) {
  planCommissioners(counties: $counties, startOn: "2024-06-30", cityQuotas: $quotas) {
    kind startOn termEnd totalFit assignmentCount
    coverage { total before after }
    assignments(first: 100) { enterprise { key } expert { key } score reasons }
    unassigned(first: 100) { enterprise { key } code reason } } }"""

WHAT_IF = """query($remove: [String!]) { planWhatIf(kind: PAIRING, variant: { remove: $remove }) {
  total baseCovered variantCovered change moved counties { code base variant change }
  industries { code change } } }"""


MAX_PLAN_PAIRS = 50_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, plan_store: MemoryStore) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("plan-server")
    shutil.copytree(plan_store.data_dir, tmp / "graph", ignore=shutil.ignore_patterns("LOCK"))
    # whole-province commissioner plans (1000 enterprises x ~180) are past this limit
    running = start_server(tmp / "graph", tmp, GRAPHSVC_MAX_PLAN_PAIRS=str(MAX_PLAN_PAIRS))
    yield running
    stop_server(running)


def answer(server: Server, query: str, variables: dict[str, Any], role: str = "planner") -> Any:
    """The payload of a query, asking again while the plan is still being computed."""
    deadline = time.monotonic() + 120
    while True:
        response = server.post(query, variables, role=role)
        assert response.status_code == 200, response.text
        payload = response.json()
        errors = payload.get("errors") or []
        if errors and errors[0]["extensions"]["code"] == "UNAVAILABLE":
            assert time.monotonic() < deadline, errors
            time.sleep(0.5)
            continue
        return payload


def ask(server: Server, query: str, variables: dict[str, Any], role: str = "planner") -> Any:
    """The data of a query that must succeed."""
    payload = answer(server, query, variables, role)
    assert not payload.get("errors"), payload["errors"]
    return payload["data"]


def test_plan_pairing(server: Server) -> None:
    plan = ask(server, PAIRING, {"mode": "OPTIMAL"})["planPairing"]
    assert plan["kind"] == "PAIRING" and plan["mode"] == "OPTIMAL"
    c = plan["coverage"]
    assert c["after"] == c["before"] + plan["assignmentCount"] and c["total"] >= c["after"]
    assert sum(g["total"] for g in c["counties"]) == c["total"]
    assert len(plan["assignments"]) == 5
    for a in plan["assignments"]:
        assert a["institution"]["key"] and a["expert"] is None and a["score"] > 0
        assert a["reasons"] and a["paths"]
        for p in a["paths"]:
            assert p["nodes"][0]["key"] == a["enterprise"]["key"]
            assert p["nodes"][-1]["key"] == a["institution"]["key"]
            assert len(p["relationships"]) == len(p["nodes"]) - 1
    assert len(plan["unassigned"]) == plan["unassignedCount"]
    stable = ask(server, PAIRING, {"mode": "STABLE"})["planPairing"]
    assert stable["mode"] == "STABLE" and stable["coverage"]["after"] <= c["after"]


def test_plan_commissioners_and_quotas(server: Server) -> None:
    counties = ["451102", "450102"]
    plan = ask(server, COMMISSIONERS, {"counties": counties})["planCommissioners"]
    assert plan["startOn"] == "2024-06-30" and plan["termEnd"] == "2026-06-30"
    assert plan["assignmentCount"] == len(plan["assignments"]) > 0
    assert all(a["expert"]["key"] and a["reasons"] for a in plan["assignments"])
    none = ask(
        server,
        COMMISSIONERS,
        {
            "counties": counties,
            "quotas": [{"key": "451100", "quota": 0}, {"key": "450100", "quota": 0}],
        },
    )["planCommissioners"]
    assert none["assignmentCount"] == 0
    assert {u["code"] for u in none["unassigned"]} <= {"QUOTA", "NO_CANDIDATE", "OUT_OF_REACH"}


def test_what_if(server: Server) -> None:
    d = ask(server, WHAT_IF, {"remove": ["INST-001"]})["planWhatIf"]
    assert d["change"] == d["variantCovered"] - d["baseCovered"] <= 0
    assert sum(c["change"] for c in d["counties"]) == d["change"]


def test_planner_role_needed(server: Server) -> None:
    for role in (None, "portal"):
        payload = server.post(PAIRING, {"mode": "OPTIMAL"}, role=role).json()
        assert payload["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert ask(server, WHAT_IF, {"remove": []}, role="admin")["planWhatIf"]["change"] == 0


@pytest.mark.parametrize(
    ("query", "variables", "words"),
    [
        (COMMISSIONERS, {"counties": ["999999"]}, "999999"),
        (COMMISSIONERS, {"quotas": [{"key": "450100", "quota": -1}]}, ">= 0"),
        (WHAT_IF, {"remove": ["INST-NOPE"]}, "INST-NOPE"),
        ('{ planPairing(capacities: [{key: "INST-001", capacity: -3}]) { totalFit } }', {}, ">= 0"),
        ("{ planPairing(preferences: 0) { totalFit } }", {}, "preferences"),
        ("{ planPairing { assignments(first: 1000) { score } } }", {}, "first"),
        (
            '{ planWhatIf(kind: PAIRING, variant: { counties: ["450102"] }) { change } }',
            {},
            "counties",
        ),
    ],
)
def test_bad_input_is_a_coded_error(
    server: Server, query: str, variables: dict[str, Any], words: str
) -> None:
    response = server.post(query, variables, role="planner")
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] in {"BAD_USER_INPUT", "LIMIT_EXCEEDED"}, error
    assert words in error["message"]


@pytest.mark.parametrize(
    ("query", "narrow"),
    [
        ("{ planCommissioners { totalFit } }", "(`counties` or `enterprises`)"),
        ("{ planWhatIf(kind: COMMISSIONERS, variant: {}) { change } }", "`counties`"),
    ],
)
def test_a_plan_too_large_is_refused_with_a_way_out(
    server: Server, query: str, narrow: str
) -> None:
    payload = answer(server, query, {})
    (error,) = payload["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert f"more than the {MAX_PLAN_PAIRS:,} a plan may score at once" in error["message"]
    assert narrow in error["message"]
    # within the limit, the same plan for two counties is made
    two = ask(server, COMMISSIONERS, {"counties": ["451102", "450102"]})["planCommissioners"]
    assert two["assignmentCount"] > 0
