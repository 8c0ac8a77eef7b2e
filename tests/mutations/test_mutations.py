"""Each mutation through a real server: its happy path, every validation error, the demand
status machine, idempotency keys, permissions, and the audit trail."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.api.conftest import Server

POST = """
mutation Post($input: PostDemandInput!) {
  postDemand(input: $input) {
    demand { key status title postedOn keywords { key } industries { code } enterprise { key } }
    errors { field message }
  }
}"""
UPDATE = """
mutation Update($input: UpdateDemandInput!) {
  updateDemand(input: $input) {
    demand { key status title budgetWan keywords { key } }
    errors { field message }
  }
}"""
RECORD = """
mutation Record($input: RecordServiceInput!) {
  recordService(input: $input) {
    service { expert { key } enterprise { key } role startOn endOn rating outcome demand { key } }
    errors { field message }
  }
}"""
PAIR = """
mutation Pair($input: PairInstitutionInput!) {
  pairInstitution(input: $input) {
    pairing { institution { key } enterprise { key } program since }
    errors { field message }
  }
}"""
EXPERT = """
mutation Expert($input: UpsertExpertInput!) {
  upsertExpert(input: $input) {
    expert { key name title capacity institution { key } city { code } keywords { key } }
    created
    errors { field message }
  }
}"""
ENTERPRISE = """
mutation Enterprise($input: UpsertEnterpriseInput!) {
  upsertEnterprise(input: $input) {
    enterprise { key name size benchmark county { code } industries { code } }
    created
    errors { field message }
  }
}"""
AUDIT = """
query Audit($mutation: String, $after: String) {
  auditLog(first: 100, mutation: $mutation, after: $after) {
    totalCount
    edges { node { seq at actor mutation version idempotencyKey input result } }
  }
}"""


def mutate(server: Server, query: str, **input_: Any) -> Any:
    """The payload of a mutation run as admin."""
    data = server.data(query, {"input": input_}, role="admin")
    return next(iter(data.values()))


def errors(payload: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for e in payload["errors"]]


# -- postDemand -------------------------------------------------------------------------------


def test_post_demand_extracts_keywords_and_defaults(server: Server) -> None:
    payload = mutate(
        server,
        POST,
        enterprise="ENT-1",
        title="重质碳酸钙超细粉碎设备选型",
        description="需要提高超细粉碎效率，降低能耗",
    )
    assert payload["errors"] == []
    demand = payload["demand"]
    assert demand["key"].startswith("D") and demand["status"] == "open"
    assert demand["enterprise"] == {"key": "ENT-1"}
    assert demand["postedOn"] is not None
    assert {"超细粉碎"} <= {k["key"] for k in demand["keywords"]}
    assert demand["industries"] == [{"code": "309"}]  # the enterprise's industries
    again = server.data(
        "query($k: String!) { demand(key: $k) { key title } }", {"k": demand["key"]}
    )
    assert again["demand"]["title"] == "重质碳酸钙超细粉碎设备选型"


@pytest.mark.parametrize(
    ("input_", "expected"),
    [
        (
            {"enterprise": "ENT-404", "title": "x"},
            [("enterprise", "'ENT-404' refers to no Enterprise")],
        ),
        ({"enterprise": "ENT-1", "title": "  "}, [("title", "a required value is missing")]),
        (
            {"enterprise": "ENT-1", "title": "t", "budgetWan": -5},
            [("budgetWan", "must be at least 0, got -5.0")],
        ),
        (
            {"enterprise": "ENT-1", "title": "t", "industries": ["999"]},
            [("industries", "'999' refers to no Industry")],
        ),
        (
            {"key": "DEM-1", "enterprise": "ENT-1", "title": "t"},
            [("key", "demand 'DEM-1' exists already; change it with updateDemand")],
        ),
    ],
)
def test_post_demand_refuses_bad_input_and_writes_nothing(
    server: Server, input_: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    before = server.data("{ stats { version } }")["stats"]["version"]
    payload = mutate(server, POST, **input_)
    assert payload["demand"] is None
    assert errors(payload) == expected
    assert server.data("{ stats { version } }")["stats"]["version"] == before


def test_a_demand_key_makes_post_demand_idempotent(server: Server) -> None:
    input_ = {"key": "DEM-IDEM", "enterprise": "ENT-2", "title": "石材粉尘治理", "budgetWan": 10}
    first = mutate(server, POST, **input_)
    version = server.data("{ stats { version } }")["stats"]["version"]
    second = mutate(server, POST, **input_)
    assert first == second and first["errors"] == []
    assert server.data("{ stats { version } }")["stats"]["version"] == version
    changed = mutate(server, POST, **{**input_, "budgetWan": 11})
    assert changed["demand"] is None
    assert errors(changed)[0][0] == "idempotencyKey"


def test_an_idempotency_key_makes_a_retry_change_nothing(server: Server) -> None:
    input_ = {"enterprise": "ENT-3", "title": "废水处理", "idempotencyKey": "req-0001"}
    first = mutate(server, POST, **input_)
    second = mutate(server, POST, **input_)
    assert first["demand"]["key"] == second["demand"]["key"]
    count = server.data('{ demands(filter: {enterprise: "ENT-3"}, first: 100) { totalCount } }')[
        "demands"
    ]["totalCount"]
    third = mutate(server, POST, **{**input_, "idempotencyKey": "req-0002"})
    assert third["demand"]["key"] != first["demand"]["key"]
    after = server.data('{ demands(filter: {enterprise: "ENT-3"}, first: 100) { totalCount } }')
    assert after["demands"]["totalCount"] == count + 1


# -- updateDemand -----------------------------------------------------------------------------


def test_demand_status_moves_only_along_the_state_machine(server: Server) -> None:
    key = mutate(server, POST, enterprise="ENT-1", title="碳酸钙白度提升")["demand"]["key"]
    refused = mutate(server, UPDATE, key=key, status="solved")
    assert errors(refused) == [("status", "a open demand can change to matched, not to solved")]
    assert mutate(server, UPDATE, key=key, status="matched")["demand"]["status"] == "matched"
    back = mutate(server, UPDATE, key=key, status="open")
    assert errors(back) == [
        ("status", "a matched demand can change to solved or closed, not to open")
    ]
    assert mutate(server, UPDATE, key=key, status="closed")["demand"]["status"] == "closed"
    final = mutate(server, UPDATE, key=key, status="solved")
    assert errors(final) == [
        ("status", "a closed demand can change to nothing (it is final), not to solved")
    ]
    bogus = mutate(server, UPDATE, key=key, status="lost")
    assert errors(bogus)[0][0] == "status"
    missing = mutate(server, UPDATE, key="DEM-404", status="matched")
    assert errors(missing) == [("key", "no demand 'DEM-404'")]


def test_update_demand_keeps_what_is_left_out(server: Server) -> None:
    created = mutate(
        server, POST, enterprise="ENT-1", title="表面改性剂选型", keywords=["表面改性", "偶联剂"]
    )["demand"]
    key = created["key"]
    changed = mutate(server, UPDATE, key=key, budgetWan=30)
    assert changed["errors"] == []
    assert changed["demand"]["budgetWan"] == 30
    assert changed["demand"]["title"] == "表面改性剂选型"
    assert {k["key"] for k in changed["demand"]["keywords"]} == {"表面改性", "偶联剂"}
    retitled = mutate(server, UPDATE, key=key, title="石材边角料制备超细碳酸钙")
    assert "表面改性" not in {k["key"] for k in retitled["demand"]["keywords"]}


# -- recordService ----------------------------------------------------------------------------


def test_record_service_then_update_its_rating(server: Server) -> None:
    base = {"expert": "EXP-2", "enterprise": "ENT-1", "role": "visit", "startOn": "2025-03-01"}
    first = mutate(server, RECORD, **base)
    assert first["errors"] == []
    assert first["service"]["rating"] is None and first["service"]["role"] == "visit"
    rated = mutate(server, RECORD, **base, rating=4, outcome="solved", endOn="2025-04-01")
    assert rated["service"]["rating"] == 4 and rated["service"]["endOn"] == "2025-04-01"
    records = server.data(
        '{ expert(key: "EXP-2") { serviceRecords(first: 100) { edges { node { enterprise { key } '
        "startOn rating } } } } }",
        role="portal",
    )["expert"]["serviceRecords"]["edges"]
    same = [r for r in records if r["node"]["startOn"] == "2025-03-01"]
    assert len(same) == 1 and same[0]["node"]["rating"] == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"expert": "EXP-404"}, [("expert", "'EXP-404' refers to no Expert")]),
        ({"rating": 9}, [("rating", "must be at least 1 and at most 5, got 9")]),
        (
            {"role": "boss"},
            [("role", "must be one of commissioner, team, consultant, visit, got 'boss'")],
        ),
        (
            {"outcome": "great"},
            [("outcome", "must be one of solved, ongoing, failed, got 'great'")],
        ),
        ({"endOn": "2024-01-01"}, [("endOn", "2024-01-01 is before start_on 2025-05-01")]),
        (
            {"demand": "DEM-2"},
            [("demand", "demand 'DEM-2' was posted by ENT-2, not this enterprise")],
        ),
        ({"demand": "DEM-404"}, [("demand", "'DEM-404' refers to no Demand")]),
    ],
)
def test_record_service_refuses_bad_input(
    server: Server, change: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    base = {"expert": "EXP-1", "enterprise": "ENT-1", "role": "visit", "startOn": "2025-05-01"}
    payload = mutate(server, RECORD, **{**base, **change})
    assert payload["service"] is None
    assert errors(payload) == expected


# -- pairInstitution, upserts -----------------------------------------------------------------


def test_pair_institution(server: Server) -> None:
    payload = mutate(server, PAIR, institution="INST-GXKJ", enterprise="ENT-2", program="千企")
    assert payload["errors"] == []
    assert payload["pairing"]["institution"] == {"key": "INST-GXKJ"}
    assert payload["pairing"]["since"] is not None
    bad = mutate(server, PAIR, institution="INST-404", enterprise="ENT-2")
    assert errors(bad) == [("institution", "'INST-404' refers to no Institution")]


def test_upsert_expert_creates_then_changes_only_what_is_given(server: Server) -> None:
    created = mutate(
        server,
        EXPERT,
        key="EXP-NEW",
        name="赵新",
        institution="INST-HZXY",
        city="451100",
        keywords=["石材加工"],
    )
    assert created["errors"] == [] and created["created"] is True
    assert created["expert"]["capacity"] == 3  # the ontology's default
    changed = mutate(server, EXPERT, key="EXP-NEW", title="高级工程师", capacity=5)
    assert changed["created"] is False
    expert = changed["expert"]
    assert (expert["name"], expert["title"], expert["capacity"]) == ("赵新", "高级工程师", 5)
    assert expert["institution"] == {"key": "INST-HZXY"} and expert["city"] == {"code": "451100"}
    assert expert["keywords"] == [{"key": "石材加工"}]
    cleared = mutate(server, EXPERT, key="EXP-NEW", institution=None)
    assert cleared["expert"]["institution"] is None
    nameless = mutate(server, EXPERT, key="EXP-NEW2", title="x")
    assert errors(nameless) == [("name", "a required value is missing")]
    badcity = mutate(server, EXPERT, key="EXP-NEW", city="000000")
    assert errors(badcity) == [("city", "'000000' refers to no City")]


def test_upsert_enterprise(server: Server) -> None:
    created = mutate(
        server, ENTERPRISE, key="ENT-NEW", name="新企业", county="451121", industries=["309"]
    )
    assert created["errors"] == [] and created["created"] is True
    changed = mutate(server, ENTERPRISE, key="ENT-NEW", benchmark=True, size="small")
    ent = changed["enterprise"]
    assert (ent["benchmark"], ent["size"], ent["county"]) == (True, "small", {"code": "451121"})
    assert ent["industries"] == [{"code": "309"}]
    bad = mutate(server, ENTERPRISE, key="ENT-NEW", size="huge", creditCode="123")
    assert [e[0] for e in errors(bad)] == ["creditCode", "size"]


# -- permissions and the audit trail ----------------------------------------------------------


@pytest.mark.parametrize("role", [None, "portal", "planner"])
def test_only_admins_write(server: Server, role: str | None) -> None:
    response = server.post(POST, {"input": {"enterprise": "ENT-1", "title": "x"}}, role=role)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_audit_trail_records_who_what_and_when(server: Server) -> None:
    mutate(server, PAIR, institution="INST-HZXY", enterprise="ENT-3", idempotencyKey="audit-1")
    log = server.data(AUDIT, {"mutation": "pairInstitution"}, role="planner")["auditLog"]
    entry = log["edges"][-1]["node"]
    assert entry["actor"] == "admin" and entry["mutation"] == "pairInstitution"
    assert entry["idempotencyKey"] == "pairInstitution:audit-1"
    assert entry["input"]["institution"] == "INST-HZXY"
    assert entry["result"] == {"institution": "INST-HZXY", "enterprise": "ENT-3"}
    assert entry["at"].endswith("Z")
    whole = server.data(AUDIT, role="planner")["auditLog"]
    seqs = [e["node"]["seq"] for e in whole["edges"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    versions = [e["node"]["version"] for e in whole["edges"]]
    assert versions == sorted(versions)
    denied = server.post(AUDIT, role="portal").json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_refused_write_is_not_audited(server: Server) -> None:
    before = server.data(AUDIT, role="planner")["auditLog"]["totalCount"]
    mutate(server, PAIR, institution="INST-404", enterprise="ENT-2")
    assert server.data(AUDIT, role="planner")["auditLog"]["totalCount"] == before


def test_a_posted_demand_becomes_searchable(server: Server) -> None:
    query = '{ search(text: "钛白粉废酸回收", first: 5) { label node { ... on Demand { key } } } }'
    server.data(query)  # builds the first index
    key = mutate(server, POST, enterprise="ENT-1", title="钛白粉废酸回收利用")["demand"]["key"]
    deadline = time.monotonic() + 30
    while True:  # answered at once from the last index while the current one is built
        hits = server.data(query)["search"]
        if any(h["node"].get("key") == key for h in hits):
            break
        assert time.monotonic() < deadline, hits
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"capacity": -1}, ("capacity", "must be at least 0, got -1")),
        ({"subgroups": ["SG-X"]}, ("subgroups", "'SG-X' refers to no Subgroup")),
        ({"industries": ["99999"]}, ("industries", "'99999' refers to no Industry")),
        ({"institution": "I-X"}, ("institution", "'I-X' refers to no Institution")),
        ({"name": ""}, ("name", "a required value is missing")),
    ],
)
def test_upsert_expert_refuses_bad_input(
    server: Server, change: dict[str, Any], expected: tuple[str, str]
) -> None:
    payload = mutate(server, EXPERT, key="EXP-1", **change)
    assert payload["expert"] is None and errors(payload) == [expected]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"creditCode": "91451100MA5K00000X"},
            ("creditCode", "check character is 'X', expected 'P': a mistyped code?"),
        ),
        ({"county": "999999"}, ("county", "'999999' refers to no County")),
        (
            {"foundedYear": 1700},
            ("foundedYear", "must be at least 1800 and at most 2100, got 1700"),
        ),
        ({"rdStaff": -3}, ("rdStaff", "must be at least 0, got -3")),
        ({"rdSpendWan": -1.5}, ("rdSpendWan", "must be at least 0, got -1.5")),
        ({"industries": ["ZZ"]}, ("industries", "'ZZ' refers to no Industry")),
    ],
)
def test_upsert_enterprise_refuses_bad_input(
    server: Server, change: dict[str, Any], expected: tuple[str, str]
) -> None:
    payload = mutate(server, ENTERPRISE, key="ENT-1", **change)
    assert payload["enterprise"] is None and errors(payload) == [expected]
