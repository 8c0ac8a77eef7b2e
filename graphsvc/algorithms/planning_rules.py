"""The rules a plan and its commit both follow, read from the graph: capacities, the term,
current loads, who already has a commissioner, quotas used, neighbouring cities and
conflicts of interest.

Conflicts. The ontology records no employer groups and no dispute state of a deal, so an
expert is in conflict with an enterprise when the graph shows one of:

- ``failed``: an earlier service of the expert at the enterprise ended ``failed`` or was
  rated ``FAILED_RATING`` or lower;
- ``deal``: the enterprise has a deal (either stage) with the expert, or for an achievement
  the expert owns: the expert has a commercial stake in it;
- ``employer``: the enterprise has a deal with the expert's institution or for one of its
  achievements, or owns an achievement together with the expert or the institution: the
  expert's employer has a stake in it;
- ``declared``: a pair the planner declares (e.g. a deal in dispute, a family tie).

Neighbouring cities: two cities are neighbours when the seats of their nearest counties
are at most `NEIGHBOUR_KM` apart. On Guangxi's 14 cities, 80 km finds 27 of the 28 pairs
that share a land border and adds 3 close pairs across a bay or a corner (see
docs/planning.md).

Examples
--------
>>> term_end("2025-03-01", 2), term_end("2024-02-29", 1)
('2027-03-01', '2025-02-28')
>>> active_in_term({"start_on": "2024-01-01", "end_on": "2025-02-01"}, "2025-01-01", "2027-01-01")
True
>>> institution_capacity({"size": "large"}), institution_capacity({"size": "small", "capacity": 4})
(60, 4)
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphsvc.algorithms.graph_index import distance_km

__all__ = [
    "COMMISSIONER_ROLES",
    "CONFLICT_WORDS",
    "DEFAULT_INSTITUTION_CAPACITY",
    "FAILED_RATING",
    "NEIGHBOUR_KM",
    "SIZE_CAPACITY",
    "TERM_YEARS",
    "CommissionerState",
    "PlanTooLargeError",
    "PlanningError",
    "active_in_term",
    "check_capacities",
    "check_plan_size",
    "commissioner_state",
    "conflicts",
    "institution_capacity",
    "key_of",
    "last_day",
    "neighbouring_cities",
    "nodes_of",
    "term_end",
]

# Enterprises an institution can pair with at once, by its size, when it declares no capacity.
SIZE_CAPACITY: Mapping[str, int] = {"large": 60, "medium": 25, "small": 10}
DEFAULT_INSTITUTION_CAPACITY = 10  # no size either
NEIGHBOUR_KM = 80.0
TERM_YEARS = 2
FAILED_RATING = 2  # a service rated this or lower counts as failed
COMMISSIONER_ROLES = ("commissioner", "team")  # roles that cover an enterprise for a term


class PlanningError(ValueError):
    """A plan or a commit cannot be made as asked (unknown key, bad capacity...); the message
    says what and where."""


class PlanTooLargeError(PlanningError):
    """A plan would score more enterprise × candidate pairs at once than it may."""


def check_plan_size(enterprises: int, candidates: int, what: str, max_pairs: int | None) -> None:
    """Refuse a plan that would score more than `max_pairs` pairs (None: no limit). Its fit
    matrices are dense, 100–150 bytes a pair: a county at 100 times the Guangxi demo
    (4,954 enterprises × 87,970 commissioners) would take 40–60 GiB.

    >>> check_plan_size(5000, 57, "institutions", 1_000_000)
    >>> try:
    ...     check_plan_size(5000, 905, "commissioners", 1_000_000)
    ... except PlanTooLargeError as e:
    ...     print(str(e).replace(", more", ",\\nmore"))
    the plan would score 5,000 enterprises × 905 commissioners = 4,525,000 pairs,
    more than the 1,000,000 a plan may score at once: plan fewer enterprises at a time
    """
    pairs = enterprises * candidates
    if max_pairs is not None and pairs > max_pairs:
        raise PlanTooLargeError(
            f"the plan would score {enterprises:,} enterprises × {candidates:,} {what} = "
            f"{pairs:,} pairs, more than the {max_pairs:,} a plan may score at once: plan "
            "fewer enterprises at a time"
        )


def nodes_of(view: nx.MultiDiGraph, label: str) -> Iterator[str]:
    """The ids of one label's nodes."""
    prefix = f"{label}:"
    return (n for n in view._node if n.startswith(prefix))


