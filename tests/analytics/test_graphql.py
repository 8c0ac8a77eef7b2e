"""The analytics over GraphQL: in process (values equal the algorithms', roles, input errors,
the per-version cache) and once through a real uvicorn server over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest

from graphsvc.algorithms import coverage as coverage_module
from graphsvc.algorithms.collaboration import (
    CollaborationGraph,
    broker_ranking,
    collaboration_network,
    collaboration_path,
    pagerank_ranking,
)
from graphsvc.algorithms.communities import Projection, clusters
from graphsvc.algorithms.coverage import coverage
from graphsvc.algorithms.evaluation import GroupBy, service_stats
from graphsvc.auth import Role
from graphsvc.store import Batch, MemoryStore
from tests.analytics.conftest import Runner
from tests.api.conftest import Server

CLUSTERS = """
query ($projection: ClusterProjection!, $first: Int, $resolution: Float!, $seed: Int!) {
  clusters(projection: $projection, first: $first, resolution: $resolution, seed: $seed) {
    projection modularity clusterCount experts edges
    clusters {
      id size openDemands demandExpertRatio
      industries { code } experts { key } counties { code } institutions { key }
      topIndustries { experts industry { code name } }
    }
  }
}"""
BROKERS = "query ($first: Int) { brokers(first: $first) { rank key score degree expert { key } } }"
KEY_EXPERTS = "query ($first: Int) { keyExperts(first: $first) { rank key score } }"
PATH = """
query ($from: String!, $to: String!, $maxHops: Int!) {
  collaborationPath(from: $from, to: $to, maxHops: $maxHops) {
    length distance experts { key } ties { source target kind weight sources { kind } }
  }
}"""
NETWORK = """
query ($expert: String!, $depth: Int!, $first: Int) {
  collaborationNetwork(expert: $expert, depth: $depth, first: $first) {
    center { key } reachable truncated
    nodes { key depth strength degree expert { key } }
    edges { source target weight kind }
  }
}"""
COVERAGE = """
{ coverage {
    asOf benchmarkTotal benchmarkPaired pairingCoverage countiesTotal countiesWithCommissioner
    commissionerCoverage povertyCountiesTotal povertyCountiesServed threeNoTotal threeNoShare
    industryGaps(first: 5) { rank code openDemands experts pressure industry { code } }
    countyGaps(first: 5) { rank code openDemands experts county { code } }
    threeNoEnterprises(first: 3) { key }
} }"""
STATS = """
query ($groupBy: ServiceGroupBy!, $first: Int) {
  serviceStats(groupBy: $groupBy, first: $first) {
    groupBy groupCount
    total { services enterprisesServed demandsSolved meanRating dealAmountWan }
    groups { key services enterprisesServed demandsSolved meanRating meanDaysToFirstService
             deals dealAmountWan expert { key } institution { key } city { code } subgroup { key } }
  }
}"""


def _tied_pair(net: CollaborationGraph, hops: int) -> tuple[str, str]:
    """Two experts exactly `hops` ties apart."""
    g = net.to_networkx()
    for a in net.experts:
        lengths = nx.single_source_shortest_path_length(g, a, cutoff=hops)
        far = sorted(k for k, d in lengths.items() if d == hops)
        if far:
            return a, far[0]
    raise AssertionError("no such pair")


def test_clusters_equal_the_algorithm(
    run: Runner, gx_store: MemoryStore, gx_view: nx.MultiDiGraph
) -> None:
    for projection in Projection:
        data = run.data(
            gx_store,
            CLUSTERS,
            projection=projection.name,
            first=4,
            resolution=1.2,
            seed=9,
        )["clusters"]
        expected = clusters(gx_view, projection, resolution=1.2, seed=9)
        assert data["projection"] == projection.name
        assert data["modularity"] == pytest.approx(expected.modularity)
        assert data["clusterCount"] == len(set(expected.membership.values()))
        assert data["experts"] == expected.nodes and data["edges"] == expected.edges
        assert len(data["clusters"]) == 4
        for got, want in zip(data["clusters"], expected.clusters, strict=False):
            assert (got["id"], got["size"], got["openDemands"]) == (
                want.id,
                want.size,
                want.open_demands,
            )
            assert [i["code"] for i in got["industries"]] == [i.key for i in want.industries]
            assert [e["key"] for e in got["experts"]] == [e.key for e in want.experts]
            assert [c["code"] for c in got["counties"]] == [c.key for c in want.counties]
            assert [i["key"] for i in got["institutions"]] == [i.key for i in want.institutions]
            assert all(i["industry"]["name"] for i in got["topIndustries"])
            assert [(i["industry"]["code"], i["experts"]) for i in got["topIndustries"]] == [
                (i.key, i.count) for i in want.industries
            ]


def test_network_fields_equal_the_algorithm(
    run: Runner, gx_store: MemoryStore, gx_network: CollaborationGraph
) -> None:
    brokers = run.data(gx_store, BROKERS, first=5)["brokers"]
    ranking = broker_ranking(gx_network)
    assert [(b["rank"], b["key"], b["expert"]["key"]) for b in brokers] == [
        (r.rank, r.key, r.key) for r in ranking.experts[:5]
    ]
    assert [b["score"] for b in brokers] == pytest.approx([r.score for r in ranking.experts[:5]])
    key = run.data(gx_store, KEY_EXPERTS, first=3)["keyExperts"]
    assert [k["key"] for k in key] == [r.key for r in pagerank_ranking(gx_network).experts[:3]]

    a, b = _tied_pair(gx_network, 3)
    args: dict[str, Any] = {"from": a, "to": b, "maxHops": 4}
    path = run.data(gx_store, PATH, **args)["collaborationPath"]
    want = collaboration_path(gx_network, a, b, max_hops=4)
    assert want is not None and path["length"] == 3
    assert [e["key"] for e in path["experts"]] == list(want.experts)
    assert [(t["source"], t["target"]) for t in path["ties"]] == list(
        zip(want.experts, want.experts[1:], strict=False)
    )
    assert [t["kind"] for t in path["ties"]] == [t.kind for t in want.ties]
    assert path["distance"] == pytest.approx(want.distance)
    none = run(gx_store, PATH, **{**args, "maxHops": 2})
    assert none.errors is None and none.data == {"collaborationPath": None}

    ego = run.data(gx_store, NETWORK, expert=a, depth=2, first=15)["collaborationNetwork"]
    want_ego = collaboration_network(gx_network, a, depth=2, first=15)
    assert ego["center"]["key"] == a
    assert [n["key"] for n in ego["nodes"]] == [n.key for n in want_ego.nodes]
    assert all(n["expert"]["key"] == n["key"] for n in ego["nodes"])
    assert [(e["source"], e["target"]) for e in ego["edges"]] == [
        (e.source, e.target) for e in want_ego.edges
    ]
    assert (ego["reachable"], ego["truncated"]) == (want_ego.reachable, want_ego.truncated)


def test_coverage_and_service_stats_equal_the_algorithm(
    run: Runner, gx_store: MemoryStore, gx_view: nx.MultiDiGraph
) -> None:
    data = run.data(gx_store, COVERAGE, role=Role.PORTAL)["coverage"]
    want = coverage(gx_view, today=date.today().isoformat())
    assert data["asOf"] == want.as_of
    assert (data["benchmarkTotal"], data["benchmarkPaired"]) == (
        want.benchmark_total,
        want.benchmark_paired,
    )
    assert data["pairingCoverage"] == pytest.approx(want.pairing_coverage)
    assert data["countiesWithCommissioner"] == want.counties_with_commissioner
    assert data["threeNoTotal"] == len(want.three_no)
    assert [k["key"] for k in data["threeNoEnterprises"]] == list(want.three_no[:3])
    assert [(g["rank"], g["code"], g["industry"]["code"]) for g in data["industryGaps"]] == [
        (g.rank, g.key, g.key) for g in want.industry_gaps[:5]
    ]
    assert [g["code"] for g in data["countyGaps"]] == [g.key for g in want.county_gaps[:5]]

    for by in GroupBy:
        stats = run.data(gx_store, STATS, role=Role.PORTAL, groupBy=by.name, first=3)[
            "serviceStats"
        ]
        expected = service_stats(gx_view, by)
        assert stats["groupBy"] == by.name and stats["groupCount"] == expected.group_count
        assert stats["total"]["services"] == expected.total.services
        assert [g["key"] for g in stats["groups"]] == [g.key for g in expected.groups[:3]]
        assert [g["meanRating"] for g in stats["groups"]] == pytest.approx(
            [g.mean_rating for g in expected.groups[:3]]
        )
        entity = {
            "EXPERT": "expert",
            "INSTITUTION": "institution",
            "CITY": "city",
            "SUBGROUP": "subgroup",
        }
        for g in stats["groups"]:
            for field, value in ((f, g[f]) for f in entity.values()):
                if field == entity[by.name]:
                    assert value is not None and g["key"] in value.values()
                else:
                    assert value is None


@pytest.mark.parametrize(
    ("query", "variables", "needs"),
    [
        (BROKERS, {"first": 2}, Role.PLANNER),
        (KEY_EXPERTS, {"first": 2}, Role.PLANNER),
        (
            CLUSTERS,
            {"projection": "COLLABORATION", "first": 1, "resolution": 1.0, "seed": 0},
            Role.PLANNER,
        ),
        (NETWORK, {"expert": "EXP-000001", "depth": 1, "first": 2}, Role.PLANNER),
        (PATH, {"from": "EXP-000001", "to": "EXP-000002", "maxHops": 2}, Role.PLANNER),
        (COVERAGE, {}, Role.PORTAL),
        (STATS, {"groupBy": "CITY", "first": 1}, Role.PORTAL),
    ],
)
def test_roles(
    run: Runner, gx_store: MemoryStore, query: str, variables: dict[str, Any], needs: Role
) -> None:
    for role in Role:
        result = run(gx_store, query, role, **variables)
        if role >= needs:
            assert result.errors is None, (role, result.errors)
        else:
            assert result.errors is not None and result.data is not None
            assert all(v is None for v in result.data.values())
            assert result.errors[0].extensions == {"code": "FORBIDDEN"}
            assert needs.name.lower() in result.errors[0].message


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (PATH, {"from": "EXP-000001", "to": "nobody", "maxHops": 2}, "no expert with key 'nobody'"),
        (PATH, {"from": "EXP-000001", "to": "EXP-000002", "maxHops": 99}, "`maxHops` must be"),
        (NETWORK, {"expert": "EXP-000001", "depth": 0, "first": 2}, "`depth` must be"),
        (NETWORK, {"expert": "nobody", "depth": 1, "first": 2}, "no expert"),
        (
            CLUSTERS,
            {"projection": "COLLABORATION", "first": 1, "resolution": 0.0, "seed": 0},
            "resolution",
        ),
        (BROKERS, {"first": 101}, "`first` must be between 0 and 100"),
    ],
)
def test_bad_input_is_explained(
    run: Runner, gx_store: MemoryStore, query: str, variables: dict[str, Any], message: str
) -> None:
    result = run(gx_store, query, Role.ADMIN, **variables)
    assert result.errors is not None
    assert message in result.errors[0].message


def test_cache_returns_the_same_result_until_a_write(
    run: Runner, mini_copy: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []
    real = coverage_module.coverage

    def counting(view: nx.MultiDiGraph, *, today: str | None = None) -> coverage_module.Coverage:
        builds.append(mini_copy.version)
        return real(view, today=today)

    monkeypatch.setattr(coverage_module, "coverage", counting)
    query = "{ coverage { benchmarkTotal benchmarkPaired } }"
    key = ("analytics", "coverage", date.today().isoformat())
    cache = run.cache(mini_copy)

    def must_not_build() -> Any:
        raise AssertionError("rebuilt")

    first = run.data(mini_copy, query, Role.PORTAL)["coverage"]
    cached = cache.get(mini_copy.version, key, must_not_build)
    second = run.data(mini_copy, query, Role.PORTAL)["coverage"]
    assert first == second == {"benchmarkTotal": 2, "benchmarkPaired": 1}
    assert cache.get(mini_copy.version, key, must_not_build) is cached
    assert builds == [1]

    batch = Batch()
    batch.upsert_rel("PAIRED_WITH", ("Institution", "INST-GXKJ"), ("Enterprise", "ENT-3"))
    mini_copy.apply(batch)
    third = run.data(mini_copy, query, Role.PORTAL)["coverage"]
    assert third == {"benchmarkTotal": 2, "benchmarkPaired": 2}
    assert builds == [1, 2]
    rebuilt = cache.get(mini_copy.version, key, must_not_build)
    assert rebuilt is not cached and rebuilt.benchmark_paired == 2


def test_collaboration_network_follows_writes(run: Runner, mini_copy: MemoryStore) -> None:
    variables: dict[str, Any] = {"from": "EXP-1", "to": "EXP-3", "maxHops": 3}
    assert run.data(mini_copy, PATH, **variables) == {"collaborationPath": None}
    network = run.cache(mini_copy).get(
        mini_copy.version, ("analytics", "collaboration-graph"), lambda: None
    )
    assert isinstance(network, CollaborationGraph)
    batch = Batch()
    batch.upsert_rel(
        "COLLABORATES_WITH",
        ("Expert", "EXP-2"),
        ("Expert", "EXP-3"),
        {"kind": "project", "count": 2},
    )
    mini_copy.apply(batch)
    path = run.data(mini_copy, PATH, **variables)["collaborationPath"]
    assert [e["key"] for e in path["experts"]] == ["EXP-1", "EXP-2", "EXP-3"]
    assert [t["kind"] for t in path["ties"]] == ["coauthor", "project"]
    assert path["ties"][1]["weight"] == 2.0


def test_over_http(gx_server: Server, run: Runner, gx_store: MemoryStore) -> None:
    """One server, the same dataset: the same answers as in process, and the same roles."""
    variables: dict[str, Any] = {
        "projection": "INDUSTRY_EXPERT",
        "first": 3,
        "resolution": 1.0,
        "seed": 0,
    }
    over_http = gx_server.data(CLUSTERS, variables, role="planner")
    assert over_http == run.data(gx_store, CLUSTERS, **variables)
    assert gx_server.data(BROKERS, {"first": 5}, role="planner") == run.data(
        gx_store, BROKERS, first=5
    )
    assert gx_server.data(COVERAGE, role="portal") == run.data(gx_store, COVERAGE, Role.PORTAL)
    stats: dict[str, Any] = {"groupBy": "INSTITUTION", "first": 4}
    assert gx_server.data(STATS, stats, role="portal") == run.data(
        gx_store, STATS, Role.PORTAL, **stats
    )
    path: dict[str, Any] = {"from": "EXP-000010", "to": "EXP-000020", "maxHops": 6}
    assert gx_server.data(PATH, path, role="planner") == run.data(gx_store, PATH, **path)

    forbidden = gx_server.post(BROKERS, {"first": 1}, role="portal")
    assert forbidden.status_code == 200
    payload = forbidden.json()
    assert payload["data"] == {"brokers": None}
    assert payload["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = gx_server.post(COVERAGE).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
