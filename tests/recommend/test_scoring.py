"""Scoring, filters, diversity and cold start on the canonical toy graph (exact values)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from graphsvc.algorithms.graph_index import distance_km
from graphsvc.algorithms.recommend import (
    DEFAULT_WEIGHTS,
    FEATURES,
    InvalidFilterError,
    Model,
    Recommendation,
    RecommendError,
    RecommendFilter,
    UnknownSourceError,
    _demand_source,
    _label_values,
    _ppr,
    build_model,
    expert_features,
    explain_pair,
    recommend_experts,
)

from .conftest import TODAY, toy_graph


def keys(items: list[Recommendation]) -> list[str]:
    return [r.key for r in items]


def features_of(model: Model, expert: str) -> dict[str, float]:
    source = _demand_source(model, "D1")
    e = model.index.table("Expert").pos[expert]
    ppr = _label_values(model, *_ppr(model, source.gid), "Expert")
    feats = expert_features(model, source, np.asarray([e], dtype=np.int64), ppr)
    return {k: float(v[0]) for k, v in feats.items()}


def test_features_have_the_expected_values(toy: Model) -> None:
    f = features_of(toy, "E1")
    assert f["skill"] == 1.0  # the one keyword, at the highest IDF
    assert f["industry"] == 1.0
    assert f["division"] == 0.0  # the same industry is not counted twice
    assert f["served"] == pytest.approx(math.log(2) * 5 / 5)  # one record, rated 5
    assert f["activity"] == pytest.approx(math.log(2))
    assert f["rating"] == pytest.approx(((5 + 6) / 3 - 1) / 4)  # shrunk towards 3
    km = distance_km(111.55, 24.41, 111.57, 24.40)
    assert f["proximity"] == pytest.approx(math.exp(-km / 150))
    assert f["subgroup"] == 1.0
    assert f["achievement"] == pytest.approx(math.log(2))  # A1 shares the keyword
    assert f["ppr"] == 1.0  # E1 is the expert the walk reaches most
    f2 = features_of(toy, "E2")
    assert (f2["skill"], f2["industry"], f2["served"], f2["subgroup"]) == (0, 1.0, 0, 0)
    assert f2["proximity"] == pytest.approx(
        math.exp(-distance_km(111.55, 24.41, 108.37, 22.82) / 150)
    )


def test_score_is_the_weighted_sum(toy: Model) -> None:
    [top, *_] = recommend_experts(toy, demand="D1")
    assert top.key == "E1"
    assert top.score == pytest.approx(sum(top.contributions.values()), abs=1e-3)
    f = features_of(toy, "E1")
    expected = sum(DEFAULT_WEIGHTS[k] * f[k] for k in FEATURES if k != "collaborator")
    assert top.score == pytest.approx(expected + top.contributions.get("collaborator", 0), 1e-3)


def test_explain_pair_agrees_with_the_ranking(toy: Model) -> None:
    ranked = {r.key: r for r in recommend_experts(toy, demand="D1")}
    one = explain_pair(toy, demand="D1", expert="E5")
    assert one.score == pytest.approx(
        ranked["E5"].score - ranked["E5"].contributions.get("collaborator", 0), abs=1e-3
    )


def test_reasons_are_chinese_and_specific(toy: Model) -> None:
    top = recommend_experts(toy, demand="D1")[0]
    assert "擅长 碳酸钙表面改性" in top.reasons
    assert "同在 贺州市" in top.reasons
    assert "曾服务 该企业 1 次 评分 5.0" in top.reasons
    assert any(r.startswith("专业领域 ") for r in top.reasons)


def test_paths_carry_shares_strongest_first(toy: Model) -> None:
    top = recommend_experts(toy, demand="D1")[0]
    shares = [p.share for p in top.paths]
    assert shares == sorted(shares, reverse=True)
    assert 0 < sum(shares) <= 1.0 + 1e-6
    assert (
        ("Demand:D1", "Keyword:碳酸钙表面改性", "Expert:E1"),
        (("MENTIONS", True), ("HAS_SKILL", False)),
    ) in [(p.nodes, p.rels) for p in top.paths]


def test_default_filter_respects_capacity_and_ongoing_service(toy: Model) -> None:
    # E3 is at capacity (1 ongoing enterprise, capacity 1); E4 serves N1 right now
    assert sorted(keys(recommend_experts(toy, demand="D1"))) == ["E1", "E2", "E5"]
    loose = RecommendFilter(include_at_capacity=True)
    assert "E3" in keys(recommend_experts(toy, demand="D1", filter=loose))
    serving = RecommendFilter(exclude_serving=False)
    assert "E4" in keys(recommend_experts(toy, demand="D1", filter=serving))


def test_capacity_counts_only_ongoing_records() -> None:
    later = build_model(toy_graph(), today="2026-06-01")  # E4's service has ended by then
    assert "E4" in keys(recommend_experts(later, demand="D1"))


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (RecommendFilter(city="451100"), ["E1"]),
        (RecommendFilter(county="451102", radius_km=50), ["E1"]),
        (RecommendFilter(county="451102", radius_km=500), ["E1", "E2", "E5"]),
        (RecommendFilter(subgroup="SG1"), ["E1"]),
        (RecommendFilter(institution_kind="university"), ["E1", "E2"]),
        (RecommendFilter(exclude_institutions=("INST-A",)), ["E5"]),
        (RecommendFilter(commissioners_only=True), ["E5"]),
    ],
)
def test_filters(toy: Model, flt: RecommendFilter, expected: list[str]) -> None:
    assert sorted(keys(recommend_experts(toy, demand="D1", filter=flt))) == expected


def test_diversity_caps_experts_per_institution(toy: Model) -> None:
    found = keys(recommend_experts(toy, demand="D1", filter=RecommendFilter(max_per_institution=1)))
    assert len({"E1", "E2"} & set(found)) == 1
    assert "E5" in found  # experts without an institution are not capped


@pytest.mark.parametrize(
    "flt",
    [
        RecommendFilter(city="999999"),
        RecommendFilter(county="999999"),
        RecommendFilter(subgroup="nope"),
        RecommendFilter(exclude_institutions=("nope",)),
        RecommendFilter(radius_km=10),
        RecommendFilter(city="451100", radius_km=-1),
    ],
)
def test_bad_filters_are_refused(toy: Model, flt: RecommendFilter) -> None:
    with pytest.raises(InvalidFilterError):
        recommend_experts(toy, demand="D1", filter=flt)


def test_bad_sources_are_refused(toy: Model) -> None:
    with pytest.raises(UnknownSourceError):
        recommend_experts(toy, demand="D9")
    with pytest.raises(UnknownSourceError):
        recommend_experts(toy, enterprise="N9")
    with pytest.raises(RecommendError):
        recommend_experts(toy)
    with pytest.raises(RecommendError):
        recommend_experts(toy, demand="D1", enterprise="N1")


def _cold_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(toy_graph())
    g.add_node("Demand:D2", key="D2", title="碳酸钙改性粉体", status="open")
    g.add_edge("Enterprise:N2", "Demand:D2", "POSTED")
    g.add_edge("Demand:D2", "Industry:3099", "CONCERNS")
    g.add_node("Enterprise:N3", key="N3", name="新建钙业有限公司")
    g.add_edge("Enterprise:N3", "County:451102", "LOCATED_IN")
    g.add_edge("Enterprise:N3", "Industry:3099", "IN_INDUSTRY")
    return g


def test_cold_start_demand_without_keywords() -> None:
    model = build_model(_cold_graph(), today=TODAY)
    found = recommend_experts(model, demand="D2")
    assert keys(found)[0] == "E1"  # industry, place, and a similar achievement's text
    assert {"E1", "E2", "E5"} <= set(keys(found))
    assert any(
        r.startswith("成果《纳米碳酸钙表面改性技术》与需求内容相近") for r in found[0].reasons
    )


def test_cold_start_new_enterprise() -> None:
    model = build_model(_cold_graph(), today=TODAY)
    found = recommend_experts(model, enterprise="N3")
    assert keys(found)[:1] == ["E1"]
    assert set(keys(found)) >= {"E1", "E2", "E5"}
    assert all(p.nodes[0] == "Enterprise:N3" for r in found for p in r.paths)
