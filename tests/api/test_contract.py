"""The GraphQL contract's read queries over HTTP against a running server (mini dataset)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.api.conftest import Server


def keys(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["key"] for e in connection["edges"]]


LOOKUPS = [
    ("enterprise", "key", "ENT-1", "name", "贺州市华鑫新材料有限公司"),
    ("expert", "key", "EXP-1", "name", "李明"),
    ("institution", "key", "INST-HZXY", "name", "贺州学院"),
    ("industry", "code", "309", "name", "石墨及其他非金属矿物制品制造"),
    ("subgroup", "key", "SG-STZY", "name", "生态资源"),
    ("demand", "key", "DEM-1", "title", "重质碳酸钙表面改性工艺优化"),
    ("achievement", "key", "ACH-1", "title", "一种纳米碳酸钙表面改性方法"),
    ("county", "code", "451121", "name", "昭平县"),
    ("city", "code", "450200", "name", "柳州市"),
    ("training", "key", "TRN-1", "title", "碳酸钙产业技术培训班"),
]


@pytest.mark.parametrize(("field", "arg", "value", "prop", "expected"), LOOKUPS)
def test_lookup_by_natural_key_and_back_by_global_id(
    mini_server: Server, field: str, arg: str, value: str, prop: str, expected: str
) -> None:
    data = mini_server.data(f'{{ {field}({arg}: "{value}") {{ id {arg} {prop} }} }}')
    found = data[field]
    assert found[arg] == value and found[prop] == expected
    type_name = field[0].upper() + field[1:]
    decoded = base64.urlsafe_b64decode(found["id"] + "=" * (-len(found["id"]) % 4)).decode()
    assert decoded == f"{type_name}:{value}"
    again = mini_server.data(
        "query($id: ID!) { node(id: $id) { __typename id } }", {"id": found["id"]}
    )
    assert again["node"] == {"__typename": type_name, "id": found["id"]}


def test_unknown_keys_and_ids_answer_null(mini_server: Server) -> None:
    data = mini_server.data(
        '{ enterprise(key: "NOPE") { key } node(id: "bm9wZQ") { id } '
        'other: node(id: "RXhwZXJ0Ok5PUEU") { id } }'
    )
    assert data == {"enterprise": None, "node": None, "other": None}


def test_enterprise_and_its_neighbours(mini_server: Server) -> None:
    data = mini_server.data(
        """{ enterprise(key: "ENT-1") {
              name creditCode size highTech benchmark rdStaff rdPlatform rdSpendWan foundedYear
              threeNo county { code name povertyCounty } city { code name }
              industries { code name parent { code } }
              demands { totalCount edges { node { key status postedOn budgetWan } } }
              pairings { institution { key } program since }
              commissioners { key }
              trainings { training { key kind organizer } attendees }
              achievements { key }
        } }"""
    )["enterprise"]
    assert data["creditCode"] == "91451100MA5K00000P"
    assert data["size"] == "small" and data["highTech"] and data["benchmark"]
    assert data["rdStaff"] == 12 and data["rdSpendWan"] == 150.5 and data["foundedYear"] == 2012
    assert data["threeNo"] is False
    assert data["county"] == {"code": "451102", "name": "八步区", "povertyCounty": False}
    assert data["city"] == {"code": "451100", "name": "贺州市"}
    assert data["industries"] == [
        {"code": "309", "name": "石墨及其他非金属矿物制品制造", "parent": {"code": "30"}}
    ]
    assert data["demands"]["totalCount"] == 1
    assert data["demands"]["edges"][0]["node"] == {
        "key": "DEM-1",
        "status": "open",
        "postedOn": "2024-03-01",
        "budgetWan": 50.0,
    }
    assert data["pairings"] == [
        {"institution": {"key": "INST-HZXY"}, "program": "千企科技创新工程", "since": "2023-01-01"}
    ]
    assert data["commissioners"] == []  # EXP-1's commissioner service at ENT-2 has ended
    assert data["trainings"] == [
        {"training": {"key": "TRN-1", "kind": "class", "organizer": "贺州市科技局"}, "attendees": 3}
    ]
    assert data["achievements"] == [{"key": "ACH-3"}]


def test_expert_and_its_neighbours(mini_server: Server) -> None:
    data = mini_server.data(
        """{ a: expert(key: "EXP-1") {
              title commissioner capacity currentLoad availableCapacity
              institution { key } city { code } subgroups { key } industries { code }
              keywords { key } servedEnterprises { totalCount edges { node { key } } }
              collaborators { edges { node { expert { key } kind count since } } }
              achievements { totalCount }
            }
            b: expert(key: "EXP-3") { currentLoad availableCapacity capacity }
            c: expert(key: "EXP-4") { capacity commissioner
                collaborators { edges { node { expert { key } } } } }
            d: expert(key: "EXP-2") { achievements { edges { node { key } } } }
        }"""
    )
    a = data["a"]
    assert a["title"] == "教授" and a["commissioner"] is True and a["capacity"] == 3
    assert a["currentLoad"] == 0 and a["availableCapacity"] == 3
    assert a["institution"] == {"key": "INST-HZXY"} and a["city"] == {"code": "451100"}
    assert [s["key"] for s in a["subgroups"]] == ["SG-KJCX", "SG-STZY"]
    assert [k["key"] for k in a["keywords"]] == ["表面改性", "超细粉碎", "重质碳酸钙"]
    assert keys(a["servedEnterprises"]) == ["ENT-1", "ENT-2"]
    assert a["collaborators"]["edges"] == [
        {
            "node": {
                "expert": {"key": "EXP-2"},
                "kind": "coauthor",
                "count": 3,
                "since": "2019-01-01",
            }
        }
    ]
    assert data["b"] == {"currentLoad": 1, "availableCapacity": 2, "capacity": 3}
    # capacity defaults to the ontology's 3; collaborations are seen from both ends
    assert data["c"]["capacity"] == 3 and data["c"]["commissioner"] is False
    assert data["c"]["collaborators"]["edges"] == [{"node": {"expert": {"key": "EXP-3"}}}]
    assert keys(data["d"]["achievements"]) == ["ACH-1"]


def test_places_classifications_and_programmes(mini_server: Server) -> None:
    data = mini_server.data(
        """{ city(code: "451100") { counties { code } enterprises { totalCount }
                experts { totalCount } institutions { edges { node { key kind } } }
                trainings { edges { node { key } } } }
            county(code: "450222") { city { code } enterprises { edges { node { key } } } }
            industry(code: "30") { children { code } subgroups { key }
                enterprises { totalCount } experts { totalCount } demands { totalCount }
                achievements { totalCount } }
            subgroup(key: "SG-KJCX") { industries { code } experts { edges { node { key } } } }
            institution(key: "INST-HZXY") { city { code } experts { totalCount }
                pairings { edges { node { enterprise { key } program } } }
                achievements { edges { node { key } } } }
            training(key: "TRN-1") { heldOn city { code }
                attendances { totalCount edges { node { enterprise { key } attendees } } } }
            keyword(key: "冲压工艺") { experts { edges { node { key } } }
                demands { edges { node { key } } } achievements { edges { node { key } } } }
        }"""
    )
    city = data["city"]
    assert [c["code"] for c in city["counties"]] == ["451102", "451121"]
    assert city["enterprises"]["totalCount"] == 2 and city["experts"]["totalCount"] == 2
    assert city["institutions"]["edges"] == [{"node": {"key": "INST-HZXY", "kind": "university"}}]
    assert keys(city["trainings"]) == ["TRN-1"]
    assert data["county"] == {
        "city": {"code": "450200"},
        "enterprises": {"edges": [{"node": {"key": "ENT-3"}}]},
    }
    ind = data["industry"]
    assert ind["children"] == [{"code": "309"}] and ind["subgroups"] == [{"key": "SG-KJCX"}]
    # "30" includes its sub-industry 309: two of each
    assert ind["enterprises"]["totalCount"] == 2 and ind["experts"]["totalCount"] == 2
    assert ind["demands"]["totalCount"] == 2 and ind["achievements"]["totalCount"] == 2
    sg = data["subgroup"]
    assert [i["code"] for i in sg["industries"]] == ["30", "36"]
    assert keys(sg["experts"]) == ["EXP-1", "EXP-3", "EXP-4"]
    inst = data["institution"]
    assert inst["city"] == {"code": "451100"} and inst["experts"]["totalCount"] == 2
    assert inst["pairings"]["edges"] == [
        {"node": {"enterprise": {"key": "ENT-1"}, "program": "千企科技创新工程"}}
    ]
    assert keys(inst["achievements"]) == ["ACH-1"]
    trn = data["training"]
    assert trn["heldOn"] == "2024-04-12" and trn["city"] == {"code": "451100"}
    assert trn["attendances"]["totalCount"] == 2
    assert [e["node"]["enterprise"]["key"] for e in trn["attendances"]["edges"]] == [
        "ENT-1",
        "ENT-2",
    ]
    kw = data["keyword"]
    assert keys(kw["experts"]) == ["EXP-3"] and keys(kw["demands"]) == ["DEM-3"]
    assert keys(kw["achievements"]) == ["ACH-2"]


def test_demand_and_achievement_neighbours(mini_server: Server) -> None:
    data = mini_server.data(
        """{ demand(key: "DEM-2") { enterprise { key } industries { code } keywords { key }
                responses { expert { key } rating outcome } }
            achievement(key: "ACH-2") { kind maturity priceWan listedOn industries { code }
                keywords { key }
                owners { __typename ... on Expert { key } ... on Institution { key } }
                deals { key stage } }
        }""",
        role="portal",
    )
    d = data["demand"]
    assert d["enterprise"] == {"key": "ENT-2"} and d["industries"] == [{"code": "309"}]
    assert {k["key"] for k in d["keywords"]} == {"超细粉碎", "碳酸钙"}
    assert d["responses"] == [{"expert": {"key": "EXP-1"}, "rating": 5, "outcome": "solved"}]
    a = data["achievement"]
    assert a["kind"] == "technique" and a["maturity"] == 7 and a["priceWan"] == 80.0
    assert a["listedOn"] == "2021-09-15" and a["industries"] == [{"code": "367"}]
    assert [k["key"] for k in a["keywords"]] == ["冲压工艺", "回弹控制"]
    assert a["owners"] == [
        {"__typename": "Expert", "key": "EXP-3"},
        {"__typename": "Institution", "key": "INST-GXKJ"},
    ]
    assert a["deals"] == [{"key": "DEAL-2", "stage": "intention"}]


def test_service_records_from_both_ends(mini_server: Server) -> None:
    data = mini_server.data(
        """{ expert(key: "EXP-1") { serviceRecords { totalCount edges { node {
                enterprise { key } role startOn endOn rating outcome ongoing demand { key } } } } }
            enterprise(key: "ENT-3") { serviceRecords(ongoing: true) { edges { node {
                expert { key } role ongoing endOn } } } }
        }""",
        role="portal",
    )
    recs = [e["node"] for e in data["expert"]["serviceRecords"]["edges"]]
    assert [(r["enterprise"]["key"], r["role"]) for r in recs] == [
        ("ENT-1", "visit"),
        ("ENT-2", "commissioner"),
    ]
    assert recs[1]["demand"] == {"key": "DEM-2"} and recs[1]["rating"] == 5
    assert recs[0]["demand"] is None and not any(r["ongoing"] for r in recs)
    ent3 = data["enterprise"]["serviceRecords"]["edges"]
    assert ent3 == [
        {"node": {"expert": {"key": "EXP-3"}, "role": "team", "ongoing": True, "endOn": None}}
    ]


def test_deals_from_every_end(mini_server: Server) -> None:
    data = mini_server.data(
        """{ deals { totalCount edges { node { id key stage amountWan signedOn
                enterprise { key } achievement { key } expert { key } institution { key } } } }
            deal(key: "DEAL-1") { key }
            contracts: deals(filter: {stage: "contract"}) { edges { node { key } } }
            inCity: deals(filter: {city: "450200"}) { edges { node { key } } }
            signed: deals(filter: {signedOn: {from: "2024-01-01"}}) { edges { node { key } } }
            enterprise(key: "ENT-1") { deals { key } }
            expert(key: "EXP-2") { deals { key } }
            institution(key: "INST-GXKJ") { deals { key } }
        }""",
        role="portal",
    )
    deals = [e["node"] for e in data["deals"]["edges"]]
    assert data["deals"]["totalCount"] == 2
    assert deals[0] == {
        "id": deals[0]["id"],
        "key": "DEAL-1",
        "stage": "contract",
        "amountWan": 30.0,
        "signedOn": "2023-03-01",
        "enterprise": {"key": "ENT-1"},
        "achievement": {"key": "ACH-1"},
        "expert": {"key": "EXP-2"},
        "institution": None,
    }
    assert deals[1]["institution"] == {"key": "INST-GXKJ"} and deals[1]["expert"] is None
    assert data["deal"] == {"key": "DEAL-1"}
    assert keys(data["contracts"]) == ["DEAL-1"]
    assert keys(data["inCity"]) == ["DEAL-2"]
    assert keys(data["signed"]) == ["DEAL-2"]
    assert data["enterprise"]["deals"] == [{"key": "DEAL-1"}]
    assert data["expert"]["deals"] == [{"key": "DEAL-1"}]
    assert data["institution"]["deals"] == [{"key": "DEAL-2"}]
    node = mini_server.data(
        "query($id: ID!) { node(id: $id) { ... on Deal { key } } }",
        {"id": deals[0]["id"]},
        role="portal",
    )
    assert node["node"] == {"key": "DEAL-1"}


FILTERS = [
    ("enterprises", '{city: "451100"}', ["ENT-1", "ENT-2"]),
    ("enterprises", '{county: "450222"}', ["ENT-3"]),
    ("enterprises", '{industry: "C"}', ["ENT-1", "ENT-2", "ENT-3"]),
    ("enterprises", '{industry: "36"}', ["ENT-3"]),
    ("enterprises", "{benchmark: true}", ["ENT-1", "ENT-3"]),
    ("enterprises", "{threeNo: true}", ["ENT-2"]),
    ("enterprises", "{threeNo: false, highTech: true}", ["ENT-1", "ENT-3"]),
    ("enterprises", '{institution: "INST-HZXY"}', ["ENT-1"]),
    ("enterprises", '{program: "千企科技创新工程"}', ["ENT-1"]),
    ("enterprises", "{paired: false}", ["ENT-2", "ENT-3"]),
    ("enterprises", '{size: "micro"}', ["ENT-2"]),
    ("enterprises", "{hasCommissioner: true}", []),
    ("enterprises", '{city: "451100", benchmark: false}', ["ENT-2"]),
    ("experts", '{subgroup: "SG-STZY"}', ["EXP-1", "EXP-2"]),
    ("experts", '{institution: "INST-GXKJ"}', ["EXP-3", "EXP-4"]),
    ("experts", '{industry: "30"}', ["EXP-1", "EXP-2"]),
    ("experts", '{industry: "36", city: "450200"}', ["EXP-3", "EXP-4"]),
    ("experts", "{commissioner: true}", ["EXP-1", "EXP-2", "EXP-3"]),
    ("experts", '{keyword: "轻量化"}', ["EXP-3"]),
    ("experts", "{available: true}", ["EXP-1", "EXP-2", "EXP-3", "EXP-4"]),
    ("institutions", '{city: "450200"}', ["INST-GXKJ"]),
    ("institutions", '{kind: "university"}', ["INST-GXKJ", "INST-HZXY"]),
    ("demands", '{status: ["open", "matched"]}', ["DEM-1", "DEM-3"]),
    ("demands", '{postedOn: {from: "2024-01-01", to: "2024-04-30"}}', ["DEM-1"]),
    ("demands", '{postedOn: {to: "2023-12-31"}}', ["DEM-3"]),
    ("demands", '{city: "451100"}', ["DEM-1", "DEM-2"]),
    ("demands", '{industry: "36"}', ["DEM-3"]),
    ("demands", '{enterprise: "ENT-2"}', ["DEM-2"]),
    ("demands", '{keyword: "碳酸钙"}', ["DEM-2"]),
    ("achievements", '{industry: "30"}', ["ACH-1", "ACH-3"]),
    ("achievements", '{owner: "INST-GXKJ"}', ["ACH-2"]),
    ("achievements", '{kind: "patent"}', ["ACH-1"]),
    ("achievements", "{minMaturity: 6}", ["ACH-1", "ACH-2"]),
    ("achievements", '{listedOn: {from: "2022-01-01"}}', ["ACH-1", "ACH-3"]),
    ("trainings", '{city: "451100", kind: "class"}', ["TRN-1"]),
    ("trainings", '{enterprise: "ENT-3"}', []),
    ("trainings", '{heldOn: {from: "2024-04-12", to: "2024-04-12"}}', ["TRN-1"]),
]


@pytest.mark.parametrize(("field", "flt", "expected"), FILTERS)
def test_connection_filters(mini_server: Server, field: str, flt: str, expected: list[str]) -> None:
    data = mini_server.data(
        f"{{ {field}(filter: {flt}) {{ totalCount edges {{ node {{ key }} }} }} }}"
    )
    assert keys(data[field]) == expected
    assert data[field]["totalCount"] == len(expected)


def test_industry_filters(mini_server: Server) -> None:
    data = mini_server.data(
        """{ top: industries(filter: {topLevel: true}) { edges { node { code } } }
            under: industries(filter: {under: "C"}) { edges { node { code } } }
            parent: industries(filter: {parent: "C"}) { edges { node { code } } }
            tag: industries(filter: {tag: "战略性新兴产业"}) { edges { node { code tags } } }
            all: industries { totalCount }
            counties(city: "451100") { edges { node { code } } }
            cities { totalCount } subgroups { totalCount } }"""
    )

    def codes(connection: dict[str, Any]) -> list[str]:
        return [e["node"]["code"] for e in connection["edges"]]

    assert codes(data["top"]) == ["C"]
    assert codes(data["under"]) == ["30", "309", "36", "367"]
    assert codes(data["parent"]) == ["30", "36"]
    assert data["tag"]["edges"] == [
        {"node": {"code": "36", "tags": ["传统优势产业", "战略性新兴产业"]}}
    ]
    assert data["all"]["totalCount"] == 5
    assert codes(data["counties"]) == ["451102", "451121"]
    assert data["cities"]["totalCount"] == 2 and data["subgroups"]["totalCount"] == 2


def test_bad_filter_values_are_clear_errors(mini_server: Server) -> None:
    response = mini_server.post('{ demands(filter: {status: ["pending"]}) { totalCount } }')
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert "`status` must be one of open, matched, solved, closed" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_stats_stays_as_it_was(mini_server: Server) -> None:
    data = mini_server.data(
        "{ stats { version nodeCounts { label count } relationshipCounts { type count } } }"
    )
    counts = {c["label"]: c["count"] for c in data["stats"]["nodeCounts"]}
    assert counts["Enterprise"] == 3 and counts["Expert"] == 4 and counts["Demand"] == 3
    rels = {c["type"]: c["count"] for c in data["stats"]["relationshipCounts"]}
    assert rels["SERVED"] == 3 and rels["DEAL"] == 4