def key_of(nid: str) -> str:
    """The key part of a node id.

    >>> key_of("County:450102")
    '450102'
    """
    return nid.partition(":")[2]


def institution_capacity(props: Mapping[str, Any]) -> int:
    """An institution's capacity: its own, else by its size (`SIZE_CAPACITY`)."""
    cap = props.get("capacity")
    if isinstance(cap, int) and not isinstance(cap, bool):
        return max(cap, 0)
    return SIZE_CAPACITY.get(str(props.get("size") or ""), DEFAULT_INSTITUTION_CAPACITY)


def check_capacities(overrides: Mapping[str, int] | None, known: Iterable[str], what: str) -> None:
    """Refuse capacities for unknown keys, or negative ones."""
    if not overrides:
        return
    known_set = set(known)
    for k, v in overrides.items():
        if k not in known_set:
            raise PlanningError(f"capacities: no {what} with key {k!r}")
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise PlanningError(f"capacities: {k} must be a whole number >= 0 (got {v!r})")


def term_end(start_on: str, years: int) -> str:
    """The first day after a term of `years` starting on `start_on` (29 Feb -> 28 Feb)."""
    try:
        start = dt.date.fromisoformat(start_on)
    except (TypeError, ValueError):
        raise PlanningError(f"startOn must be an ISO date YYYY-MM-DD (got {start_on!r})") from None
    if years < 1 or years > 10:
        raise PlanningError(f"termYears must be between 1 and 10 (got {years})")
    try:
        return start.replace(year=start.year + years).isoformat()
    except ValueError:
        return start.replace(year=start.year + years, day=28).isoformat()


def last_day(end_exclusive: str) -> str:
    """The day before an ISO date.

    >>> last_day("2027-03-01")
    '2027-02-28'
    """
    return (dt.date.fromisoformat(end_exclusive) - dt.timedelta(days=1)).isoformat()


def active_in_term(rel: Mapping[str, Any], start: str, end: str) -> bool:
    """A service record overlaps the term [start, end): started before it ends (no start
    date: started) and not ended before it starts (no end date: ongoing)."""
    s, e = rel.get("start_on"), rel.get("end_on")
    return (s is None or str(s) < end) and (e is None or str(e) >= start)


@dataclass
class CommissionerState:
    """What the graph already has in a term."""

    start: str
    end: str  # exclusive
    load: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # expert -> ents
    covered: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # ent -> experts
    records: set[tuple[str, str, str]] = field(default_factory=set)  # (expert, ent, edge key)
    city_of_enterprise: dict[str, str] = field(default_factory=dict)
    city_of_expert: dict[str, str] = field(default_factory=dict)
    subgroups_of: dict[str, tuple[str, ...]] = field(default_factory=dict)  # expert -> keys

    def city_used(self, removed: Iterable[str] = ()) -> dict[str, int]:
        """Enterprises per city with a commissioner or team in the term."""
        gone = set(removed)
        out: dict[str, int] = defaultdict(int)
        for ent, experts in self.covered.items():
            if experts - gone and ent in self.city_of_enterprise:
                out[self.city_of_enterprise[ent]] += 1
        return out

    def subgroup_used(self, removed: Iterable[str] = ()) -> dict[str, int]:
        """Commissioner or team services in the term per subgroup of their expert."""
        gone = set(removed)
        out: dict[str, int] = defaultdict(int)
        for _ent, experts in self.covered.items():
            for x in experts - gone:
                for s in self.subgroups_of.get(x, ()):
                    out[s] += 1
        return out


def commissioner_state(view: nx.MultiDiGraph, start: str, end: str) -> CommissionerState:
    """Loads, covered enterprises, places and subgroups for the term [start, end)."""
    state = CommissionerState(start, end)
    succ = view._succ
    for c in nodes_of(view, "County"):
        for city, keyed in succ[c].items():
            if "IN_CITY" in keyed:
                county_city = key_of(city)
                for ent, ekeyed in view._pred[c].items():
                    if "LOCATED_IN" in ekeyed and ent.startswith("Enterprise:"):
                        state.city_of_enterprise[key_of(ent)] = county_city
    for x in nodes_of(view, "Expert"):
        xk = key_of(x)
        groups = []
        for v, keyed in succ[x].items():
            if v.startswith("Enterprise:"):
                for k, attrs in keyed.items():
                    if k.startswith("SERVED") and active_in_term(attrs, start, end):
                        state.load[xk].add(key_of(v))
                        state.records.add((xk, key_of(v), k))
                        if attrs.get("role") in COMMISSIONER_ROLES:
                            state.covered[key_of(v)].add(xk)
            elif v.startswith("City:") and "BASED_IN" in keyed:
                state.city_of_expert[xk] = key_of(v)
            elif v.startswith("Subgroup:") and "MEMBER_OF" in keyed:
                groups.append(key_of(v))
        state.subgroups_of[xk] = tuple(sorted(groups))
    return state


