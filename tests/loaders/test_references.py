"""References: dangling keys in every kind of column, cascades from rejected rows, forward
references within a file, and the rules that tie several columns of a row together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.loaders.conftest import (
    MINI_ROWS,
    Loader,
    State,
    append_row,
    expect,
    read_rows,
    set_cells,
    write_rows,
)
from tests.loaders.test_values import TEMPLATES

NO = "refers to no"
DANGLING: list[tuple[str, dict[str, str], str, list[str]]] = [
    # node reference
    (
        "experts.csv",
        {"institution_key": "INST-NONE"},
        "institution_key",
        ["'INST-NONE'", f"{NO} Institution"],
    ),
    ("experts.csv", {"city_code": "450300"}, "city_code", ["'450300'", f"{NO} City"]),
    ("counties.csv", {"city_code": "450300"}, "city_code", ["'450300'", f"{NO} City"]),
    ("enterprises.csv", {"county_code": "451199"}, "county_code", [f"{NO} County"]),
    ("trainings.csv", {"city_code": "459900"}, "city_code", [f"{NO} City"]),
    ("industries.csv", {"parent_code": "31"}, "parent_code", ["'31'", f"{NO} Industry"]),
    # list reference with one bad item
    ("experts.csv", {"industry_codes": "309;999"}, "industry_codes", ["'999'", f"{NO} Industry"]),
    (
        "experts.csv",
        {"subgroup_keys": "SG-KJCX；SG-XX"},
        "subgroup_keys",
        ["'SG-XX'", f"{NO} Subgroup"],
    ),
    ("subgroups.csv", {"industry_codes": "C;Z"}, "industry_codes", ["'Z'", f"{NO} Industry"]),
    ("enterprises.csv", {"industry_codes": "30;309;3099"}, "industry_codes", ["'3099'"]),
    ("demands.csv", {"industry_codes": "36;37"}, "industry_codes", ["'37'"]),
    ("achievements.csv", {"industry_codes": " ;367;38"}, "industry_codes", ["'38'"]),
    # reverse references
    (
        "demands.csv",
        {"enterprise_key": "ENT-404"},
        "enterprise_key",
        ["'ENT-404'", f"{NO} Enterprise"],
    ),
    ("achievements.csv", {"owner_expert_key": "EXP-404"}, "owner_expert_key", [f"{NO} Expert"]),
    (
        "achievements.csv",
        {"owner_expert_key": "", "owner_enterprise_key": "ENT-404"},
        "owner_enterprise_key",
        [f"{NO} Enterprise"],
    ),
    (
        "achievements.csv",
        {"owner_institution_key": "INST-404"},
        "owner_institution_key",
        [f"{NO} Institution"],
    ),
    # relationship files: source and target columns
    ("service_records.csv", {"expert_key": "EXP-404"}, "expert_key", ["'EXP-404'", f"{NO} Expert"]),
    ("service_records.csv", {"enterprise_key": "ENT-404"}, "enterprise_key", [f"{NO} Enterprise"]),
    ("service_records.csv", {"demand_key": "DEM-404"}, "demand_key", ["'DEM-404'", f"{NO} Demand"]),
    ("pairings.csv", {"institution_key": "INST-404"}, "institution_key", [f"{NO} Institution"]),
    ("pairings.csv", {"enterprise_key": "ENT-404"}, "enterprise_key", [f"{NO} Enterprise"]),
    ("deals.csv", {"enterprise_key": "ENT-404"}, "enterprise_key", [f"{NO} Enterprise"]),
    ("deals.csv", {"achievement_key": "ACH-404"}, "achievement_key", [f"{NO} Achievement"]),
    ("deals.csv", {"expert_key": "EXP-404"}, "expert_key", [f"{NO} Expert"]),
    ("deals.csv", {"institution_key": "INST-404"}, "institution_key", [f"{NO} Institution"]),
    ("collaborations.csv", {"expert_key_a": "EXP-404"}, "expert_key_a", [f"{NO} Expert"]),
    ("collaborations.csv", {"expert_key_b": "EXP-404"}, "expert_key_b", [f"{NO} Expert"]),
    ("training_attendance.csv", {"training_key": "TRN-404"}, "training_key", [f"{NO} Training"]),
    (
        "training_attendance.csv",
        {"enterprise_key": "ENT-404"},
        "enterprise_key",
        [f"{NO} Enterprise"],
    ),
    # keys are case- and space-sensitive inside (only the ends are trimmed)
    ("experts.csv", {"institution_key": "inst-hzxy"}, "institution_key", ["'inst-hzxy'"]),
    ("pairings.csv", {"enterprise_key": "ENT 1"}, "enterprise_key", ["'ENT 1'"]),
]


@pytest.mark.parametrize(
    ("name", "change", "column", "words"),
    DANGLING,
    ids=[f"{n.split('.')[0]}-{c}-{i}" for i, (n, _, c, _) in enumerate(DANGLING)],
)
def test_dangling_reference_rejects_its_row_only(
    dataset: Path,
    load: Loader,
    mini_state: Callable[[], State],
    name: str,
    change: dict[str, str],
    column: str,
    words: list[str],
) -> None:
    line = append_row(dataset, name, **{**TEMPLATES[name], **change})
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={name: MINI_ROWS[name] + 1},
        rejects=[(name, line, column, words)],
    )


def test_rejected_enterprise_takes_its_demand_and_relationships_with_it(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    set_cells(dataset, "enterprises.csv", 3, county_code="459999")  # ENT-2
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rejects=[
            ("enterprises.csv", 3, "county_code", ["'459999' refers to no County"]),
            ("demands.csv", 3, "enterprise_key", ["'ENT-2' refers to no Enterprise"]),
            ("service_records.csv", 2, "enterprise_key", ["'ENT-2' refers to no Enterprise"]),
            ("training_attendance.csv", 3, "enterprise_key", ["'ENT-2'"]),
        ],
        drop_nodes=["Enterprise:ENT-2", "Demand:DEM-2"],
    )


def test_cascade_through_a_chain_of_industries(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    # 36 loses its parent; 367 (under 36) goes too, and with it whatever names 367 only.
    set_cells(dataset, "industries.csv", 5, parent_code="D")
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rejects=_industry_chain_rejects(),
        drop_nodes=_industry_chain_nodes(),
        drop_edges=[("Enterprise:ENT-3", "Institution:INST-GXKJ", "DEAL|DEAL-2")],
    )


def _industry_chain_rejects() -> list[tuple[str, int, str, list[str]]]:
    return [
        ("industries.csv", 5, "parent_code", ["'D' refers to no Industry"]),
        ("industries.csv", 6, "parent_code", ["'36' refers to no Industry"]),
        ("subgroups.csv", 2, "industry_codes", ["'36' refers to no Industry"]),  # SG-KJCX
        ("experts.csv", 2, "subgroup_keys", ["'SG-KJCX' refers to no Subgroup"]),
        ("experts.csv", 4, "subgroup_keys", ["'SG-KJCX'"]),
        ("experts.csv", 5, "subgroup_keys", ["'SG-KJCX'"]),
        ("enterprises.csv", 4, "industry_codes", ["'367' refers to no Industry"]),
        ("demands.csv", 4, "enterprise_key", ["'ENT-3' refers to no Enterprise"]),
        ("achievements.csv", 3, "owner_expert_key", ["'EXP-3' refers to no Expert"]),
        ("service_records.csv", 2, "expert_key", ["'EXP-1' refers to no Expert"]),
        ("service_records.csv", 3, "expert_key", ["'EXP-3' refers to no Expert"]),
        ("service_records.csv", 4, "expert_key", ["'EXP-1' refers to no Expert"]),
        ("deals.csv", 3, "enterprise_key", ["'ENT-3' refers to no Enterprise"]),
        ("collaborations.csv", 2, "expert_key_a", ["'EXP-1' refers to no Expert"]),
        ("collaborations.csv", 3, "expert_key_a", ["'EXP-3' refers to no Expert"]),
    ]


def _industry_chain_nodes() -> list[str]:
    return [
        "Industry:36",
        "Industry:367",
        "Subgroup:SG-KJCX",
        "Expert:EXP-1",
        "Expert:EXP-3",
        "Expert:EXP-4",
        "Enterprise:ENT-3",
        "Demand:DEM-3",
        "Achievement:ACH-2",
    ]


def test_parents_later_in_the_file_load(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    header, rows = read_rows(dataset, "industries.csv")
    write_rows(dataset, "industries.csv", header, rows[::-1])  # every child before its parent
    loaded = load(dataset)
    expect(loaded, mini_state())
    assert set(loaded.targets("Industry:367", "SUBCLASS_OF")) == {"Industry:36"}


def test_forward_parent_that_is_rejected_later_rejects_the_child(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    header, rows = read_rows(dataset, "industries.csv")
    rows.insert(1, {"code": "3011", "name": "水泥制造子类", "parent_code": "301"})  # line 3
    rows.append({"code": "301", "name": "", "parent_code": "30"})  # line 8: no name
    write_rows(dataset, "industries.csv", header, rows)
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"industries.csv": 7},
        rejects=[
            ("industries.csv", 8, "name", ["missing"]),
            ("industries.csv", 3, "parent_code", ["'301' refers to no Industry"]),
        ],
    )


def test_deal_without_counterparty(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    row = {**TEMPLATES["deals.csv"], "achievement_key": " "}
    line = append_row(dataset, "deals.csv", **row)
    expect(
        load(dataset),
        mini_state(),
        rows={"deals.csv": 3},
        rejects=[
            (
                "deals.csv",
                line,
                "achievement_key",
                ["at least one of achievement_key, expert_key, institution_key"],
            )
        ],
    )


def test_achievement_without_owner(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    line = append_row(
        dataset, "achievements.csv", **{**TEMPLATES["achievements.csv"], "owner_expert_key": ""}
    )
    expect(
        load(dataset),
        mini_state(),
        rows={"achievements.csv": 4},
        rejects=[
            (
                "achievements.csv",
                line,
                "owner_expert_key",
                ["at least one of", "owner_enterprise_key"],
            )
        ],
    )


def test_self_collaboration(dataset: Path, load: Loader, mini_state: Callable[[], State]) -> None:
    row = {**TEMPLATES["collaborations.csv"], "expert_key_a": "EXP-2", "expert_key_b": " EXP-2"}
    line = append_row(dataset, "collaborations.csv", **row)
    expect(
        load(dataset),
        mini_state(),
        rows={"collaborations.csv": 3},
        rejects=[
            ("collaborations.csv", line, "expert_key_b", ["cannot collaborate with themself"])
        ],
    )


def test_end_before_start(dataset: Path, load: Loader, mini_state: Callable[[], State]) -> None:
    row = {**TEMPLATES["service_records.csv"], "start_on": "2024-05-01", "end_on": "2024-04-30"}
    line = append_row(dataset, "service_records.csv", **row)
    expect(
        load(dataset),
        mini_state(),
        rows={"service_records.csv": 4},
        rejects=[
            ("service_records.csv", line, "end_on", ["2024-04-30 is before start_on 2024-05-01"])
        ],
    )


def test_same_day_service_and_open_ended_service_load(dataset: Path, load: Loader) -> None:
    append_row(
        dataset,
        "service_records.csv",
        **{**TEMPLATES["service_records.csv"], "end_on": "2024-01-01"},
    )
    append_row(
        dataset,
        "service_records.csv",
        **{**TEMPLATES["service_records.csv"], "start_on": "2024-03-01", "end_on": ""},
    )
    loaded = load(dataset)
    assert loaded.report.rejects == []
    served = loaded.store.neighbours("Expert", ["EXP-2"], "SERVED")[0]
    assert sorted((r["start_on"], r.get("end_on")) for _, _, r in served) == [
        ("2024-01-01", "2024-01-01"),
        ("2024-03-01", None),
    ]
