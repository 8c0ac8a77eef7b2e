"""Every contract query of the GraphQL API answers the same on both backends: two real uvicorn
servers, one on the embedded store and one on Neo4j, over the same small demo dataset."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.store import MemoryStore
from graphsvc.store.neo4j import Neo4jStore
from tests.api.conftest import Server, start_server, stop_server

CONN = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { key name } }"
PATHS = "paths { share nodes { id key label name } relationships { type } }"


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, shared_neo4j_store: Neo4jStore, neo4j_uri: str
) -> Iterator[tuple[Server, Server, dict[str, str]]]:
    """(embedded, neo4j, sample keys): both loaded from one generated folder."""
    tmp = tmp_path_factory.mktemp("api-parity")
    generate(tmp / "demo", seed=2024, scale=0.05)
    memory = MemoryStore(tmp / "graph")
    try:
        assert not load_dataset(memory, tmp / "demo").rejects
        sample = samples(memory)
    finally:
        memory.close()
    shared_neo4j_store.erase()
    assert not load_dataset(shared_neo4j_store, tmp / "demo").rejects
    (tmp / "m").mkdir()
    (tmp / "n").mkdir()
    embedded = start_server(tmp / "graph", tmp / "m")
    try:
        on_neo4j = start_server(
            tmp / "unused",
            tmp / "n",
            GRAPHSVC_BACKEND="neo4j",
            GRAPHSVC_NEO4J_URI=neo4j_uri,
        )
    except BaseException:
        stop_server(embedded)
        raise
    yield embedded, on_neo4j, sample
    stop_server(on_neo4j)
    stop_server(embedded)


def samples(store: MemoryStore) -> dict[str, str]:
    """Keys the queries ask about: well-connected ones, picked from the embedded store."""
    g = store.view()

    def busiest(label: str, rel: str | None = None) -> str:
        nodes = [n for n in g if n.startswith(f"{label}:")]
        best = max(nodes, key=lambda n: (g.degree(n), n))
        return str(best).partition(":")[2]

    collab = sorted((u, v) for u, v, k in g.edges(keys=True) if k == "COLLABORATES_WITH" and u != v)
    far = next(v for _, v in reversed(collab))
    return {
        "expert": busiest("Expert"),
        "enterprise": busiest("Enterprise"),
        "demand": busiest("Demand"),
        "institution": busiest("Institution"),
        "industry": busiest("Industry"),
        "county": busiest("County"),
        "keyword": busiest("Keyword"),
        "from": collab[0][0].partition(":")[2],
        "to": far.partition(":")[2],
    }


def queries(s: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            """query($k: String!) { expert(key: $k) { id key name title commissioner capacity
                phone email institution { key name } city { code name } subgroups { key }
                industries { code } keywords { key } currentLoad availableCapacity
                servedEnterprises(first: 5) { totalCount edges { node { key } } }
                serviceRecords(first: 50) { totalCount edges { node { role startOn endOn rating
                  outcome ongoing enterprise { key } demand { key } } } }
                collaborators(first: 50) { totalCount edges { node { kind count since
                  expert { key } } } }
                achievements(first: 10) { totalCount edges { node { key title } } }
                responses { demand { key } rating outcome } deals { key stage amountWan } } }""",
            {"k": s["expert"]},
        ),
        (
            """query($k: String!) { enterprise(key: $k) { id key name creditCode size highTech
                benchmark rdStaff rdPlatform rdSpendWan foundedYear threeNo county { code }
                city { code } industries { code name } demands(first: 50) { totalCount
                edges { node { key title status } } } pairings { institution { key } program
                since } commissioners { key } serviceRecords(first: 50) { totalCount
                edges { node { expert { key } role startOn } } } deals { key stage }
                trainings { training { key } attendees } achievements { key } } }""",
            {"k": s["enterprise"]},
        ),
        (
            """query($k: String!) { demand(key: $k) { id key title description postedOn status
                budgetWan enterprise { key } industries { code } keywords { key }
                responses { expert { key } rating outcome } } }""",
            {"k": s["demand"]},
        ),
        (
            """query($k: String!) { institution(key: $k) { id key name } }""",
            {"k": s["institution"]},
        ),
        (
            """query($c: String!) { industry(code: $c) { code name tags parent { code }
                children { code } subgroups { key } enterprises(first: 30) { """
            + CONN
            + """ } experts(first: 30) { totalCount edges { node { key } } } } }""",
            {"c": s["industry"]},
        ),
        (
            """query($c: String!) { county(code: $c) { code name } }""",
            {"c": s["county"]},
        ),
        (
            """query($k: String!) { keyword(key: $k) { key experts(first: 30) { totalCount
                edges { node { key } } } demands(first: 30) { totalCount edges { node { key } } }
                } }""",
            {"k": s["keyword"]},
        ),
        ('{ subgroup(key: "nope") { key } city(code: "450100") { code name } }', {}),
        ("{ cities(first: 100) { totalCount edges { node { code name } } } }", {}),
        ("{ counties(first: 100) { totalCount edges { node { code name } } } }", {}),
        ("{ subgroups { totalCount edges { node { key name } } } }", {}),
        ("{ industries(first: 100) { " + CONN.replace("key name", "code name") + " } }", {}),
        ("{ institutions(first: 100) { " + CONN + " } }", {}),
        ("{ experts(first: 100) { " + CONN + " } }", {}),
        ("{ enterprises(first: 100) { " + CONN + " } }", {}),
        ("{ demands(first: 100) { " + CONN.replace("key name", "key title") + " } }", {}),
        ("{ achievements(first: 100) { " + CONN.replace("key name", "key title") + " } }", {}),
        ("{ trainings(first: 100) { " + CONN.replace("key name", "key title") + " } }", {}),
        ("{ deals(first: 100) { totalCount edges { node { key stage amountWan } } } }", {}),
        (
            """query($c: String!) { experts(first: 50, filter: {industry: $c}) { """
            + CONN
            + """ } enterprises(first: 50, filter: {industry: $c}) { """
            + CONN
            + " } }",
            {"c": s["industry"]},
        ),
        (
            """{ search(text: "碳酸钙 改性", first: 20) { label score matched node { id } } }""",
            {},
        ),
        (
            "{ stats { version nodeCounts { label count } relationshipCounts { type count } } }",
            {},
        ),
        (
            """query($d: String!) { recommendExperts(demand: $d, first: 10) {
                expert { key name } score reasons """
            + PATHS
            + " } }",
            {"d": s["demand"]},
        ),
        (
            """query($e: String!) { recommendExperts(enterprise: $e, first: 10) {
                expert { key } score reasons """
            + PATHS
            + " } }",
            {"e": s["enterprise"]},
        ),
        (
            """query($e: String!) { recommendInstitutions(enterprise: $e, first: 10) {
                institution { key } score reasons """
            + PATHS
            + " } }",
            {"e": s["enterprise"]},
        ),
        (
            """query($d: String!) { recommendAchievements(demand: $d, first: 10) {
                achievement { key } score reasons """
            + PATHS
            + " } }",
            {"d": s["demand"]},
        ),
        (
            """query($x: String!) { recommendDemands(expert: $x, first: 10) {
                demand { key } score reasons """
            + PATHS
            + " } }",
            {"x": s["expert"]},
        ),
        (
            """query($x: String!) { recommendCollaborators(expert: $x, first: 10) {
                expert { key } score reasons """
            + PATHS
            + " } }",
            {"x": s["expert"]},
        ),
        (
            """query($a: String!, $b: String!) { collaborationPath(from: $a, to: $b,
                maxHops: 6) { length distance expertKeys ties { source target kind weight } } }""",
            {"a": s["from"], "b": s["to"]},
        ),
        (
            """query($x: String!) { collaborationNetwork(expert: $x, depth: 2, first: 50) {
                centerKey nodes { key depth strength degree } edges { source target weight
                kind } reachable truncated } }""",
            {"x": s["expert"]},
        ),
        ("{ brokers(first: 10) { rank key score degree strength } }", {}),
        ("{ keyExperts(first: 10) { rank key score degree strength } }", {}),
        (
            """{ a: clusters(projection: INDUSTRY_EXPERT, first: 5) { modularity clusterCount
                clusters { id size industries { code } experts { key } counties { code } } }
                b: clusters(projection: COLLABORATION, first: 5) { modularity clusterCount
                clusters { id size experts { key } } } }""",
            {},
        ),
        (
            """{ coverage { enterprises benchmarkTotal benchmarkPaired pairingCoverage
                countiesTotal countiesWithCommissioner commissionerCoverage povertyCountiesTotal
                povertyServedCoverage threeNoTotal threeNoShare
                unpairedBenchmarks(first: 20) { key } countiesWithoutCommissioner { code }
                industryGaps(first: 10) { rank code openDemands experts pressure }
                countyGaps(first: 10) { rank code pressure } } }""",
            {},
        ),
        (
            """{ e: serviceStats(groupBy: EXPERT, first: 10) { groupCount total { services
                meanRating } groups { key services enterprisesServed demandsSolved meanRating
                deals dealAmountWan } } c: serviceStats(groupBy: CITY) { groups { key services } }
                s: serviceStats(groupBy: SUBGROUP) { groups { key services } }
                i: serviceStats(groupBy: INSTITUTION, first: 5) { groups { key services } } }""",
            {},
        ),
    ]


def test_every_contract_query_answers_the_same_on_both_backends(
    servers: tuple[Server, Server, dict[str, str]],
) -> None:
    embedded, on_neo4j, sample = servers
    for query, variables in queries(sample):
        expected = embedded.data(query, variables, role="admin")
        answered = [v for k, v in expected.items() if k != "subgroup"]
        assert all(v not in (None, [], {}) for v in answered), (query, expected)
        assert on_neo4j.data(query, variables, role="admin") == expected, query


def test_recommendations_are_the_same_top_ten_in_the_same_order(
    servers: tuple[Server, Server, dict[str, str]],
) -> None:
    embedded, on_neo4j, _ = servers
    demands = embedded.data("{ demands(first: 8) { edges { node { key } } } }", role="admin")
    query = """query($d: String!) { recommendExperts(demand: $d) { expert { key } score } }"""
    for edge in demands["demands"]["edges"]:
        variables = {"d": edge["node"]["key"]}
        expected = embedded.data(query, variables, role="admin")["recommendExperts"]
        assert len(expected) == 10
        got = on_neo4j.data(query, variables, role="admin")["recommendExperts"]
        assert [r["expert"]["key"] for r in got] == [r["expert"]["key"] for r in expected]
        assert got == expected


def test_paging_through_a_connection_gives_the_same_pages(
    servers: tuple[Server, Server, dict[str, str]],
) -> None:
    embedded, on_neo4j, _ = servers
    query = "query($a: String) { experts(first: 37, after: $a) { " + CONN + " } }"
    after: str | None = None
    pages = 0
    while True:
        expected = embedded.data(query, {"a": after}, role="admin")["experts"]
        assert on_neo4j.data(query, {"a": after}, role="admin")["experts"] == expected
        pages += 1
        if not expected["pageInfo"]["hasNextPage"]:
            break
        after = expected["pageInfo"]["endCursor"]
    assert pages > 2


def test_readiness_follows_neo4j(servers: tuple[Server, Server, dict[str, str]]) -> None:
    import httpx

    _, on_neo4j, _ = servers
    assert httpx.get(f"{on_neo4j.url}/readyz", timeout=5).status_code == 200
