"""Service evaluation figures by expert, institution, city or subgroup: what an assessment of
commissioners needs.

Per group: service records, enterprises served, demands addressed and solved, mean rating,
days from a demand's posting to its first service, deals and their amounts.

Who belongs to a group: an expert's records count for the expert, for each institution it is
affiliated with and each subgroup it is a member of; for CITY, a record counts for the city
of the enterprise served (where the service took place). A demand's *first service* is its
record with the earliest start; its days are ``start_on - posted_on`` and count for the
groups of the experts who started it that day. A deal counts for the expert it names or who
owns the achievement it buys, for that expert's institutions and subgroups, for the
institution it names or that owns the achievement, and for the buyer's city; each deal at
most once per group.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("Expert:X", key="X", name="X")
>>> g.add_node("Enterprise:E", key="E")
>>> g.add_node("Demand:D", key="D", posted_on="2024-01-01", status="solved")
>>> _ = g.add_edge("Expert:X", "Enterprise:E", "SERVED|visit|2024-01-11", role="visit",
...                start_on="2024-01-11", rating=4, outcome="solved", demand_key="D")
>>> _ = g.add_edge("Enterprise:E", "Expert:X", "DEAL|DL1")
>>> g["Enterprise:E"]["Expert:X"]["DEAL|DL1"].update(key="DL1", stage="contract", amount_wan=12.5)
>>> x = service_stats(g, GroupBy.EXPERT).groups[0]
>>> x.services, x.demands_solved, x.mean_rating, x.mean_days_to_first_service, x.contract_amount_wan
(1, 1, 4.0, 10.0, 12.5)
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import networkx as nx

from graphsvc.algorithms._analytics import AnalyticsError, GraphData, collect, without_gc

__all__ = ["AnalyticsError", "GroupBy", "GroupStats", "ServiceStats", "service_stats"]


class GroupBy(StrEnum):
    """What to group service figures by."""

    EXPERT = "expert"
    INSTITUTION = "institution"
    CITY = "city"
    SUBGROUP = "subgroup"


_LABEL = {
    GroupBy.EXPERT: "Expert",
    GroupBy.INSTITUTION: "Institution",
    GroupBy.CITY: "City",
    GroupBy.SUBGROUP: "Subgroup",
}


@dataclass(frozen=True)
class GroupStats:
    """The figures of one group (`key` is empty for the whole province).

    `experts`: the group's experts (for CITY: the experts who served there);
    amounts are rounded to the 分 (0.01 万元);
    `demands_addressed` / `demands_solved`: distinct demands with a record of the group /
    with one whose outcome is ``solved``; `first_responses`: demands whose first service
    was the group's; `deals` and `contracts` (deals at the ``contract`` stage) with their
    amounts in 万元.
    """

    key: str
    name: str
    experts: int
    services: int
    enterprises_served: int
    demands_addressed: int
    demands_solved: int
    rated_services: int
    mean_rating: float | None
    first_responses: int
    mean_days_to_first_service: float | None
    median_days_to_first_service: float | None
    deals: int
    deal_amount_wan: float
    contracts: int
    contract_amount_wan: float


@dataclass(frozen=True)
class ServiceStats:
    """Groups ranked by enterprises served, then services, then key; and the province."""

    group_by: GroupBy
    groups: tuple[GroupStats, ...] = field(repr=False)
    total: GroupStats
    group_count: int


@dataclass
class _Acc:
    experts: set[str] = field(default_factory=set)
    services: int = 0
    enterprises: set[str] = field(default_factory=set)
    addressed: set[str] = field(default_factory=set)
    solved: set[str] = field(default_factory=set)
    ratings: list[float] = field(default_factory=list)
    days: dict[str, int] = field(default_factory=dict)  # demand -> days to its first service
    deals: dict[str, tuple[str, float]] = field(default_factory=dict)  # key -> (stage, amount)

    def stats(self, key: str, name: str, experts: int | None = None) -> GroupStats:
        days = list(self.days.values())
        contracts = [a for s, a in self.deals.values() if s == "contract"]
        return GroupStats(
            key=key,
            name=name,
            experts=len(self.experts) if experts is None else experts,
            services=self.services,
            enterprises_served=len(self.enterprises),
            demands_addressed=len(self.addressed),
            demands_solved=len(self.solved),
            rated_services=len(self.ratings),
            mean_rating=statistics.fmean(self.ratings) if self.ratings else None,
            first_responses=len(days),
            mean_days_to_first_service=statistics.fmean(days) if days else None,
            median_days_to_first_service=float(statistics.median(days)) if days else None,
            deals=len(self.deals),
            deal_amount_wan=round(math.fsum(a for _, a in self.deals.values()), 2),
            contracts=len(contracts),
            contract_amount_wan=round(math.fsum(contracts), 2),
        )


def _days(start: str, posted: str) -> int | None:
    try:
        return (dt.date.fromisoformat(start) - dt.date.fromisoformat(posted)).days
    except ValueError:
        return None


@without_gc
def service_stats(
    view: nx.MultiDiGraph, group_by: GroupBy | str = GroupBy.EXPERT, *, first: int | None = None
) -> ServiceStats:
    """Service figures per group, best first.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The store's read-only view.
    group_by : GroupBy or str, optional
        ``expert``, ``institution``, ``city`` or ``subgroup``.
    first : int or None, optional
        Keep this many groups (None: all). Every node of the grouping label is a group,
        with or without services.

    Returns
    -------
    ServiceStats

    Raises
    ------
    AnalyticsError
        For an unknown grouping.
    """
    try:
        by = GroupBy(group_by)
    except ValueError:
        raise AnalyticsError(
            f"unknown grouping {group_by!r} (expected {', '.join(g.value for g in GroupBy)})"
        ) from None
    label = _LABEL[by]
    data = collect(
        view,
        ("Expert", "Demand", label),
        ("SERVED", "DEAL", "OWNS", "AFFILIATED_WITH", "MEMBER_OF", "LOCATED_IN", "IN_CITY"),
    )
    groups_of_expert = _expert_groups(data, by)
    city_of_enterprise = _enterprise_cities(data)

    def record_groups(expert: str, enterprise: str) -> Iterable[str]:
        if by is GroupBy.CITY:
            city = city_of_enterprise.get(enterprise)
            return () if city is None else (city,)
        return groups_of_expert.get(expert, ())

    acc: dict[str, _Acc] = defaultdict(_Acc)
    total = _Acc()
    first_start: dict[str, tuple[str, list[tuple[str, str]]]] = {}  # demand -> (start, records)
    for sl, expert, dl, enterprise, props in data.rels["SERVED"]:
        if sl != "Expert" or dl != "Enterprise":
            continue
        demand = props.get("demand_key") or None
        rating = props.get("rating")
        solved = props.get("outcome") == "solved"
        for a in (total, *(acc[g] for g in record_groups(expert, enterprise))):
            a.experts.add(expert)
            a.services += 1
            a.enterprises.add(enterprise)
            if rating is not None:
                a.ratings.append(float(rating))
            if demand is not None:
                a.addressed.add(demand)
                if solved:
                    a.solved.add(demand)
        start = props.get("start_on")
        if demand is not None and start is not None:
            start = str(start)
            seen = first_start.get(demand)
            if seen is None or start < seen[0]:
                first_start[demand] = (start, [(expert, enterprise)])
            elif start == seen[0]:
                seen[1].append((expert, enterprise))
    demands = data.nodes["Demand"]
    for demand, (start, starters) in first_start.items():
        posted = demands.get(demand, {}).get("posted_on")
        days = None if posted is None else _days(start, str(posted))
        if days is None:
            continue
        total.days[demand] = days
        for expert, enterprise in starters:
            for g in record_groups(expert, enterprise):
                acc[g].days[demand] = days

    for key, enterprise, stage, amount, experts, institutions in _deals(data):
        targets: set[str] = set()
        if by is GroupBy.CITY:
            city = city_of_enterprise.get(enterprise)
            targets = set() if city is None else {city}
        else:
            for e in experts:
                targets.update(groups_of_expert.get(e, ()))
            if by is GroupBy.INSTITUTION:
                targets.update(institutions)
        for a in (total, *(acc[g] for g in targets)):
            a.deals[key] = (stage, amount)

    members = _member_counts(groups_of_expert) if by is not GroupBy.CITY else {}
    rows = []
    for key in data.nodes[label]:
        a = acc.get(key) or _Acc()
        n_experts = None if by is GroupBy.CITY else members.get(key, 0)
        rows.append(a.stats(key, data.name(label, key), n_experts))
    rows.sort(key=lambda s: (-s.enterprises_served, -s.services, s.key))
    return ServiceStats(
        group_by=by,
        groups=tuple(rows if first is None else rows[: max(0, first)]),
        total=total.stats("", "全省", len(data.nodes["Expert"])),
        group_count=len(rows),
    )


def _expert_groups(data: GraphData, by: GroupBy) -> dict[str, tuple[str, ...]]:
    if by is GroupBy.EXPERT:
        return {k: (k,) for k in data.nodes["Expert"]}
    if by is GroupBy.CITY:
        return {}
    rel = "AFFILIATED_WITH" if by is GroupBy.INSTITUTION else "MEMBER_OF"
    found: dict[str, set[str]] = defaultdict(set)
    for sl, sk, _, dk, _ in data.rels[rel]:
        if sl == "Expert":
            found[sk].add(dk)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _member_counts(groups_of_expert: dict[str, tuple[str, ...]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for groups in groups_of_expert.values():
        for g in groups:
            counts[g] += 1
    return counts


def _enterprise_cities(data: GraphData) -> dict[str, str]:
    county_city = {sk: dk for sl, sk, _, dk, _ in data.rels["IN_CITY"] if sl == "County"}
    return {
        sk: county_city[dk]
        for sl, sk, dl, dk, _ in data.rels["LOCATED_IN"]
        if sl == "Enterprise" and dl == "County" and dk in county_city
    }


def _deals(
    data: GraphData,
) -> list[tuple[str, str, str, float, set[str], set[str]]]:
    """Deals folded by key: (key, buyer, stage, amount, experts, institutions), where the
    experts and institutions are those the deal names and the owners of what it buys."""
    owners: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sl, sk, dl, dk, _ in data.rels["OWNS"]:
        if dl == "Achievement":
            owners[dk].append((sl, sk))
    folded: dict[str, tuple[str, str, float, set[str], set[str]]] = {}
    for sl, buyer, dl, dk, props in data.rels["DEAL"]:
        key = props.get("key")
        if sl != "Enterprise" or key is None:
            continue
        rec = folded.get(key)
        if rec is None:
            rec = folded[key] = (
                buyer,
                str(props.get("stage") or "intention"),
                float(props.get("amount_wan") or 0.0),
                set(),
                set(),
            )
        experts, institutions = rec[3], rec[4]
        sellers = owners.get(dk, []) if dl == "Achievement" else [(dl, dk)]
        for owner_label, owner in sellers:
            if owner_label == "Expert":
                experts.add(owner)
            elif owner_label == "Institution":
                institutions.add(owner)
    return [(k, *folded[k]) for k in sorted(folded)]
