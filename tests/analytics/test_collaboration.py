"""The collaboration network: exact ties, paths, ego networks and centralities on canonical
graphs; paths, betweenness and PageRank against networkx on the demo network."""

from __future__ import annotations

import math
import random
from itertools import pairwise

import networkx as nx
import numpy as np
import pytest

from graphsvc.algorithms.collaboration import (
    AnalyticsError,
    CollaborationGraph,
    UnknownKeyError,
    betweenness,
    broker_ranking,
    brokers,
    build_collaboration_graph,
    collaboration_network,
    collaboration_path,
    key_experts,
    pagerank_ranking,
)
from tests.analytics.conftest import GraphBuilder


@pytest.fixture
def canon() -> CollaborationGraph:
    """A-B explicit; B-C a commissioner team and two shared enterprises; B-D one shared
    enterprise; C, D, E co-own an achievement; F alone."""
    b = GraphBuilder().experts("ABCDEF")
    b.node("Enterprise", "E1").node("Enterprise", "E2").node("Achievement", "X")
    b.collab("A", "B", "coauthor", 4).collab("B", "A", "project", 1)
    b.served("B", "E1", "team", "2024-01-01", "2024-03-31")
    b.served("C", "E1", "commissioner", "2024-03-01")  # ongoing: overlaps B's stay
    b.served("D", "E1", "visit", "2024-02-01", "2024-02-01")  # a visit is no team
    b.served("B", "E2", "team", "2023-01-01", "2023-02-01")
    b.served("C", "E2", "team", "2023-03-01", "2023-04-01")  # no overlap: no team
    for owner in "CDE":
        b.rel(f"Expert:{owner}", "Achievement:X", "OWNS")
    return build_collaboration_graph(b.g)


def _sources(net: CollaborationGraph, a: str, b: str) -> list[tuple[str, float, int]]:
    tie = net.tie_between(a, b)
    assert tie is not None
    return [(s.kind, round(s.weight, 9), s.count) for s in tie.sources]


def test_ties_and_weights_are_exact(canon: CollaborationGraph) -> None:
    assert canon.experts == ("A", "B", "C", "D", "E", "F")
    assert _sources(canon, "A", "B") == [("coauthor", 3.0, 4), ("project", 1.0, 1)]
    assert _sources(canon, "B", "C") == [
        ("commissioner_team", 1.0, 1),
        ("same_enterprise", 0.75, 2),
    ]
    assert _sources(canon, "B", "D") == [("same_enterprise", 0.25, 1)]
    assert _sources(canon, "C", "D") == [("same_achievement", 0.5, 1), ("same_enterprise", 0.25, 1)]
    assert _sources(canon, "C", "E") == [("same_achievement", 0.5, 1)]
    assert _sources(canon, "D", "E") == [("same_achievement", 0.5, 1)]
    assert canon.tie_between("A", "C") is None
    assert canon.adjacency[canon.position("F")] == ()
    assert len(canon.ties) == 6
    tie = canon.tie_between("B", "C")
    assert tie is not None and tie.weight == pytest.approx(1.75) and tie.kind == "commissioner_team"
    assert tie.distance == pytest.approx(1 / 1.75)


def test_custom_weights_and_missing_ones() -> None:
    b = GraphBuilder().experts("AB").node("Enterprise", "E")
    b.served("A", "E", "team", "2024-01-01").served("B", "E", "team", "2024-02-01")
    weights = {
        "collaboration": 1.0,
        "commissioner_team": 2.0,
        "same_enterprise": 0.0,
        "same_achievement": 1.0,
    }
    net = build_collaboration_graph(b.g, weights=weights)
    assert _sources(net, "A", "B") == [("commissioner_team", 2.0, 1)]
    with pytest.raises(AnalyticsError, match="missing"):
        build_collaboration_graph(b.g, weights={"collaboration": 1.0})


