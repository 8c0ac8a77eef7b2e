"""Service evaluation figures: exact on a canonical graph, recounted from the raw CSV files of
the demo dataset for every grouping."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.algorithms.evaluation import (
    AnalyticsError,
    GroupBy,
    GroupStats,
    service_stats,
)
from tests.analytics.conftest import GraphBuilder, items, read_csv


def _canonical() -> GraphBuilder:
    b = GraphBuilder().experts("XYZ")
    b.node("Institution", "I1").node("Subgroup", "S1").node("Subgroup", "S2")
    b.rel("Expert:X", "Institution:I1", "AFFILIATED_WITH").rel(
        "Expert:Y", "Institution:I1", "AFFILIATED_WITH"
    )
    b.rel("Expert:X", "Subgroup:S1", "MEMBER_OF").rel("Expert:Y", "Subgroup:S1", "MEMBER_OF")
    b.rel("Expert:Y", "Subgroup:S2", "MEMBER_OF")
    b.node("City", "C1").node("County", "K1").rel("County:K1", "City:C1", "IN_CITY")
    for e in ("E1", "E2"):
        b.node("Enterprise", e).rel(f"Enterprise:{e}", "County:K1", "LOCATED_IN")
    b.node("Demand", "D1", posted_on="2024-01-01").node("Demand", "D2", posted_on="2024-02-01")
    b.served(
        "X",
        "E1",
        "commissioner",
        "2024-01-11",
        "2024-05-01",
        rating=5,
        outcome="solved",
        demand_key="D1",
    )
    b.served(
        "Y", "E1", "team", "2024-01-11", "2024-05-01", rating=3, outcome="solved", demand_key="D1"
    )
    b.served("Y", "E2", "consultant", "2024-03-02", None, outcome="ongoing", demand_key="D2")
    b.served(
        "Z", "E2", "visit", "2024-02-21", "2024-02-21", rating=2, outcome="failed", demand_key="D2"
    )
    b.served("X", "E2", "visit", "2024-06-01", "2024-06-01", rating=4, outcome="solved")
    b.node("Achievement", "A1").rel("Expert:Y", "Achievement:A1", "OWNS")
    b.rel(
        "Enterprise:E1",
        "Achievement:A1",
        "DEAL",
        "DL1",
        key="DL1",
        stage="contract",
        amount_wan=10.25,
    )
    b.rel(
        "Enterprise:E2",
        "Institution:I1",
        "DEAL",
        "DL2",
        key="DL2",
        stage="intention",
        amount_wan=4.0,
    )
    b.rel("Enterprise:E2", "Expert:X", "DEAL", "DL3", key="DL3", stage="contract", amount_wan=1.5)
    return b


def _row(stats: Iterable[GroupStats], key: str) -> GroupStats:
    return next(s for s in stats if s.key == key)


def test_canonical_by_expert() -> None:
    result = service_stats(_canonical().g, GroupBy.EXPERT)
    assert [s.key for s in result.groups] == ["X", "Y", "Z"]  # 2, 2, 1 enterprises; 3, 2 services
    x = _row(result.groups, "X")
    assert (x.services, x.enterprises_served, x.demands_addressed, x.demands_solved) == (2, 2, 1, 1)
    assert x.mean_rating == 4.5 and x.rated_services == 2
    assert (x.first_responses, x.mean_days_to_first_service) == (1, 10.0)  # D1, shared with Y
    assert (x.deals, x.deal_amount_wan, x.contracts) == (1, 1.5, 1)
    y = _row(result.groups, "Y")
    assert (y.first_responses, y.mean_days_to_first_service) == (1, 10.0)  # Z came first to D2
    assert (y.deals, y.contract_amount_wan) == (1, 10.25)  # it owns what DL1 bought
    z = _row(result.groups, "Z")
    assert (z.first_responses, z.mean_days_to_first_service, z.demands_solved) == (1, 20.0, 0)
    total = result.total
    assert (total.services, total.enterprises_served, total.demands_solved, total.experts) == (
        5,
        2,
        1,
        3,
    )
    assert total.mean_rating == pytest.approx(3.5)
    assert total.mean_days_to_first_service == 15.0 and total.median_days_to_first_service == 15.0
    assert (total.deals, total.deal_amount_wan, total.contracts, total.contract_amount_wan) == (
        3,
        15.75,
        2,
        11.75,
    )


def test_canonical_by_institution_subgroup_and_city() -> None:
    g = _canonical().g
    inst = service_stats(g, GroupBy.INSTITUTION).groups
    assert [(s.key, s.experts, s.services, s.deals) for s in inst] == [("I1", 2, 4, 3)]
    subgroups = service_stats(g, GroupBy.SUBGROUP).groups
    assert [(s.key, s.experts, s.services, s.deals) for s in subgroups] == [
        ("S1", 2, 4, 2),
        ("S2", 1, 2, 1),
    ]
    city = service_stats(g, "city").groups[0]
    assert (city.key, city.experts, city.services, city.deals, city.first_responses) == (
        "C1",
        3,
        5,
        3,
        2,
    )
    assert service_stats(g, GroupBy.EXPERT, first=1).groups[0].key == "X"
    with pytest.raises(AnalyticsError, match="grouping"):
        service_stats(g, "county")


# -- recounted from the CSV files ----------------------------------------------------------


def _recount(
    gx_dir: Path,
    groups_of: Callable[[dict[str, str]], set[str]],
    deal_groups: Callable[[dict[str, str], set[str], set[str]], set[str]],
) -> dict[str, dict[str, object]]:
    """The figures per group from the raw files, as docs/analytics.md defines them."""
    records = read_csv(gx_dir, "service_records")
    posted = {r["key"]: r["posted_on"] for r in read_csv(gx_dir, "demands")}
    first: dict[str, str] = {}
    for r in records:
        if r["demand_key"] and r["start_on"]:
            d = r["demand_key"]
            first[d] = min(first.get(d, r["start_on"]), r["start_on"])
    acc: dict[str, dict[str, object]] = defaultdict(
        lambda: {
            "services": 0,
            "ent": set(),
            "addr": set(),
            "solved": set(),
            "ratings": [],
            "days": {},
            "deals": {},
        }
    )
    for r in records:
        for g in groups_of(r):
            a = acc[g]
            a["services"] = int(a["services"]) + 1  # type: ignore[call-overload]
            a["ent"].add(r["enterprise_key"])  # type: ignore[attr-defined]
            if r["rating"]:
                a["ratings"].append(int(r["rating"]))  # type: ignore[attr-defined]
            d = r["demand_key"]
            if d:
                a["addr"].add(d)  # type: ignore[attr-defined]
                if r["outcome"] == "solved":
                    a["solved"].add(d)  # type: ignore[attr-defined]
                if r["start_on"] == first.get(d) and posted.get(d):
                    days = (date.fromisoformat(r["start_on"]) - date.fromisoformat(posted[d])).days
                    a["days"][d] = days  # type: ignore[index]
    owners = {r["key"]: r for r in read_csv(gx_dir, "achievements")}
    for deal in read_csv(gx_dir, "deals"):
        experts = {deal["expert_key"]} - {""}
        institutions = {deal["institution_key"]} - {""}
        if deal["achievement_key"]:
            owner = owners[deal["achievement_key"]]
            experts |= {owner["owner_expert_key"]} - {""}
            institutions |= {owner["owner_institution_key"]} - {""}
        for g in deal_groups(deal, experts, institutions):
            acc[g]["deals"][deal["key"]] = (deal["stage"], float(deal["amount_wan"] or 0))  # type: ignore[index]
    return acc


def _compare(stats: GroupStats, a: dict[str, object]) -> None:
    ratings: list[int] = a["ratings"]  # type: ignore[assignment]
    days: dict[str, int] = a["days"]  # type: ignore[assignment]
    deals: dict[str, tuple[str, float]] = a["deals"]  # type: ignore[assignment]
    assert stats.services == a["services"]
    assert stats.enterprises_served == len(a["ent"])  # type: ignore[arg-type]
    assert stats.demands_addressed == len(a["addr"])  # type: ignore[arg-type]
    assert stats.demands_solved == len(a["solved"])  # type: ignore[arg-type]
    assert stats.rated_services == len(ratings)
    assert stats.mean_rating == (pytest.approx(statistics.fmean(ratings)) if ratings else None)
    assert stats.first_responses == len(days)
    if days:
        assert stats.mean_days_to_first_service == pytest.approx(statistics.fmean(days.values()))
        assert stats.median_days_to_first_service == statistics.median(days.values())
    assert stats.deals == len(deals)
    assert stats.deal_amount_wan == pytest.approx(sum(v for _, v in deals.values()), abs=0.006)
    contracts = [v for s, v in deals.values() if s == "contract"]
    assert stats.contracts == len(contracts)
    assert stats.contract_amount_wan == pytest.approx(sum(contracts), abs=0.006)


def test_by_expert_recounted(gx_dir: Path, gx_view: nx.MultiDiGraph) -> None:
    acc = _recount(gx_dir, lambda r: {r["expert_key"]}, lambda d, ex, inst: ex)
    result = service_stats(gx_view, GroupBy.EXPERT)
    assert result.group_count == len(read_csv(gx_dir, "experts"))
    active = [s for s in result.groups if s.services]
    assert len(active) == len([k for k, a in acc.items() if a["services"]])
    for s in result.groups:
        if s.key in acc:
            _compare(s, acc[s.key])
        else:
            assert s.services == 0 and s.deals == 0 and s.mean_rating is None
    ranked = [(-s.enterprises_served, -s.services, s.key) for s in result.groups]
    assert ranked == sorted(ranked)


def test_by_institution_recounted(gx_dir: Path, gx_view: nx.MultiDiGraph) -> None:
    experts = read_csv(gx_dir, "experts")
    inst_of = {r["key"]: r["institution_key"] for r in experts if r["institution_key"]}
    acc = _recount(
        gx_dir,
        lambda r: {inst_of[r["expert_key"]]} if r["expert_key"] in inst_of else set(),
        lambda d, ex, inst: inst | {inst_of[e] for e in ex if e in inst_of},
    )
    result = service_stats(gx_view, GroupBy.INSTITUTION)
    members: dict[str, int] = defaultdict(int)
    for k in inst_of.values():
        members[k] += 1
    assert result.group_count == len(read_csv(gx_dir, "institutions"))
    for s in result.groups:
        assert s.experts == members[s.key]
        if s.key in acc:
            _compare(s, acc[s.key])


def test_by_subgroup_recounted(gx_dir: Path, gx_view: nx.MultiDiGraph) -> None:
    groups = {r["key"]: set(items(r["subgroup_keys"])) for r in read_csv(gx_dir, "experts")}
    acc = _recount(
        gx_dir,
        lambda r: groups[r["expert_key"]],
        lambda d, ex, inst: set().union(*(groups[e] for e in ex)) if ex else set(),
    )
    result = service_stats(gx_view, GroupBy.SUBGROUP)
    assert {s.key for s in result.groups} == {r["key"] for r in read_csv(gx_dir, "subgroups")}
    for s in result.groups:
        assert s.experts == sum(s.key in g for g in groups.values())
        _compare(s, acc[s.key])


def test_by_city_and_province_recounted(gx_dir: Path, gx_view: nx.MultiDiGraph) -> None:
    city_of_county = {r["code"]: r["city_code"] for r in read_csv(gx_dir, "counties")}
    city_of = {r["key"]: city_of_county[r["county_code"]] for r in read_csv(gx_dir, "enterprises")}
    acc = _recount(
        gx_dir,
        lambda r: {city_of[r["enterprise_key"]], "*"},
        lambda d, ex, inst: {city_of[d["enterprise_key"]], "*"},
    )
    result = service_stats(gx_view, GroupBy.CITY)
    for s in result.groups:
        _compare(s, acc[s.key])
        served_by = {
            r["expert_key"]
            for r in read_csv(gx_dir, "service_records")
            if city_of[r["enterprise_key"]] == s.key
        }
        assert s.experts == len(served_by)
    _compare(result.total, acc["*"])
    assert result.total.services == len(read_csv(gx_dir, "service_records"))
    assert result.total.deals == len(read_csv(gx_dir, "deals"))
