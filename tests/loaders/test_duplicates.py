"""Duplicates: the first row with a key wins, later ones are rejected naming its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.loaders.conftest import (
    Loader,
    State,
    append_row,
    expect,
    row_of,
)
from tests.loaders.test_values import TEMPLATES


def test_duplicate_key_in_a_node_file(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    # EXP-2 is on line 3; two later rows repeat it, one padded (keys are trimmed).
    first = append_row(
        dataset, "experts.csv", **{**row_of(dataset, "experts.csv", 3), "name": "王芳二"}
    )
    second = append_row(dataset, "experts.csv", **{**TEMPLATES["experts.csv"], "key": "  EXP-2 "})
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"experts.csv": 6},
        rejects=[
            ("experts.csv", first, "key", ["duplicate key", "'EXP-2'", "first on line 3"]),
            ("experts.csv", second, "key", ["duplicate key", "'EXP-2'", "first on line 3"]),
        ],
    )
    assert loaded.node("Expert:EXP-2")["name"] == "王芳"  # type: ignore[index]


def test_duplicate_code_in_cities_and_industries(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    city = append_row(dataset, "cities.csv", code="451100", name="八步")
    industry = append_row(dataset, "industries.csv", code="C", name="制造", parent_code="")
    expect(
        load(dataset),
        mini_state(),
        rows={"cities.csv": 3, "industries.csv": 6},
        rejects=[
            ("cities.csv", city, "code", ["duplicate code", "'451100'", "first on line 2"]),
            ("industries.csv", industry, "code", ["duplicate code", "'C'", "first on line 2"]),
        ],
    )


def test_a_bad_first_row_does_not_make_a_good_later_one_a_duplicate(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    bad = append_row(dataset, "experts.csv", **{**TEMPLATES["experts.csv"], "capacity": "x"})
    good = append_row(dataset, "experts.csv", **TEMPLATES["experts.csv"])
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"experts.csv": 6},
        rejects=[("experts.csv", bad, "capacity", ["whole number"])],
        added_nodes=["Expert:EXP-9"],
    )
    assert loaded.node("Expert:EXP-9")["capacity"] == 2  # type: ignore[index]
    assert good == bad + 1


def test_duplicate_service_record(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    # The same expert, enterprise, role and start as line 2, with another rating and outcome.
    row = {**row_of(dataset, "service_records.csv", 2), "rating": "1", "outcome": "failed"}
    line = append_row(dataset, "service_records.csv", **row)
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"service_records.csv": 4},
        rejects=[
            (
                "service_records.csv",
                line,
                "expert_key",
                [
                    "duplicate expert_key+enterprise_key+role+start_on",
                    "'EXP-1', 'ENT-2', 'commissioner', '2024-05-20'",
                    "first on line 2",
                ],
            )
        ],
    )
    served = loaded.targets("Expert:EXP-1", "SERVED")
    assert served["Enterprise:ENT-2"]["rating"] == 5


def test_duplicate_deal_key(dataset: Path, load: Loader, mini_state: Callable[[], State]) -> None:
    line = append_row(dataset, "deals.csv", **{**TEMPLATES["deals.csv"], "key": "DEAL-1"})
    expect(
        load(dataset),
        mini_state(),
        rows={"deals.csv": 3},
        rejects=[("deals.csv", line, "key", ["duplicate key", "'DEAL-1'", "first on line 2"])],
    )


def test_duplicate_pairing_collaboration_and_attendance(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    pairing = append_row(
        dataset, "pairings.csv", **{**row_of(dataset, "pairings.csv", 2), "program": "其他"}
    )
    collab = append_row(dataset, "collaborations.csv", **row_of(dataset, "collaborations.csv", 3))
    attend = append_row(
        dataset,
        "training_attendance.csv",
        training_key="TRN-1",
        enterprise_key=" ENT-2 ",
        attendees="9",
    )
    expect(
        load(dataset),
        mini_state(),
        rows={"pairings.csv": 2, "collaborations.csv": 3, "training_attendance.csv": 3},
        rejects=[
            ("pairings.csv", pairing, "institution_key", ["duplicate", "first on line 2"]),
            ("collaborations.csv", collab, "expert_key_a", ["duplicate", "first on line 3"]),
            ("training_attendance.csv", attend, "training_key", ["duplicate", "first on line 3"]),
        ],
    )
