"""Coverage of the programme: pairings of benchmark enterprises, commissioners in counties,
service in poverty counties, "three-no" enterprises, and the gaps, ranked.

Definitions (docs/analytics.md gives the reasons):

- a benchmark enterprise is *paired* when an institution is `PAIRED_WITH` it;
- a county has an *active commissioner* when an expert flagged ``commissioner`` has an
  ongoing `SERVED` record (any role) with an enterprise `LOCATED_IN` it; ongoing at `today`
  means started, and no end date or one not yet passed;
- a poverty county is *served* when any expert has an ongoing `SERVED` record there;
- a *three-no* enterprise has no R&D staff (0 or absent), no R&D platform (false or absent)
  and no R&D spending (0 or absent);
- a *gap* is an industry or county with open demands and few experts within reach. Within
  reach of an industry: experts in it, in an industry below it or in one above it; of a
  county: experts based in its city, and experts serving in it now. Gaps are ranked by
  pressure ``open demands / (experts within reach + 1)``, then by open demands, then by code.
  An industry's open demands are those concerning it directly; a county's, those posted by
  its enterprises.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("County:450101", code="450101", name="甲县", poverty_county=True)
>>> g.add_node("County:450102", code="450102", name="乙县", poverty_county=False)
>>> g.add_node("Enterprise:E1", key="E1", benchmark=True, rd_staff=0)
>>> g.add_node("Enterprise:E2", key="E2", benchmark=True, rd_staff=3)
>>> g.add_node("Expert:X", key="X", commissioner=True)
>>> g.add_node("Institution:I", key="I")
>>> _ = g.add_edge("Enterprise:E1", "County:450101", "LOCATED_IN")
>>> _ = g.add_edge("Enterprise:E2", "County:450102", "LOCATED_IN")
>>> _ = g.add_edge("Institution:I", "Enterprise:E2", "PAIRED_WITH")
>>> _ = g.add_edge("Expert:X", "Enterprise:E1", "SERVED|commissioner|2024-01-01",
...                role="commissioner", start_on="2024-01-01")
>>> c = coverage(g, today="2024-06-01")
>>> c.benchmark_paired, c.pairing_coverage, c.counties_with_commissioner, c.poverty_served_coverage
(1, 0.5, 1, 1.0)
>>> c.three_no
('E1',)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from graphsvc.algorithms._analytics import (
    AnalyticsError,
    ancestors,
    collect,
    descendants,
    industry_parents,
    is_ongoing,
    share,
    without_gc,
)

__all__ = ["AnalyticsError", "Coverage", "Gap", "coverage", "gap_pressure", "three_no"]


def three_no(props: Mapping[str, object]) -> bool:
    """A "three-no" enterprise: no R&D staff, no R&D platform, no R&D spending.

    >>> three_no({"rd_staff": 0, "rd_platform": False}), three_no({"rd_spend_wan": 1.5})
    (True, False)
    """
    return (
        not props.get("rd_staff") and not props.get("rd_platform") and not props.get("rd_spend_wan")
    )


def gap_pressure(open_demands: int, experts: int) -> float:
    """How pressing a gap is: open demands per expert within reach, plus one.

    >>> gap_pressure(6, 2), gap_pressure(3, 0)
    (2.0, 3.0)
    """
    return open_demands / (experts + 1)


@dataclass(frozen=True)
class Gap:
    """An industry or county with open demands, and the experts within its reach."""

    rank: int
    key: str  # industry or county code
    name: str
    open_demands: int
    experts: int
    commissioners: int  # of the experts within reach, commissioners
    pressure: float


@dataclass(frozen=True)
class Coverage:
    """The programme's coverage at `as_of`, and its gaps ranked (see the module)."""

    as_of: str
    enterprises: int
    benchmark_total: int
    benchmark_paired: int
    pairing_coverage: float
    counties_total: int
    counties_with_commissioner: int
    commissioner_coverage: float
    poverty_counties_total: int
    poverty_counties_with_commissioner: int
    poverty_commissioner_coverage: float
    poverty_counties_served: int
    poverty_served_coverage: float
    three_no: tuple[str, ...] = field(repr=False)  # enterprise keys, sorted
    three_no_benchmark: int
    three_no_share: float  # of all enterprises
    unpaired_benchmarks: tuple[str, ...] = field(repr=False)
    counties_without_commissioner: tuple[str, ...] = field(repr=False)
    industry_gaps: tuple[Gap, ...] = field(repr=False)
    county_gaps: tuple[Gap, ...] = field(repr=False)


def _rank(rows: list[tuple[str, str, int, int, int]]) -> tuple[Gap, ...]:
    scored = sorted(
        ((gap_pressure(o, e), key, name, o, e, c) for key, name, o, e, c in rows if o > 0),
        key=lambda r: (-r[0], -r[3], r[1]),
    )
    return tuple(
        Gap(rank, key, name, o, e, c, p)
        for rank, (p, key, name, o, e, c) in enumerate(scored, start=1)
    )


