"""Coverage: exact figures on a canonical graph, and every figure and gap recounted from the
raw CSV files of the demo dataset with the csv module."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.algorithms.coverage import AnalyticsError, Coverage, coverage, gap_pressure
from tests.analytics.conftest import TODAY, GraphBuilder, items, read_csv, truthy


def _canonical() -> GraphBuilder:
    b = GraphBuilder()
    b.node("City", "C1").node("City", "C2")
    for county, city, poor in (("K1", "C1", True), ("K2", "C1", False), ("K3", "C2", True)):
        b.node("County", county, poverty_county=poor).rel(
            f"County:{county}", f"City:{city}", "IN_CITY"
        )
    b.node("Industry", "01").node("Industry", "011").node("Industry", "02")
    b.rel("Industry:011", "Industry:01", "SUBCLASS_OF")
    for key, county, props in (
        ("E1", "K1", {"benchmark": True, "rd_staff": 0}),
        ("E2", "K2", {"benchmark": True, "rd_staff": 5}),
        ("E3", "K3", {"benchmark": False, "rd_platform": False, "rd_spend_wan": 0.0}),
        ("E4", "K3", {"benchmark": True, "rd_spend_wan": 2.5}),
    ):
        b.node("Enterprise", key, **props).rel(
            f"Enterprise:{key}", f"County:{county}", "LOCATED_IN"
        )
    b.node("Institution", "I").rel("Institution:I", "Enterprise:E2", "PAIRED_WITH")
    b.experts(["X"], commissioner=True).experts(["Y", "Z"], commissioner=False)
    b.rel("Expert:X", "City:C1", "BASED_IN").rel("Expert:Y", "City:C2", "BASED_IN")
    b.rel("Expert:X", "Industry:011", "EXPERT_IN").rel("Expert:Y", "Industry:01", "EXPERT_IN")
    b.rel("Expert:Z", "Industry:02", "EXPERT_IN")
    b.served("X", "E1", "commissioner", "2024-01-01")  # ongoing in K1
    b.served("X", "E2", "commissioner", "2023-01-01", "2023-12-31")  # over
    b.served("Y", "E3", "visit", "2024-05-01", "2024-12-31")  # ongoing in K3, no commissioner
    b.served("X", "E4", "commissioner", "2025-01-01")  # not started yet
    for key, ent, status, code in (
        ("D1", "E3", "open", "01"),
        ("D2", "E3", "open", "01"),
        ("D3", "E4", None, "02"),  # no status: open
        ("D4", "E1", "solved", "011"),
        ("D5", "E2", "open", "011"),
    ):
        b.node("Demand", key, **({"status": status} if status else {}))
        b.rel(f"Enterprise:{ent}", f"Demand:{key}", "POSTED")
        b.rel(f"Demand:{key}", f"Industry:{code}", "CONCERNS")
    return b


def test_canonical_figures_are_exact() -> None:
    c = coverage(_canonical().g, today="2024-06-30")
    assert (c.benchmark_total, c.benchmark_paired) == (3, 1)
    assert c.pairing_coverage == pytest.approx(1 / 3)
    assert c.unpaired_benchmarks == ("E1", "E4")
    assert (c.counties_total, c.counties_with_commissioner) == (3, 1)
    assert c.counties_without_commissioner == ("K2", "K3")
    assert (c.poverty_counties_total, c.poverty_counties_with_commissioner) == (2, 1)
    assert (c.poverty_counties_served, c.poverty_served_coverage) == (2, 1.0)
    assert c.three_no == ("E1", "E3") and c.three_no_benchmark == 1 and c.three_no_share == 0.5
    # Industries: 02 has one open demand and Z; 01 two and X (below it) and Y; 011 one and
    # X and Y (above it).
    assert [(g.key, g.open_demands, g.experts, g.commissioners) for g in c.industry_gaps] == [
        ("01", 2, 2, 1),
        ("02", 1, 1, 0),
        ("011", 1, 2, 1),
    ]
    assert [g.rank for g in c.industry_gaps] == [1, 2, 3]
    assert c.industry_gaps[0].pressure == pytest.approx(2 / 3)
    # Counties: K3 has three open demands, Y based in C2 and serving there; K2 one, X in C1.
    assert [(g.key, g.open_demands, g.experts, g.commissioners) for g in c.county_gaps] == [
        ("K3", 3, 1, 0),
        ("K2", 1, 1, 1),
    ]


def test_a_later_day_changes_what_is_ongoing() -> None:
    c = coverage(_canonical().g, today="2025-06-30")
    # X's stay at E4 (K3) has started, Y's visit is over.
    assert c.counties_with_commissioner == 2 and c.poverty_counties_served == 2
    assert coverage(_canonical().g, today="2020-01-01").counties_with_commissioner == 0
    with pytest.raises(AnalyticsError, match="ISO"):
        coverage(_canonical().g, today="30/06/2024")


def test_gap_pressure_rule() -> None:
    assert gap_pressure(10, 4) == 2.0
    assert gap_pressure(1, 0) == 1.0


@pytest.fixture(scope="module")
def gx_coverage(gx_view: nx.MultiDiGraph) -> Coverage:
    return coverage(gx_view, today=TODAY)


def test_pairing_and_three_no_recounted(gx_dir: Path, gx_coverage: Coverage) -> None:
    enterprises = read_csv(gx_dir, "enterprises")
    paired = {r["enterprise_key"] for r in read_csv(gx_dir, "pairings")}
    benchmarks = {r["key"] for r in enterprises if truthy(r["benchmark"])}
    assert gx_coverage.enterprises == len(enterprises)
    assert gx_coverage.benchmark_total == len(benchmarks) > 0
    assert gx_coverage.benchmark_paired == len(benchmarks & paired) > 0
    assert gx_coverage.pairing_coverage == pytest.approx(len(benchmarks & paired) / len(benchmarks))
    assert set(gx_coverage.unpaired_benchmarks) == benchmarks - paired

    def no_rd(r: dict[str, str]) -> bool:
        return (
            float(r["rd_staff"] or 0) == 0
            and not truthy(r["rd_platform"])
            and float(r["rd_spend_wan"] or 0) == 0
        )

    three = {r["key"] for r in enterprises if no_rd(r)}
    assert set(gx_coverage.three_no) == three and three
    assert gx_coverage.three_no_benchmark == len(three & benchmarks)
    assert gx_coverage.three_no_share == pytest.approx(len(three) / len(enterprises))


def _ongoing(r: dict[str, str]) -> bool:
    return (not r["end_on"] or r["end_on"] >= TODAY) and (
        not r["start_on"] or r["start_on"] <= TODAY
    )


def test_county_coverage_recounted(gx_dir: Path, gx_coverage: Coverage) -> None:
    counties = read_csv(gx_dir, "counties")
    poverty = {r["code"] for r in counties if truthy(r["poverty_county"])}
    county_of = {r["key"]: r["county_code"] for r in read_csv(gx_dir, "enterprises")}
    commissioners = {r["key"] for r in read_csv(gx_dir, "experts") if truthy(r["commissioner"])}
    ongoing = [r for r in read_csv(gx_dir, "service_records") if _ongoing(r)]
    with_commissioner = {
        county_of[r["enterprise_key"]] for r in ongoing if r["expert_key"] in commissioners
    }
    served = {county_of[r["enterprise_key"]] for r in ongoing}
    assert gx_coverage.as_of == TODAY
    assert gx_coverage.counties_total == len(counties)
    assert gx_coverage.counties_with_commissioner == len(with_commissioner)
    assert 0 < len(with_commissioner) < len(counties)  # the day makes it a real test
    assert gx_coverage.commissioner_coverage == pytest.approx(
        len(with_commissioner) / len(counties)
    )
    assert (
        set(gx_coverage.counties_without_commissioner)
        == {r["code"] for r in counties} - with_commissioner
    )
    assert gx_coverage.poverty_counties_total == len(poverty) > 0
    assert gx_coverage.poverty_counties_with_commissioner == len(poverty & with_commissioner)
    assert gx_coverage.poverty_counties_served == len(poverty & served)
    assert gx_coverage.poverty_served_coverage == pytest.approx(
        len(poverty & served) / len(poverty)
    )


def _open_demands(gx_dir: Path) -> list[dict[str, str]]:
    return [r for r in read_csv(gx_dir, "demands") if (r["status"] or "open") == "open"]


def _ranked(
    rows: dict[str, tuple[int, set[str]]], commissioners: set[str]
) -> list[tuple[str, int, int, int]]:
    out = [(k, o, len(e), len(e & commissioners)) for k, (o, e) in rows.items() if o > 0]
    return sorted(out, key=lambda r: (-r[1] / (r[2] + 1), -r[1], r[0]))


def test_industry_gaps_recounted(gx_dir: Path, gx_coverage: Coverage) -> None:
    experts = read_csv(gx_dir, "experts")
    commissioners = {r["key"] for r in experts if truthy(r["commissioner"])}
    ent_industries = {r["key"]: items(r["industry_codes"]) for r in read_csv(gx_dir, "enterprises")}
    parent = {
        r["code"]: r["parent_code"] for r in read_csv(gx_dir, "industries") if r["parent_code"]
    }

    def above(code: str) -> set[str]:
        out = set()
        while code in parent:
            code = parent[code]
            out.add(code)
        return out

    experts_in: dict[str, set[str]] = defaultdict(set)
    for r in experts:
        for code in items(r["industry_codes"]):
            experts_in[code].add(r["key"])
    open_count: dict[str, int] = defaultdict(int)
    for r in _open_demands(gx_dir):
        for code in set(items(r["industry_codes"]) or ent_industries[r["enterprise_key"]]):
            open_count[code] += 1
    rows: dict[str, tuple[int, set[str]]] = {}
    for code, n in open_count.items():
        related = {code} | above(code) | {c for c in parent if code in above(c)}
        rows[code] = (n, set().union(*(experts_in[c] for c in related)))
    expected = _ranked(rows, commissioners)
    got = [(g.key, g.open_demands, g.experts, g.commissioners) for g in gx_coverage.industry_gaps]
    assert got == expected and len(got) > 5
    assert [g.pressure for g in gx_coverage.industry_gaps] == sorted(
        (g.pressure for g in gx_coverage.industry_gaps), reverse=True
    )


def test_county_gaps_recounted(gx_dir: Path, gx_coverage: Coverage) -> None:
    experts = read_csv(gx_dir, "experts")
    commissioners = {r["key"] for r in experts if truthy(r["commissioner"])}
    city_of = {r["code"]: r["city_code"] for r in read_csv(gx_dir, "counties")}
    county_of = {r["key"]: r["county_code"] for r in read_csv(gx_dir, "enterprises")}
    based: dict[str, set[str]] = defaultdict(set)
    for r in experts:
        if r["city_code"]:
            based[r["city_code"]].add(r["key"])
    serving: dict[str, set[str]] = defaultdict(set)
    for r in read_csv(gx_dir, "service_records"):
        if _ongoing(r):
            serving[county_of[r["enterprise_key"]]].add(r["expert_key"])
    open_count: dict[str, int] = defaultdict(int)
    for r in _open_demands(gx_dir):
        open_count[county_of[r["enterprise_key"]]] += 1
    rows = {c: (n, based[city_of[c]] | serving[c]) for c, n in open_count.items()}
    expected = _ranked(rows, commissioners)
    got = [(g.key, g.open_demands, g.experts, g.commissioners) for g in gx_coverage.county_gaps]
    assert got == expected and len(got) > 5
