"""Whitespace and header oddities: padding, column order, unknown, missing and repeated
columns, empty and header-only files, blank lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.loaders.conftest import Loader, State, expect, read_rows, write_rows

PAIRING = ("Institution:INST-HZXY", "Enterprise:ENT-1", "PAIRED_WITH")
ATTENDED = [
    ("Enterprise:ENT-1", "Training:TRN-1", "ATTENDED"),
    ("Enterprise:ENT-2", "Training:TRN-1", "ATTENDED"),
]


def test_padded_cells_and_header_names_are_trimmed(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    # Pad every cell of every file except free text (titles, descriptions), which is kept
    # exactly as given; the graph must be the same as the unpadded one.
    for path in dataset.iterdir():
        header, rows = read_rows(dataset, path.name)
        padded = [
            {h: v if h in ("title", "description") or not v else f"  {v}\t " for h, v in r.items()}
            for r in rows
        ]
        # The header is written padded: write_rows takes the header names as given.
        lines = path.name, [f" {h}  " for h in header], [[r[h] for h in header] for r in padded]
        write_rows(dataset, *lines)
    loaded = load(dataset)
    expect(loaded, mini_state())
    assert loaded.node("Enterprise:ENT-1")["credit_code"] == "91451100MA5K00000P"  # type: ignore[index]
    assert loaded.node("County:451121")["poverty_county"] is True  # type: ignore[index]
    assert set(loaded.targets("Expert:EXP-1", "MEMBER_OF")) == {
        "Subgroup:SG-KJCX",
        "Subgroup:SG-STZY",
    }


def test_columns_in_any_order(dataset: Path, load: Loader, mini_state: Callable[[], State]) -> None:
    for path in dataset.iterdir():
        header, rows = read_rows(dataset, path.name)
        write_rows(dataset, path.name, header[::-1], rows)
    expect(load(dataset), mini_state())


def test_unknown_columns_are_kept_as_properties_and_warned_about_once(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    header, rows = read_rows(dataset, "experts.csv")
    for i, row in enumerate(rows):
        row["wechat"] = f"  wx-{i}  " if i != 1 else ""
        row["备注"] = "驻点" if i == 0 else ""
    write_rows(dataset, "experts.csv", [*header, "wechat", "备注"], rows)
    header, rows = read_rows(dataset, "deals.csv")
    rows[0]["source"] = "技术市场"
    write_rows(dataset, "deals.csv", [*header, "source"], rows)

    loaded = load(dataset)
    assert loaded.report.rejects == []
    assert loaded.file("experts.csv").warnings == [
        "experts.csv: unknown columns kept as extra properties: wechat, 备注"
    ]
    assert loaded.file("deals.csv").warnings == [
        "deals.csv: unknown columns kept as extra properties: source"
    ]
    assert loaded.report.warnings == [
        *loaded.file("experts.csv").warnings,
        *loaded.file("deals.csv").warnings,
    ]
    expected = mini_state()
    expected.nodes["Expert:EXP-1"].update({"wechat": "wx-0", "备注": "驻点"})
    expected.nodes["Expert:EXP-3"]["wechat"] = "wx-2"
    expected.nodes["Expert:EXP-4"]["wechat"] = "wx-3"
    for target in ("Achievement:ACH-1", "Expert:EXP-2"):
        expected.edges[("Enterprise:ENT-1", target, "DEAL|DEAL-1")]["source"] = "技术市场"
    loaded.state().assert_equal(expected)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_missing_required_column_refuses_the_file_with_one_message(
    dataset: Path, load: Loader, mini_state: Callable[[], State], encoding: str
) -> None:
    header, rows = read_rows(dataset, "training_attendance.csv")
    header.remove("enterprise_key")
    write_rows(dataset, "training_attendance.csv", header, rows, encoding)
    loaded = load(dataset)
    error = loaded.file("training_attendance.csv").error
    assert error == (
        "training_attendance.csv: required column enterprise_key missing "
        "(the header has: training_key, attendees)"
    )
    expect(
        loaded,
        mini_state(),
        refused={"training_attendance.csv": ["enterprise_key"]},
        drop_edges=ATTENDED,
    )
    assert loaded.report.warnings == []


def test_missing_required_columns_of_a_node_file_and_its_dependants(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    header, rows = read_rows(dataset, "trainings.csv")
    write_rows(dataset, "trainings.csv", [h for h in header if h not in ("key", "title")], rows)
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        refused={"trainings.csv": ["required columns key, title missing"]},
        rejects=[
            ("training_attendance.csv", 2, "training_key", ["'TRN-1' refers to no Training"]),
            ("training_attendance.csv", 3, "training_key", ["'TRN-1' refers to no Training"]),
        ],
        drop_nodes=["Training:TRN-1"],
    )


@pytest.mark.parametrize("second", ["program", " program ", "since"])
def test_duplicate_header_column_refuses_the_file(
    dataset: Path, load: Loader, mini_state: Callable[[], State], second: str
) -> None:
    (dataset / "pairings.csv").write_text(
        f"institution_key,enterprise_key,program,{second},since\n"
        "INST-HZXY,ENT-1,千企科技创新工程,x,2023-01-01\n",
        "utf-8",
    )
    loaded = load(dataset)
    name = second.strip()
    expect(
        loaded,
        mini_state(),
        refused={"pairings.csv": [f"the column '{name}' appears twice", "line 1"]},
        drop_edges=[PAIRING],
    )


def test_empty_file_is_refused_and_the_others_load(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    (dataset / "pairings.csv").write_bytes(b"")
    expect(
        load(dataset),
        mini_state(),
        refused={"pairings.csv": ["pairings.csv", "empty"]},
        drop_edges=[PAIRING],
    )


@pytest.mark.parametrize(
    "content",
    [b"\n\n", b"\xef\xbb\xbf", b" , \r\n"],
    ids=["blank-lines", "bom-only", "blank-cells"],
)
def test_file_without_header_is_refused(
    dataset: Path, load: Loader, mini_state: Callable[[], State], content: bytes
) -> None:
    (dataset / "pairings.csv").write_bytes(content)
    expect(
        load(dataset),
        mini_state(),
        refused={"pairings.csv": ["pairings.csv", "no header"]},
        drop_edges=[PAIRING],
    )


@pytest.mark.parametrize(
    "content",
    [
        "institution_key,enterprise_key,program,since",
        "institution_key,enterprise_key\r\n\r\n , \r\n",
    ],
)
def test_header_only_file_loads_nothing_and_reports_nothing(
    dataset: Path, load: Loader, mini_state: Callable[[], State], content: str
) -> None:
    (dataset / "pairings.csv").write_text(content, "utf-8")
    loaded = load(dataset)
    expect(loaded, mini_state(), rows={"pairings.csv": 0}, drop_edges=[PAIRING])
    assert loaded.file("pairings.csv").error is None


def test_blank_lines_between_rows_are_skipped_and_lines_still_counted(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    path = dataset / "experts.csv"
    lines = path.read_text("utf-8").splitlines()
    # header, EXP-1, blank, blank, EXP-2, blank of commas, EXP-3 (bad capacity), EXP-4
    lines[3] = lines[3].replace(",1,3,", ",1,three,")
    text = "\r\n".join([lines[0], lines[1], "", "", lines[2], ",,,", lines[3], lines[4]]) + "\r\n"
    path.write_text(text, "utf-8")
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rejects=[
            ("experts.csv", 7, "capacity", ["whole number", "'three'"]),
            ("achievements.csv", 3, "owner_expert_key", ["'EXP-3' refers to no Expert"]),
            ("service_records.csv", 3, "expert_key", ["'EXP-3' refers to no Expert"]),
            ("collaborations.csv", 3, "expert_key_a", ["'EXP-3' refers to no Expert"]),
            ("deals.csv", 3, "achievement_key", ["'ACH-2' refers to no Achievement"]),
        ],
        drop_nodes=["Expert:EXP-3", "Achievement:ACH-2"],
        drop_edges=[
            ("Expert:EXP-3", "Enterprise:ENT-3", "SERVED|team|2023-12-01"),
            # the whole deal row goes, with its other counterparty
            ("Enterprise:ENT-3", "Institution:INST-GXKJ", "DEAL|DEAL-2"),
        ],
    )