@without_gc
def coverage(view: nx.MultiDiGraph, *, today: str | None = None) -> Coverage:
    """The coverage figures and the ranked gaps.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The store's read-only view.
    today : str, optional
        The date (ISO 8601) at which services are ongoing; default: today.

    Returns
    -------
    Coverage

    Raises
    ------
    AnalyticsError
        When `today` is not an ISO date.
    """
    if today is None:
        today = dt.date.today().isoformat()
    try:
        dt.date.fromisoformat(today)
    except ValueError:
        raise AnalyticsError(f"`today` must be an ISO date YYYY-MM-DD (got {today!r})") from None
    data = collect(
        view,
        ("Enterprise", "County", "Expert", "Industry", "Demand"),
        (
            "LOCATED_IN",
            "PAIRED_WITH",
            "SERVED",
            "EXPERT_IN",
            "CONCERNS",
            "POSTED",
            "BASED_IN",
            "IN_CITY",
            "SUBCLASS_OF",
        ),
    )
    enterprises = data.nodes["Enterprise"]
    counties = data.nodes["County"]
    experts = data.nodes["Expert"]
    commissioner = {k for k, p in experts.items() if p.get("commissioner")}

    paired = {
        dk
        for sl, _, dl, dk, _ in data.rels["PAIRED_WITH"]
        if sl == "Institution" and dl == "Enterprise"
    }
    benchmarks = sorted(k for k, p in enterprises.items() if p.get("benchmark"))
    benchmark_paired = [k for k in benchmarks if k in paired]

    county_of = {
        sk: dk
        for sl, sk, dl, dk, _ in data.rels["LOCATED_IN"]
        if sl == "Enterprise" and dl == "County" and dk in counties
    }
    with_commissioner: set[str] = set()
    served_now: set[str] = set()
    serving_in: dict[str, set[str]] = defaultdict(set)  # county -> experts serving there now
    for sl, sk, _, dk, props in data.rels["SERVED"]:
        county = county_of.get(dk)
        if sl != "Expert" or county is None or not is_ongoing(props, today):
            continue
        served_now.add(county)
        serving_in[county].add(sk)
        if sk in commissioner:
            with_commissioner.add(county)
    poverty = {k for k, p in counties.items() if p.get("poverty_county")}

    three = tuple(sorted(k for k, p in enterprises.items() if three_no(p)))
    three_benchmark = sum(1 for k in three if enterprises[k].get("benchmark"))

    open_demands = {
        k for k, p in data.nodes["Demand"].items() if (p.get("status") or "open") == "open"
    }
    # Industries: experts in the industry, below it or above it.
    parents = industry_parents(data)
    below = descendants(parents)
    experts_in: dict[str, set[str]] = defaultdict(set)
    for sl, sk, dl, dk, _ in data.rels["EXPERT_IN"]:
        if sl == "Expert" and dl == "Industry":
            experts_in[dk].add(sk)
    open_by_industry: dict[str, int] = defaultdict(int)
    for sl, sk, dl, dk, _ in data.rels["CONCERNS"]:
        if sl == "Demand" and dl == "Industry" and sk in open_demands:
            open_by_industry[dk] += 1
    industry_rows = []
    for code, n_open in open_by_industry.items():
        reach: set[str] = set()
        for c in (code, *below.get(code, ()), *ancestors(code, parents)):
            reach |= experts_in.get(c, set())
        industry_rows.append(
            (code, data.name("Industry", code), n_open, len(reach), len(reach & commissioner))
        )
    # Counties: experts based in the county's city, and experts serving in it now.
    city_of = {sk: dk for sl, sk, dl, dk, _ in data.rels["IN_CITY"] if sl == "County"}
    based_in: dict[str, set[str]] = defaultdict(set)
    for sl, sk, dl, dk, _ in data.rels["BASED_IN"]:
        if sl == "Expert" and dl == "City":
            based_in[dk].add(sk)
    open_by_county: dict[str, int] = defaultdict(int)
    for sl, sk, dl, dk, _ in data.rels["POSTED"]:
        county = county_of.get(sk)
        if sl == "Enterprise" and dl == "Demand" and dk in open_demands and county is not None:
            open_by_county[county] += 1
    county_rows = []
    for code, n_open in open_by_county.items():
        city = city_of.get(code)
        reach = based_in.get(city, set()) if city is not None else set()
        reach = reach | serving_in.get(code, set())
        county_rows.append(
            (code, data.name("County", code), n_open, len(reach), len(reach & commissioner))
        )

    return Coverage(
        as_of=today,
        enterprises=len(enterprises),
        benchmark_total=len(benchmarks),
        benchmark_paired=len(benchmark_paired),
        pairing_coverage=share(len(benchmark_paired), len(benchmarks)),
        counties_total=len(counties),
        counties_with_commissioner=len(with_commissioner),
        commissioner_coverage=share(len(with_commissioner), len(counties)),
        poverty_counties_total=len(poverty),
        poverty_counties_with_commissioner=len(poverty & with_commissioner),
        poverty_commissioner_coverage=share(len(poverty & with_commissioner), len(poverty)),
        poverty_counties_served=len(poverty & served_now),
        poverty_served_coverage=share(len(poverty & served_now), len(poverty)),
        three_no=three,
        three_no_benchmark=three_benchmark,
        three_no_share=share(len(three), len(enterprises)),
        unpaired_benchmarks=tuple(k for k in benchmarks if k not in paired),
        counties_without_commissioner=tuple(sorted(set(counties) - with_commissioner)),
        industry_gaps=_rank(industry_rows),
        county_gaps=_rank(county_rows),
    )
