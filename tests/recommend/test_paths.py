"""Every returned path is a real path in the graph, from the source to the item."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.algorithms.recommend import (
    Model,
    Recommendation,
    recommend_achievements,
    recommend_collaborators,
    recommend_demands,
    recommend_experts,
    recommend_institutions,
)


def check(view: nx.MultiDiGraph, source: str, items: list[Recommendation]) -> int:
    walked = 0
    for item in items:
        assert item.score > 0 and item.reasons
        shares = [p.share for p in item.paths]
        assert shares == sorted(shares, reverse=True)
        assert sum(shares) <= 1.0 + 1e-3
        for p in item.paths:
            assert p.nodes[0] == source
            assert p.nodes[-1] == f"{item.label}:{item.key}"
            assert len(p.rels) == len(p.nodes) - 1
            assert 0 < p.share <= 1
            for (rel, forward), u, v in zip(p.rels, p.nodes[:-1], p.nodes[1:], strict=True):
                a, b = (u, v) if forward else (v, u)
                assert view.has_edge(a, b), (a, rel, b)
                assert any(k.partition("|")[0] == rel for k in view[a][b]), (a, rel, b)
                walked += 1
    return walked


@pytest.fixture(scope="module")
def sample(small: Model) -> dict[str, list[str]]:
    t = small.index.table
    return {
        "Demand": list(t("Demand").keys[::97][:8]),
        "Enterprise": list(t("Enterprise").keys[::211][:6]),
        "Expert": list(t("Expert").keys[::173][:6]),
    }


def test_expert_paths_are_real(small: Model, sample: dict[str, list[str]]) -> None:
    view = small.index.view
    walked = 0
    for d in sample["Demand"]:
        walked += check(view, f"Demand:{d}", recommend_experts(small, demand=d))
    for n in sample["Enterprise"]:
        walked += check(view, f"Enterprise:{n}", recommend_experts(small, enterprise=n))
    assert walked > 200


def test_other_recommenders_paths_are_real(small: Model, sample: dict[str, list[str]]) -> None:
    view = small.index.view
    for d in sample["Demand"][:4]:
        check(view, f"Demand:{d}", recommend_achievements(small, demand=d))
    for n in sample["Enterprise"][:4]:
        found = recommend_institutions(small, enterprise=n)
        assert found
        check(view, f"Enterprise:{n}", found)
    for e in sample["Expert"][:4]:
        check(view, f"Expert:{e}", recommend_demands(small, expert=e))
        check(view, f"Expert:{e}", recommend_collaborators(small, expert=e))


def test_push_list_for_an_expert_offers_open_demands_only(
    small: Model, sample: dict[str, list[str]]
) -> None:
    index = small.index
    for e in sample["Expert"]:
        for r in recommend_demands(small, expert=e):
            assert index.demand_status[index.table("Demand").pos[r.key]] == "open"


def test_institution_kind_filter(small: Model, sample: dict[str, list[str]]) -> None:
    index = small.index
    n = sample["Enterprise"][0]
    for r in recommend_institutions(small, enterprise=n, kind="institute"):
        assert index.institution_kind[index.table("Institution").pos[r.key]] == "institute"


def test_diversity_on_the_demo(small: Model, sample: dict[str, list[str]]) -> None:
    index = small.index
    for d in sample["Demand"]:
        found = recommend_experts(small, demand=d, first=10)
        insts = [int(index.expert_institution[index.table("Expert").pos[r.key]]) for r in found]
        assert max((insts.count(i) for i in set(insts) if i >= 0), default=0) <= 3