def test_path_prefers_fewest_hops_then_strongest_ties(canon: CollaborationGraph) -> None:
    path = collaboration_path(canon, "A", "E", max_hops=4)
    assert path is not None
    assert path.experts == ("A", "B", "C", "E")  # not A-B-D-E: B-D is weak
    assert path.length == 3
    assert [t.kind for t in path.ties] == ["coauthor", "commissioner_team", "same_achievement"]
    assert path.distance == pytest.approx(1 / 4 + 1 / 1.75 + 1 / 0.5)
    # Hops come first: A to D is two hops through B, however weak B-D is.
    to_d = collaboration_path(canon, "A", "D", max_hops=4)
    assert to_d is not None and to_d.experts == ("A", "B", "D")


def test_path_limits_and_edge_cases(canon: CollaborationGraph) -> None:
    assert collaboration_path(canon, "A", "E", max_hops=2) is None
    assert collaboration_path(canon, "A", "F", max_hops=8) is None
    same = collaboration_path(canon, "C", "C", max_hops=0)
    assert same is not None and same.experts == ("C",) and same.length == 0 and same.ties == ()
    assert collaboration_path(canon, "A", "B", max_hops=0) is None
    with pytest.raises(UnknownKeyError, match="nobody"):
        collaboration_path(canon, "A", "nobody")
    with pytest.raises(AnalyticsError, match="max_hops"):
        collaboration_path(canon, "A", "B", max_hops=-1)


def test_ego_network_order_truncation_and_edges(canon: CollaborationGraph) -> None:
    ego = collaboration_network(canon, "B", depth=1, first=10)
    assert [(n.key, n.depth) for n in ego.nodes] == [("B", 0), ("A", 1), ("C", 1), ("D", 1)]
    assert [n.strength for n in ego.nodes[1:]] == pytest.approx([4.0, 1.75, 0.25])
    assert {(e.source, e.target) for e in ego.edges} == {
        ("A", "B"),
        ("B", "C"),
        ("B", "D"),
        ("C", "D"),
    }
    assert ego.reachable == 3 and not ego.truncated

    cut = collaboration_network(canon, "B", depth=1, first=2)
    assert [n.key for n in cut.nodes] == ["B", "A", "C"]
    assert {(e.source, e.target) for e in cut.edges} == {("A", "B"), ("B", "C")}
    assert cut.truncated and cut.reachable == 3

    deep = collaboration_network(canon, "A", depth=2, first=10)
    assert [(n.key, n.depth) for n in deep.nodes] == [("A", 0), ("B", 1), ("C", 2), ("D", 2)]
    assert deep.nodes[2].strength == pytest.approx(1.75)  # its tie to B

    alone = collaboration_network(canon, "F", depth=3)
    assert [n.key for n in alone.nodes] == ["F"] and alone.edges == ()
    with pytest.raises(AnalyticsError):
        collaboration_network(canon, "B", depth=-1)


def test_betweenness_exact_on_a_path_graph() -> None:
    b = GraphBuilder().experts("ABCD").collab("A", "B").collab("B", "C").collab("C", "D")
    net = build_collaboration_graph(b.g)
    scores, sampled = betweenness(net)
    assert sampled is None
    # B lies on A-C and A-D: 2 of the 3 pairs it is not part of.
    assert scores.tolist() == pytest.approx([0.0, 2 / 3, 2 / 3, 0.0])
    top = brokers(net, first=2)
    assert [(r.rank, r.key) for r in top] == [(1, "B"), (2, "C")]


