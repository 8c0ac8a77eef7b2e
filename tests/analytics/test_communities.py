"""Clusters: exact partitions on canonical graphs, the projection against an independent
count, modularity recomputed by networkx, seeds, and what each cluster holds."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

import networkx as nx
import pytest

from graphsvc.algorithms.collaboration import CollaborationGraph
from graphsvc.algorithms.communities import (
    TOP,
    AnalyticsError,
    Projection,
    clusters,
    collaboration_projection,
    industry_expert_projection,
)
from tests.analytics.conftest import GraphBuilder


def _two_cliques() -> GraphBuilder:
    b = GraphBuilder().experts("ABCDEFGH")
    for group in ("ABCD", "EFGH"):
        for x, y in combinations(group, 2):
            b.collab(x, y)
    return b.collab("D", "E")  # one bridge


def test_two_cliques_split_at_the_bridge() -> None:
    b = _two_cliques()
    result = clusters(b.g, Projection.COLLABORATION, seed=3)
    assert sorted(sorted(k for k, c in result.membership.items() if c == i) for i in (0, 1)) == [
        list("ABCD"),
        list("EFGH"),
    ]
    assert [c.id for c in result.clusters] == [0, 1]
    assert result.membership["A"] == 0  # equal sizes: the one with the smaller key first
    # 13 ties of weight 1: Q = sum_c [L_c/m - (d_c/2m)^2] = 2 * (6/13 - (13/26)^2)
    assert result.modularity == pytest.approx(2 * (6 / 13 - 0.25))
    assert result.nodes == 8 and result.edges == 13


def test_modularity_of_canonical_partition_matches_networkx() -> None:
    b = _two_cliques()
    result = clusters(b.g, "collaboration", seed=0)
    parts = [{k for k, c in result.membership.items() if c == i} for i in range(2)]
    g = nx.Graph()
    g.add_edges_from((u.partition(":")[2], v.partition(":")[2]) for u, v in b.g.edges())
    assert result.modularity == pytest.approx(nx.community.modularity(g, parts))


def test_industry_projection_weights_are_newmans() -> None:
    b = GraphBuilder().experts("ABCD")
    for expert, codes in {"A": ["01"], "B": ["01", "02"], "C": ["01", "02"], "D": ["03"]}.items():
        for code in codes:
            b.rel(f"Expert:{expert}", f"Industry:{code}", "EXPERT_IN")
    p = industry_expert_projection(b.g)
    got = {(p.keys[i], p.keys[j]): w for i, j, w in p.ties()}
    # 01 has three experts (1/2 each pair), 02 two (1 per pair), 03 one (nothing).
    assert got == {("A", "B"): 0.5, ("A", "C"): 0.5, ("B", "C"): 1.5}
    assert p.nodes == 3 and p.edges == 3  # B and C are twins: one node with a loop
    result = clusters(b.g, Projection.INDUSTRY_EXPERT, seed=0)
    assert result.membership["D"] != result.membership["A"]  # alone in its industry


def test_industry_projection_matches_an_independent_count(gx_view: nx.MultiDiGraph) -> None:
    by_industry: dict[str, set[str]] = defaultdict(set)
    for u, v, k in gx_view.edges(keys=True):
        if k == "EXPERT_IN":
            by_industry[v].add(u.partition(":")[2])
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for members in by_industry.values():
        for a, b in combinations(sorted(members), 2):
            expected[(a, b)] += 1 / (len(members) - 1)
    p = industry_expert_projection(gx_view)
    got = {(p.keys[i], p.keys[j]): w for i, j, w in p.ties()}
    assert got.keys() == expected.keys()
    assert got == pytest.approx(dict(expected))
    assert p.edges == len(expected)
    assert p.nodes < len(p.keys) / 2  # twins merged: far fewer nodes than experts


@pytest.mark.parametrize("projection", list(Projection))
def test_modularity_recomputed_from_scratch(
    gx_view: nx.MultiDiGraph, gx_network: CollaborationGraph, projection: Projection
) -> None:
    result = clusters(gx_view, projection, seed=5, network=gx_network)
    if projection is Projection.INDUSTRY_EXPERT:
        g = industry_expert_projection(gx_view).to_networkx()
    else:
        g = collaboration_projection(gx_network).to_networkx()
    assert set(result.membership) == set(g)  # every expert is in one cluster
    assert (result.nodes, result.edges) == (g.number_of_nodes(), g.number_of_edges())
    parts: dict[int, set[str]] = defaultdict(set)
    for key, c in result.membership.items():
        parts[c].add(key)
    assert nx.community.modularity(g, list(parts.values()), weight="weight") == pytest.approx(
        result.modularity, abs=1e-9
    )
    assert result.modularity > 0.3
    sizes = [len(parts[c]) for c in sorted(parts)]
    assert sizes == sorted(sizes, reverse=True)  # ids follow size
    assert [c.size for c in result.clusters] == sizes


@pytest.mark.parametrize("projection", list(Projection))
def test_one_seed_one_partition(gx_view: nx.MultiDiGraph, projection: Projection) -> None:
    first = clusters(gx_view, projection, seed=42, resolution=1.3)
    again = clusters(gx_view, projection, seed=42, resolution=1.3)
    assert dict(first.membership) == dict(again.membership)
    assert first.modularity == again.modularity
    assert first.clusters == again.clusters


def test_resolution_controls_granularity() -> None:
    b = _two_cliques()
    coarse = clusters(b.g, Projection.COLLABORATION, resolution=0.05, seed=0)
    fine = clusters(b.g, Projection.COLLABORATION, resolution=5.0, seed=0)
    assert len(set(coarse.membership.values())) == 1
    assert len(set(fine.membership.values())) > 2


def test_cluster_contents_recounted(gx_view: nx.MultiDiGraph) -> None:
    result = clusters(gx_view, Projection.INDUSTRY_EXPERT, seed=0, first=3)
    assert len(result.clusters) == 3
    members: dict[int, set[str]] = defaultdict(set)
    for key, c in result.membership.items():
        members[c].add(key)
    industries_of: dict[str, list[str]] = defaultdict(list)
    institution_of: dict[str, str] = {}
    experts_in: dict[str, set[str]] = defaultdict(set)
    for u, v, k in gx_view.edges(keys=True):
        if k == "EXPERT_IN":
            industries_of[u.partition(":")[2]].append(v.partition(":")[2])
            experts_in[v.partition(":")[2]].add(u.partition(":")[2])
        elif k == "AFFILIATED_WITH":
            institution_of[u.partition(":")[2]] = v.partition(":")[2]
    owner = {
        code: min(
            range(len(members)),
            key=lambda c, es=es: (-len(es & members[c]), c),  # type: ignore[misc]
        )
        for code, es in experts_in.items()
    }
    open_by_industry: dict[str, set[str]] = defaultdict(set)
    for u, v, k in gx_view.edges(keys=True):
        if k == "CONCERNS" and gx_view.nodes[u].get("status", "open") == "open":
            open_by_industry[v.partition(":")[2]].add(u)
    for cluster in result.clusters:
        mine = members[cluster.id]
        assert cluster.size == len(mine)
        counted = Counter(code for e in mine for code in industries_of[e])
        top = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        assert [(i.key, i.count) for i in cluster.industries] == top
        inst = Counter(institution_of[e] for e in mine if e in institution_of)
        assert [(i.key, i.count) for i in cluster.institutions] == sorted(
            inst.items(), key=lambda kv: (-kv[1], kv[0])
        )[:TOP]
        owned = sorted(code for code, c in owner.items() if c == cluster.id)
        assert list(cluster.owned_industries) == owned
        demands = set().union(*(open_by_industry[code] for code in owned)) if owned else set()
        assert cluster.open_demands == len(demands)
        assert cluster.demand_expert_ratio == pytest.approx(len(demands) / len(mine))
        assert all(e.key in mine for e in cluster.experts)
        strengths = [e.strength for e in cluster.experts]
        assert strengths == sorted(strengths, reverse=True)
        assert len(cluster.counties) <= TOP


@pytest.mark.parametrize("projection", list(Projection))
def test_strength_is_the_weight_of_ties_inside_the_cluster(
    gx_view: nx.MultiDiGraph, gx_network: CollaborationGraph, projection: Projection
) -> None:
    result = clusters(gx_view, projection, seed=2, first=5, network=gx_network)
    if projection is Projection.INDUSTRY_EXPERT:
        g = industry_expert_projection(gx_view).to_networkx()
    else:
        g = collaboration_projection(gx_network).to_networkx()
    member = result.membership
    for cluster in result.clusters:
        for expert in cluster.experts:
            ties = g[expert.key].items()
            inside = sum(d["weight"] for other, d in ties if member[other] == cluster.id)
            assert expert.strength == pytest.approx(inside)


def test_experts_with_the_same_industries_share_a_cluster(gx_view: nx.MultiDiGraph) -> None:
    industries: dict[str, frozenset[str]] = defaultdict(frozenset)
    for u, v, k in gx_view.edges(keys=True):
        if k == "EXPERT_IN":
            industries[u.partition(":")[2]] |= {v}
    result = clusters(gx_view, Projection.INDUSTRY_EXPERT, seed=4, resolution=3.0)
    cluster_of: dict[frozenset[str], set[int]] = defaultdict(set)
    for expert, codes in industries.items():
        cluster_of[codes].add(result.membership[expert])
    assert all(len(c) == 1 for c in cluster_of.values())
    assert len(set(result.membership.values())) > 5


def test_experts_without_industries_stay_alone() -> None:
    b = GraphBuilder().experts("ABCDE")
    for expert in "ABC":
        b.rel(f"Expert:{expert}", "Industry:01", "EXPERT_IN")
    result = clusters(b.g, Projection.INDUSTRY_EXPERT, seed=0)
    assert result.membership["A"] == result.membership["B"] == result.membership["C"]
    assert len({result.membership["A"], result.membership["D"], result.membership["E"]}) == 3
    assert [c.size for c in result.clusters] == [3, 1, 1]
    assert [c.experts[0].strength for c in result.clusters] == [1.0, 0.0, 0.0]


def test_bad_arguments_are_refused(gx_view: nx.MultiDiGraph) -> None:
    with pytest.raises(AnalyticsError, match="projection"):
        clusters(gx_view, "keywords")
    with pytest.raises(AnalyticsError, match="resolution"):
        clusters(gx_view, Projection.COLLABORATION, resolution=0)
    empty = clusters(nx.MultiDiGraph(), Projection.INDUSTRY_EXPERT)
    assert empty.clusters == () and empty.modularity == 0.0