def neighbouring_cities(view: nx.MultiDiGraph, km: float = NEIGHBOUR_KM) -> dict[str, set[str]]:
    """For each city, itself and the cities whose nearest county seats are within `km`
    (cities without county coordinates: their own seat)."""
    seats: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in nodes_of(view, "City"):
        seats[key_of(c)]
    for c in nodes_of(view, "County"):
        attrs = view._node[c]
        for city, keyed in view._succ[c].items():
            lon, lat = attrs.get("longitude"), attrs.get("latitude")
            if "IN_CITY" in keyed and isinstance(lon, int | float) and isinstance(lat, int | float):
                seats[key_of(city)].append((float(lon), float(lat)))
    for city in list(seats):
        if not seats[city]:
            attrs = view._node.get(f"City:{city}", {})
            lon, lat = attrs.get("longitude"), attrs.get("latitude")
            if isinstance(lon, int | float) and isinstance(lat, int | float):
                seats[city].append((float(lon), float(lat)))
    out = {city: {city} for city in seats}
    for a, b in itertools.combinations(sorted(seats), 2):
        near = min(
            (distance_km(x1, y1, x2, y2) for (x1, y1) in seats[a] for (x2, y2) in seats[b]),
            default=math.inf,
        )
        if near <= km:
            out[a].add(b)
            out[b].add(a)
    return out


def conflicts(
    view: nx.MultiDiGraph,
    declared: Iterable[tuple[str, str]] = (),
    enterprises: Iterable[str] | None = None,
) -> dict[tuple[str, str], str]:
    """Every (expert, enterprise) pair in conflict, with its kind (see the module); with
    `enterprises` (keys), only the pairs with those. A deal with an institution puts all its
    experts in conflict, so the pairs of a whole province are many: ask for the plan's."""
    out: dict[tuple[str, str], str] = {}
    succ, pred = view._succ, view._pred

    def add(expert: str, ent: str, kind: str) -> None:
        out.setdefault((expert, ent), kind)

    def experts_of(inst: str) -> list[str]:
        return [
            key_of(x)
            for x, keyed in pred.get(inst, {}).items()
            if "AFFILIATED_WITH" in keyed and x.startswith("Expert:")
        ]

    def owners(ach: str) -> tuple[list[str], list[str]]:
        exps, insts = [], []
        for o, keyed in pred.get(ach, {}).items():
            if "OWNS" in keyed:
                if o.startswith("Expert:"):
                    exps.append(key_of(o))
                elif o.startswith("Institution:"):
                    insts.append(o)
        return exps, insts

    if enterprises is None:
        nodes: Iterable[str] = nodes_of(view, "Enterprise")
    else:
        nodes = [n for n in (f"Enterprise:{k}" for k in dict.fromkeys(enterprises)) if n in succ]
    for n in nodes:
        ent = key_of(n)
        for x, keyed in pred[n].items():
            if not x.startswith("Expert:"):
                continue
            for k, attrs in keyed.items():
                if not k.startswith("SERVED"):
                    continue
                rating = attrs.get("rating")
                if attrs.get("outcome") == "failed" or (
                    isinstance(rating, int | float) and rating <= FAILED_RATING
                ):
                    add(key_of(x), ent, "failed")
        for v, keyed in succ[n].items():
            deal = any(k.startswith("DEAL") for k in keyed)
            if v.startswith("Expert:") and deal:
                add(key_of(v), ent, "deal")
            elif v.startswith("Institution:") and deal:
                for x in experts_of(v):
                    add(x, ent, "employer")
            elif v.startswith("Achievement:") and (deal or "OWNS" in keyed):
                exps, insts = owners(v)
                for x in exps:
                    add(x, ent, "deal" if deal else "employer")
                for inst in insts:
                    for x in experts_of(inst):
                        add(x, ent, "employer")
    for expert, ent in declared:
        out[(expert, ent)] = "declared"
    return out


CONFLICT_WORDS: Mapping[str, str] = {
    "failed": "曾服务失败或评价差",
    "deal": "与企业有技术交易",
    "employer": "所在单位与企业有交易或共有成果",
    "declared": "已申报回避",
}