def test_centralities_on_canonical_graph_match_networkx(canon: CollaborationGraph) -> None:
    g = canon.to_networkx()
    expected = nx.betweenness_centrality(g, normalized=True)
    scores, _ = betweenness(canon)
    assert scores.tolist() == pytest.approx([expected[k] for k in canon.experts])
    pr = nx.pagerank(g, weight="weight")
    ranking = pagerank_ranking(canon)
    assert {r.key: r.score for r in ranking.experts} == pytest.approx(pr, abs=1e-6)
    assert [r.key for r in key_experts(canon, first=2)] == [
        k for k, _ in sorted(pr.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    ]


def test_network_equals_an_independent_networkx_projection(
    gx_network: CollaborationGraph, gx_view: nx.MultiDiGraph
) -> None:
    """Explicit collaborations of the demo are all in the network, with weight at least
    1 + log2(count) each, and every tie has positive weight."""
    for u, v, k, d in gx_view.edges(keys=True, data=True):
        if k == "COLLABORATES_WITH":
            tie = gx_network.tie_between(u.partition(":")[2], v.partition(":")[2])
            assert tie is not None
            assert tie.weight >= 1 + math.log2(d.get("count", 1)) - 1e-9
    assert all(t.weight > 0 and t.a < t.b for t in gx_network.ties.values())
    g = gx_network.to_networkx()
    assert g.number_of_nodes() == gx_network.n
    assert g.number_of_edges() == len(gx_network.ties)


def test_paths_match_networkx_on_the_demo(gx_network: CollaborationGraph) -> None:
    g = gx_network.to_networkx()
    rng = random.Random(6)
    tied = [k for k in gx_network.experts if g.degree(k)]
    checked = found = 0
    for _ in range(60):
        a, b = rng.sample(tied, 2)
        path = collaboration_path(gx_network, a, b, max_hops=5)
        try:
            hops = nx.shortest_path_length(g, a, b)
        except nx.NetworkXNoPath:
            hops = None
        if hops is None or hops > 5:
            assert path is None
            continue
        assert path is not None and path.length == hops
        assert path.experts[0] == a and path.experts[-1] == b
        for x, y, tie in zip(path.experts, path.experts[1:], path.ties, strict=False):
            assert g.has_edge(x, y) and g[x][y]["weight"] == tie.weight
        shortest = nx.all_shortest_paths(g, a, b)
        best = min(sum(g[x][y]["distance"] for x, y in pairwise(p)) for p in shortest)
        assert path.distance == pytest.approx(best)
        checked += 1
        found += hops >= 2
    assert checked >= 30 and found >= 10


def test_exact_betweenness_matches_networkx_on_the_demo(gx_network: CollaborationGraph) -> None:
    g = gx_network.to_networkx()
    scores, sampled = betweenness(gx_network)
    assert sampled is None  # small enough for the exact computation
    expected = nx.betweenness_centrality(g, normalized=True)
    assert np.allclose(scores, [expected[k] for k in gx_network.experts], rtol=1e-9, atol=1e-12)


def test_sampled_betweenness_scales_like_networkx(gx_network: CollaborationGraph) -> None:
    samples, seed = 40, 11
    scores, used = betweenness(gx_network, samples=samples, seed=seed)
    assert used == samples
    tied = [i for i in range(gx_network.n) if gx_network.adjacency[i]]
    sources_idx = np.sort(
        np.random.default_rng(seed).choice(np.asarray(tied), size=samples, replace=False)
    )
    sources = [gx_network.experts[i] for i in sources_idx]
    g = gx_network.to_networkx()
    # networkx's subset betweenness counts each (source, target) once, like igraph's.
    partial = nx.betweenness_centrality_subset(g, sources, list(g), normalized=False)
    n, m = g.number_of_nodes(), len(tied)
    src = set(sources)
    expected = [
        2
        * partial[k]
        * ((m - 1) / (samples - 1) if k in src else (m - 1) / samples)
        / ((n - 1) * (n - 2))
        for k in gx_network.experts
    ]
    assert np.allclose(scores, expected, rtol=1e-9, atol=1e-12)
    again, _ = betweenness(gx_network, samples=samples, seed=seed)
    assert again.tolist() == scores.tolist()  # one seed, one answer
    exact = nx.betweenness_centrality(g, normalized=True)
    top_exact = {k for k, _ in sorted(exact.items(), key=lambda kv: -kv[1])[:10]}
    ranking = broker_ranking(gx_network, samples=200, seed=1)
    assert ranking.samples == 200
    assert len(top_exact & {r.key for r in ranking.experts[:20]}) >= 5
    with pytest.raises(AnalyticsError):
        betweenness(gx_network, samples=1)


def test_pagerank_matches_networkx_on_the_demo(gx_network: CollaborationGraph) -> None:
    expected = nx.pagerank(gx_network.to_networkx(), weight="weight", tol=1e-12)
    ranking = pagerank_ranking(gx_network)
    got = {r.key: r.score for r in ranking.experts}
    assert got == pytest.approx(expected, abs=1e-8)
    scores = [r.score for r in ranking.experts]
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) == pytest.approx(1.0)
