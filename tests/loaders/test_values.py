"""Values: each bad cell rejects its row with the right line, column and reason, and nothing
else changes. Every case appends one row (a valid template with one cell broken) to a mini file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.loaders.validate import uscc_check_char
from tests.loaders.conftest import MINI_ROWS, Loader, State, append_row, expect

CREDIT = "91451121MA5K00091H"  # a valid unified social credit code
assert uscc_check_char(CREDIT[:17]) == CREDIT[17]

# A valid new row for every file; the keywords are terms the mini dataset already has.
TEMPLATES: dict[str, dict[str, str]] = {
    "cities.csv": {"code": "450300", "name": "桂林市"},
    "counties.csv": {
        "code": "451122",
        "name": "钟山县",
        "city_code": "451100",
        "poverty_county": "否",
    },
    "industries.csv": {"code": "3091", "name": "石墨及碳素制品制造", "parent_code": "309"},
    "subgroups.csv": {"key": "SG-NLYM", "name": "农林渔牧", "industry_codes": "C"},
    "institutions.csv": {
        "key": "INST-GXU",
        "name": "广西大学",
        "kind": "university",
        "city_code": "451100",
    },
    "experts.csv": {
        "key": "EXP-9",
        "name": "赵六",
        "institution_key": "INST-HZXY",
        "city_code": "451100",
        "subgroup_keys": "SG-KJCX",
        "industry_codes": "309",
        "keywords": "超细粉碎",
        "commissioner": "否",
        "capacity": "2",
    },
    "enterprises.csv": {
        "key": "ENT-9",
        "name": "钟山县新材料有限公司",
        "credit_code": CREDIT,
        "county_code": "451121",
        "industry_codes": "309",
        "size": "small",
        "high_tech": "否",
        "benchmark": "是",
        "rd_staff": "3",
        "rd_platform": "否",
        "rd_spend_wan": "12.5",
        "founded_year": "2015",
    },
    "demands.csv": {
        "key": "DEM-9",
        "enterprise_key": "ENT-1",
        "title": "石粉超细粉碎",
        "keywords": "超细粉碎",
        "posted_on": "2024-06-01",
        "status": "open",
        "budget_wan": "10",
    },
    "achievements.csv": {
        "key": "ACH-9",
        "title": "超细粉碎设备",
        "kind": "patent",
        "owner_expert_key": "EXP-1",
        "keywords": "超细粉碎",
        "maturity": "5",
        "price_wan": "10",
        "listed_on": "2023-01-01",
    },
    "trainings.csv": {
        "key": "TRN-9",
        "title": "汽车产业线上培训",
        "held_on": "2024-05-01",
        "city_code": "450200",
        "kind": "online",
        "attendees": "20",
    },
    "service_records.csv": {
        "expert_key": "EXP-2",
        "enterprise_key": "ENT-1",
        "role": "consultant",
        "start_on": "2024-01-01",
        "end_on": "2024-02-01",
        "demand_key": "DEM-1",
        "rating": "4",
        "outcome": "solved",
    },
    "pairings.csv": {
        "institution_key": "INST-GXKJ",
        "enterprise_key": "ENT-3",
        "program": "千企科技创新工程",
        "since": "2022-01-01",
    },
    "deals.csv": {
        "key": "DEAL-9",
        "enterprise_key": "ENT-2",
        "achievement_key": "ACH-3",
        "stage": "intention",
        "amount_wan": "5",
        "signed_on": "2024-02-02",
    },
    "collaborations.csv": {
        "expert_key_a": "EXP-2",
        "expert_key_b": "EXP-3",
        "kind": "other",
        "count": "2",
        "since": "2021-01-01",
    },
    "training_attendance.csv": {
        "training_key": "TRN-1",
        "enterprise_key": "ENT-3",
        "attendees": "4",
    },
}

ONE_OF = "one of"
BOOL = ["true/false", "是/否"]
ISO = ["YYYY-MM-DD"]
CASES: list[tuple[str, str, str, list[str]]] = [
    # enums
    ("institutions.csv", "kind", "college", [ONE_OF, "university, institute", "'college'"]),
    ("enterprises.csv", "size", "huge", [ONE_OF, "micro, small, medium, large", "'huge'"]),
    ("enterprises.csv", "size", "Small", [ONE_OF, "'Small'"]),
    ("demands.csv", "status", "pending", [ONE_OF, "open", "'pending'"]),
    ("achievements.csv", "kind", "paper", [ONE_OF, "patent", "'paper'"]),
    ("trainings.csv", "kind", "lecture", [ONE_OF, "study_point", "'lecture'"]),
    ("service_records.csv", "role", "boss", [ONE_OF, "commissioner", "'boss'"]),
    ("service_records.csv", "outcome", "done", [ONE_OF, "solved", "'done'"]),
    ("deals.csv", "stage", "signed", [ONE_OF, "intention, contract", "'signed'"]),
    ("collaborations.csv", "kind", "friend", [ONE_OF, "coauthor", "'friend'"]),
    # bools
    ("counties.csv", "poverty_county", "maybe", [*BOOL, "'maybe'"]),
    ("experts.csv", "commissioner", "2", [*BOOL, "'2'"]),
    ("enterprises.csv", "high_tech", "是的", [*BOOL, "'是的'"]),
    ("enterprises.csv", "rd_platform", "x", [*BOOL, "'x'"]),
    # dates
    ("demands.csv", "posted_on", "2024-13-01", ["not a real date", "'2024-13-01'"]),
    ("demands.csv", "posted_on", "2024/01/01", [*ISO, "'2024/01/01'"]),
    ("demands.csv", "posted_on", "20240101", [*ISO, "'20240101'"]),
    ("achievements.csv", "listed_on", "2023-02-30", ["not a real date", "'2023-02-30'"]),
    ("service_records.csv", "start_on", "2024-1-5", [*ISO, "'2024-1-5'"]),
    ("service_records.csv", "end_on", "2024-03-01T10:00", [*ISO]),
    ("pairings.csv", "since", "去年", [*ISO, "'去年'"]),
    ("trainings.csv", "held_on", "２０２４-０５-０１", [*ISO]),
    # whole numbers and numbers
    ("experts.csv", "capacity", "three", ["whole number", "'three'"]),
    ("experts.csv", "capacity", "2.5", ["whole number", "'2.5'"]),
    ("experts.csv", "capacity", "-1", ["at least 0", "'-1'"]),
    ("enterprises.csv", "rd_staff", "1e3", ["whole number", "'1e3'"]),
    ("enterprises.csv", "rd_spend_wan", "12,5", ["must be a number", "'12,5'"]),
    ("enterprises.csv", "rd_spend_wan", "nan", ["finite number", "'nan'"]),
    ("enterprises.csv", "rd_spend_wan", "-inf", ["finite number"]),
    ("enterprises.csv", "founded_year", "1700", ["at least 1800", "'1700'"]),
    ("enterprises.csv", "founded_year", "2101", ["at most 2100", "'2101'"]),
    ("service_records.csv", "rating", "6", ["at least 1 and at most 5", "'6'"]),
    ("service_records.csv", "rating", "0", ["at least 1 and at most 5", "'0'"]),
    ("service_records.csv", "rating", "4.5", ["whole number", "'4.5'"]),
    ("achievements.csv", "maturity", "0", ["at least 1 and at most 9", "'0'"]),
    ("achievements.csv", "maturity", "10", ["at most 9", "'10'"]),
    ("achievements.csv", "price_wan", "-3", ["at least 0", "'-3'"]),
    ("collaborations.csv", "count", "0", ["at least 1", "'0'"]),
    ("training_attendance.csv", "attendees", "-1", ["at least 0", "'-1'"]),
    ("trainings.csv", "attendees", "二十", ["whole number", "'二十'"]),
    ("deals.csv", "amount_wan", "约5万", ["must be a number", "'约5万'"]),
    # codes
    ("cities.csv", "code", "4503", ["pattern", r"^\d{6}$", "'4503'"]),
    ("cities.csv", "code", "45030a", ["pattern", "'45030a'"]),
    ("counties.csv", "code", "4511220", ["pattern", "'4511220'"]),
    ("counties.csv", "code", "４５１１２２", ["pattern", "'４５１１２２'"]),  # full-width digits
    ("industries.csv", "code", "3A", ["pattern", "[A-T]", "'3A'"]),
    ("industries.csv", "code", "c", ["pattern", "'c'"]),
    ("industries.csv", "code", "U", ["pattern", "'U'"]),
    ("industries.csv", "code", "30911", ["pattern", "'30911'"]),
    ("industries.csv", "code", "３０", ["pattern", "'３０'"]),
    (
        "enterprises.csv",
        "credit_code",
        CREDIT[:17] + "J",
        ["check character is 'J'", "expected 'H'"],
    ),
    ("enterprises.csv", "credit_code", "91451121MA5K0009IH", ["pattern", "'91451121MA5K0009IH'"]),
    ("enterprises.csv", "credit_code", CREDIT[:17], ["pattern"]),
    ("enterprises.csv", "credit_code", CREDIT.lower(), ["pattern"]),
    # missing required values
    ("cities.csv", "name", "", ["a required value is missing"]),
    ("experts.csv", "name", " ", ["a required value is missing"]),
    ("experts.csv", "key", "", ["a required value is missing"]),
    ("demands.csv", "title", "  \t ", ["a required value is missing"]),
    ("demands.csv", "enterprise_key", "", ["a required value is missing"]),
    ("counties.csv", "city_code", "", ["a required value is missing"]),
    ("institutions.csv", "kind", "", ["a required value is missing"]),
    ("enterprises.csv", "county_code", "", ["a required value is missing"]),
    ("deals.csv", "stage", "", ["a required value is missing"]),
    ("deals.csv", "key", "", ["a required value is missing"]),
    ("service_records.csv", "expert_key", "", ["a required value is missing"]),
    ("collaborations.csv", "expert_key_b", "", ["a required value is missing"]),
    ("training_attendance.csv", "training_key", "", ["a required value is missing"]),
    ("pairings.csv", "institution_key", "", ["a required value is missing"]),
    ("subgroups.csv", "name", "", ["a required value is missing"]),
    ("trainings.csv", "title", "", ["a required value is missing"]),
]


def test_templates_are_valid(dataset: Path, load: Loader) -> None:
    for name, row in TEMPLATES.items():
        append_row(dataset, name, **row)
    loaded = load(dataset)
    assert loaded.report.rejects == []
    assert {f.file: f.loaded for f in loaded.report.files} == {
        name: n + 1 for name, n in MINI_ROWS.items()
    }
    assert loaded.node("Enterprise:ENT-9")["credit_code"] == CREDIT  # type: ignore[index]
    assert loaded.node("Industry:3091") == {
        "code": "3091",
        "name": "石墨及碳素制品制造",
        "tags": [],
    }


@pytest.mark.parametrize(
    ("name", "column", "value", "words"),
    CASES,
    ids=[f"{n.split('.')[0]}-{c}-{v!r}" for n, c, v, _ in CASES],
)
def test_bad_value_rejects_its_row_only(
    dataset: Path,
    load: Loader,
    mini_state: Callable[[], State],
    name: str,
    column: str,
    value: str,
    words: list[str],
) -> None:
    line = append_row(dataset, name, **{**TEMPLATES[name], column: value})
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={name: MINI_ROWS[name] + 1},
        rejects=[(name, line, column, words)],
    )


def test_several_bad_cells_in_one_row_are_all_reported(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    row = {**TEMPLATES["experts.csv"], "name": "", "commissioner": "maybe", "capacity": "-2"}
    line = append_row(dataset, "experts.csv", **row)
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"experts.csv": 5},
        rejects=[
            ("experts.csv", line, "name", ["missing"]),
            ("experts.csv", line, "commissioner", ["'maybe'"]),
            ("experts.csv", line, "capacity", ["at least 0"]),
        ],
    )
    assert loaded.file("experts.csv").rejected == 1  # one row, three reasons
