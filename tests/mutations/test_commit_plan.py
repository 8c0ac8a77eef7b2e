"""commitPlan: a plan from planPairing or planCommissioners is checked against the graph as
it is now and written whole, or not at all; committing it again writes nothing new."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Server

COMMIT = """
mutation Commit($input: CommitPlanInput!) {
  commitPlan(input: $input) { version written unchanged errors { field message } }
}"""
PAIRING = """
{ planPairing { coverage { before after } assignments { enterprise { key } institution { key } } } }
"""
COMMISSIONERS = """
query($start: String!) {
  planCommissioners(startOn: $start) { assignments { enterprise { key } expert { key } } }
}"""
VERSION = "{ stats { version } }"


def commit(server: Server, **input_: Any) -> Any:
    return server.data(COMMIT, {"input": input_}, role="admin")["commitPlan"]


def version(server: Server) -> int:
    return int(server.data(VERSION)["stats"]["version"])


def test_a_pairing_plan_is_committed_once(server: Server) -> None:
    plan = server.data(PAIRING, role="planner")["planPairing"]
    assert plan["coverage"]["after"] > plan["coverage"]["before"]
    assignments = [
        {"enterprise": a["enterprise"]["key"], "institution": a["institution"]["key"]}
        for a in plan["assignments"]
    ]
    done = commit(server, kind="PAIRING", assignments=assignments, startOn="2025-09-01")
    assert done["errors"] == [] and done["written"] == len(assignments)
    assert done["version"] == version(server)
    again = server.data(PAIRING, role="planner")["planPairing"]
    assert again["coverage"]["before"] == plan["coverage"]["after"]  # the plan is in the graph
    twice = commit(server, kind="PAIRING", assignments=assignments, startOn="2025-09-01")
    assert (twice["written"], twice["unchanged"]) == (0, len(assignments))
    ent = assignments[0]["enterprise"]
    pairings = server.data(
        "query($k: String!) { enterprise(key: $k) { pairings { institution { key } since } } }",
        {"k": ent},
    )["enterprise"]["pairings"]
    assert {
        "institution": {"key": assignments[0]["institution"]},
        "since": "2025-09-01",
    } in pairings


def test_a_commissioner_plan_becomes_services_in_the_term(server: Server) -> None:
    plan = server.data(COMMISSIONERS, {"start": "2026-01-01"}, role="planner")
    assignments = [
        {"enterprise": a["enterprise"]["key"], "expert": a["expert"]["key"]}
        for a in plan["planCommissioners"]["assignments"]
    ]
    assert assignments
    done = commit(server, kind="COMMISSIONERS", assignments=assignments, startOn="2026-01-01")
    assert done["errors"] == [] and done["written"] == len(assignments)
    first = assignments[0]
    records = server.data(
        "query($k: String!) { expert(key: $k) { serviceRecords(first: 100) { edges { node { "
        "enterprise { key } role startOn endOn } } } } }",
        {"k": first["expert"]},
        role="portal",
    )["expert"]["serviceRecords"]["edges"]
    assert {
        "enterprise": {"key": first["enterprise"]},
        "role": "commissioner",
        "startOn": "2026-01-01",
        "endOn": "2027-12-31",
    } in [r["node"] for r in records]
    replan = server.data(COMMISSIONERS, {"start": "2026-01-01"}, role="planner")
    assert first["enterprise"] not in {
        a["enterprise"]["key"] for a in replan["planCommissioners"]["assignments"]
    }


def test_a_plan_with_a_bad_assignment_writes_nothing(server: Server) -> None:
    before = version(server)
    done = commit(
        server,
        kind="PAIRING",
        assignments=[
            {"enterprise": "ENT-2", "institution": "INST-GXKJ"},
            {"enterprise": "ENT-404", "institution": "INST-GXKJ"},
            {"enterprise": "ENT-1", "expert": "EXP-1"},
        ],
    )
    assert done["version"] is None and done["written"] == 0
    assert [(e["field"], e["message"]) for e in done["errors"]] == [
        ("assignments[1].enterprise", "no enterprise with key 'ENT-404'"),
        ("assignments[2].institution", "a pairing assignment names an institution"),
        ("assignments[2].expert", "a pairing assignment names no expert"),
    ]
    assert version(server) == before


def test_capacities_are_checked_when_committing(server: Server) -> None:
    done = commit(
        server,
        kind="PAIRING",
        assignments=[{"enterprise": "ENT-2", "institution": "INST-HZXY"}],
        capacities=[{"key": "INST-HZXY", "capacity": 1}],
    )
    assert [e["field"] for e in done["errors"]] == ["assignments[0].institution"]
    assert "can pair with 1 enterprises at once" in done["errors"][0]["message"]
    empty = commit(server, kind="PAIRING", assignments=[])
    assert empty["errors"] == [
        {"field": "assignments", "message": "a plan to commit has at least one assignment"}
    ]


def test_only_admins_commit_and_commits_are_audited(server: Server) -> None:
    body = {
        "input": {
            "kind": "PAIRING",
            "assignments": [{"enterprise": "ENT-2", "institution": "INST-GXKJ"}],
        }
    }
    denied = server.post(COMMIT, body, role="planner").json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    log = server.data(
        '{ auditLog(mutation: "commitPlan", first: 100) { edges { node { input result } } } }',
        role="planner",
    )["auditLog"]["edges"]
    assert log and all(e["node"]["result"]["kind"] in ("pairing", "commissioners") for e in log)
