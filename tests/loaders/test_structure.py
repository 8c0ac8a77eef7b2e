"""CSV structure and JSON Lines: quoted newlines and line numbers, broken quoting, too many
cells, a 1 MB cell, JSON Lines files (typed values, bad lines), both formats of one file."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.loaders.conftest import (
    MINI_ROWS,
    Loader,
    State,
    csv_text,
    expect,
    read_rows,
)
from tests.loaders.test_values import TEMPLATES

DEMAND = TEMPLATES["demands.csv"]


def demand(key: str, **cells: str) -> dict[str, str]:
    return {**DEMAND, "key": key, **cells}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_quoted_newlines_keep_line_numbers_right(
    dataset: Path, load: Loader, mini_state: Callable[[], State], newline: str
) -> None:
    header, rows = read_rows(dataset, "demands.csv")
    rows += [
        demand("DEM-4", description="第一行\n第二行\n\n第四行"),  # lines 5-8
        demand("DEM-5", status="pending"),  # line 9
        demand("DEM-6", description="甲\n乙", posted_on="2024/1/1"),  # lines 10-11
        demand("DEM-7", title=""),  # line 12
        demand("DEM-8", description="\n行\n"),  # lines 13-15
        demand("DEM-9", budget_wan="many"),  # line 16
        demand("DEM-10", description=" \n "),  # lines 17-18: blank text is no text
    ]
    text = csv_text(header, rows).replace("\n", newline)  # inner newlines too
    (dataset / "demands.csv").write_text(text, "utf-8", newline="")
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"demands.csv": 10},
        rejects=[
            ("demands.csv", 9, "status", ["'pending'"]),
            ("demands.csv", 11 - 1, "posted_on", ["'2024/1/1'"]),
            ("demands.csv", 12, "title", ["missing"]),
            ("demands.csv", 16, "budget_wan", ["'many'"]),
        ],
        added_nodes=["Demand:DEM-4", "Demand:DEM-8", "Demand:DEM-10"],
    )
    described = loaded.node("Demand:DEM-4")["description"]  # type: ignore[index]
    assert described == "第一行\n第二行\n\n第四行".replace("\n", newline)  # kept as given
    assert loaded.node("Demand:DEM-8")["description"] == "\n行\n".replace("\n", newline)  # type: ignore[index]
    assert "description" not in loaded.node("Demand:DEM-10")  # type: ignore[operator]


def test_row_with_too_many_cells(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    path = dataset / "experts.csv"
    lines = path.read_text("utf-8").splitlines()
    lines.insert(2, "EXP-8,赵六,教授,INST-HZXY,451100,SG-KJCX,309,,否,3,,,多出来的")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    expect(
        load(dataset),
        mini_state(),
        rows={"experts.csv": 5},
        rejects=[("experts.csv", 3, "", ["13 cells", "the header has 12 columns"])],
    )


def test_row_with_fewer_cells_is_read_with_the_rest_empty(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    path = dataset / "trainings.csv"
    path.write_text(path.read_text("utf-8") + "TRN-2,短行\nTRN-3\n", "utf-8")
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"trainings.csv": 3},
        rejects=[("trainings.csv", 4, "title", ["missing"])],
        added_nodes=["Training:TRN-2"],
    )
    assert loaded.node("Training:TRN-2") == {"key": "TRN-2", "title": "短行"}


@pytest.mark.parametrize(
    "bad",
    ['EXP-8,"赵"六,教授', 'EXP-8,赵六,"教授"x,INST-HZXY'],
    ids=["text-after-closing-quote", "text-after-quote-in-middle"],
)
def test_broken_quoting_rejects_that_row_and_the_next_rows_still_load(
    dataset: Path, load: Loader, mini_state: Callable[[], State], bad: str
) -> None:
    path = dataset / "experts.csv"
    lines = path.read_text("utf-8").splitlines()
    lines.insert(2, bad)  # line 3; EXP-2, EXP-3, EXP-4 follow on lines 4-6
    path.write_text("\n".join(lines) + "\n", "utf-8")
    expect(
        load(dataset),
        mini_state(),
        rows={"experts.csv": 5},
        rejects=[("experts.csv", 3, "", ["cannot be parsed as CSV"])],
    )


def test_quote_never_closed_on_the_last_row(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    path = dataset / "experts.csv"
    path.write_text(
        path.read_text("utf-8") + 'EXP-8,赵六,"教授\n还有一行\n\n', "utf-8"
    )  # lines 6-8
    expect(
        load(dataset),
        mini_state(),
        rows={"experts.csv": 5},
        rejects=[
            ("experts.csv", 6, "", ["a quote opened in this row is never closed", "lines 6-8"])
        ],
    )


@pytest.mark.slow
def test_one_megabyte_cell_is_stored_byte_for_byte(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    rng = random.Random(7)
    words = [
        "碳酸钙",
        "表面改性",
        "分散性",
        "白度",
        "塑料",
        "工艺",
        "\n",
        " ",
        "，",
        "Ω",
        "𠀾",
        '"',
        ",",
    ]
    parts = ["  开头有空格"]
    size = 0
    while size < 1_000_000:
        parts.append(rng.choice(words))
        size += len(parts[-1].encode())
    text = "".join(parts) + "\n结尾有空格和换行  \n"
    assert len(text.encode()) > 1_000_000
    header, rows = read_rows(dataset, "demands.csv")
    rows.append(demand("DEM-9", description=text))  # keywords given:超细粉碎
    rows.append(demand("DEM-10", description=text, keywords=""))  # keywords extracted
    (dataset / "demands.csv").write_text(csv_text(header, rows), "utf-8")
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"demands.csv": 5},
        added_nodes=["Demand:DEM-9", "Demand:DEM-10"],
    )
    for key in ("DEM-9", "DEM-10"):
        stored = loaded.node(f"Demand:{key}")["description"]  # type: ignore[index]
        assert stored.encode() == text.encode()
    mentions = loaded.targets("Demand:DEM-10", "MENTIONS")
    assert 1 <= len(mentions) <= 8
    assert all(0 < m["weight"] <= 1 for m in mentions.values())
    assert "Keyword:碳酸钙" in mentions


# -- JSON Lines -------------------------------------------------------------------------------
def experts_jsonl() -> list[str]:
    """The mini experts as JSON Lines with typed values (lists, booleans, numbers)."""
    records = [
        {
            "key": "EXP-1",
            "name": "李明",
            "title": "教授",
            "institution_key": "INST-HZXY",
            "city_code": "451100",
            "subgroup_keys": ["SG-KJCX", "SG-STZY"],
            "industry_codes": ["309"],
            "keywords": "重质碳酸钙;表面改性;超细粉碎",
            "commissioner": True,
            "capacity": 3,
            "phone": 13800000001,
            "email": "liming@example.cn",
        },
        {
            "key": "EXP-2",
            "name": "王芳",
            "title": "副教授",
            "institution_key": "INST-HZXY",
            "city_code": "451100",
            "subgroup_keys": "SG-STZY",
            "industry_codes": [309],
            "keywords": ["纳米碳酸钙", " 白度 "],
            "commissioner": "true",
            "capacity": 2.0,
            "phone": "13800000002",
            "email": "wangfang@example.cn",
        },
        {
            " key ": "EXP-3",
            "name": "张伟",
            "title": "高级工程师",
            "institution_key": "INST-GXKJ",
            "city_code": "450200",
            "subgroup_keys": ["SG-KJCX"],
            "industry_codes": ["367"],
            "keywords": ["汽车零部件", "轻量化", "冲压工艺"],
            "commissioner": 1,
            "capacity": "3",
            "phone": "13800000003",
            "email": None,
        },
        {
            "key": "EXP-4",
            "name": "陈静",
            "title": "研究员",
            "institution_key": "INST-GXKJ",
            "city_code": "450200",
            "subgroup_keys": ["SG-KJCX"],
            "industry_codes": ["36", "367"],
            "keywords": ["新能源汽车", "电池管理"],
            "commissioner": False,
        },
    ]
    return [json.dumps(r, ensure_ascii=False) for r in records]


def test_jsonl_file_with_typed_values_and_bad_lines(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    (dataset / "experts.csv").unlink()
    good = experts_jsonl()
    lines = [
        good[0],  # 1
        '{"key": "EXP-8", "name": }',  # 2: not JSON
        good[1],  # 3
        "",  # 4: blank
        '["EXP-8", "赵六"]',  # 5: not an object
        good[2],  # 6
        '{"key": "EXP-8", "name": "赵六", "capacity": 2.5}',  # 7
        '{"key": "EXP-9", "name": "钱七", "commissioner": "maybe", "subgroup_keys": ["SG-X"]}',  # 8
        good[3],  # 9
        '{"key": "EXP-10", "name": null}',  # 10
        '{"key": "EXP-11", "name": ["钱", "七"]}',  # 11
        '{"key": "EXP-12", "name": "孙八", "capacity": true}',  # 12
    ]
    (dataset / "experts.jsonl").write_text("\n".join(lines), "utf-8")
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"experts.jsonl": 11},
        rejects=[
            ("experts.jsonl", 2, "", ["not valid JSON"]),
            ("experts.jsonl", 5, "", ["not a JSON object"]),
            ("experts.jsonl", 7, "capacity", ["whole number", "2.5"]),
            ("experts.jsonl", 8, "commissioner", ["'maybe'"]),
            ("experts.jsonl", 10, "name", ["missing"]),
            ("experts.jsonl", 11, "name", ["must be text"]),
            ("experts.jsonl", 12, "capacity", ["whole number"]),
        ],
    )
    assert loaded.file("experts.jsonl").encoding == "utf-8"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["ls", "ps", "nel"])
def test_jsonl_text_with_unicode_line_separators(
    dataset: Path, load: Loader, mini_state: Callable[[], State], separator: str
) -> None:
    # Raw U+2028/U+2029/U+0085 are legal inside JSON strings; they do not end a line.
    text = f"第一段{separator}第二段"
    _, rows = read_rows(dataset, "demands.csv")
    rows[0]["description"] += text
    rows += [demand("DEM-4", description=text), demand("DEM-5", status="pending")]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    (dataset / "demands.jsonl").write_text("\r\n".join(lines) + "\r\n", "utf-8", newline="")
    (dataset / "demands.csv").unlink()
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"demands.jsonl": 5},
        rejects=[("demands.jsonl", 5, "status", ["'pending'"])],
        # DEM-1's text changed, and so did its extracted keywords: compared separately
        added_nodes=["Demand:DEM-1", "Demand:DEM-4"],
        drop_nodes=["Demand:DEM-1"],
    )
    assert loaded.node("Demand:DEM-4")["description"] == text  # type: ignore[index]
    assert loaded.node("Demand:DEM-1")["description"].endswith(text)  # type: ignore[index]


def test_jsonl_relationship_file(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    _, rows = read_rows(dataset, "service_records.csv")
    (dataset / "service_records.csv").unlink()
    records = []
    for row in rows:
        record: dict[str, object] = {k: v for k, v in row.items() if v != ""}
        record["rating"] = int(row["rating"])
        records.append(record)
    records.append({**records[0], "start_on": "2024-06-01", "rating": 7})  # line 4
    text = "\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    (dataset / "service_records.jsonl").write_text(text, "utf-8")
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"service_records.jsonl": 4},
        rejects=[("service_records.jsonl", 4, "rating", ["at most 5", "7"])],
    )
    assert loaded.file("service_records.jsonl").encoding == "utf-8-sig"


@pytest.mark.parametrize("content", ["", "\n \n"], ids=["empty", "blank"])
def test_empty_jsonl_file_is_refused(
    dataset: Path, load: Loader, mini_state: Callable[[], State], content: str
) -> None:
    (dataset / "pairings.csv").unlink()
    (dataset / "pairings.jsonl").write_text(content, "utf-8")
    expect(
        load(dataset),
        mini_state(),
        refused={"pairings.jsonl": ["empty"]},
        drop_edges=[("Institution:INST-HZXY", "Enterprise:ENT-1", "PAIRED_WITH")],
    )


def test_both_csv_and_jsonl_of_one_file_are_refused(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    (dataset / "pairings.jsonl").write_text(
        '{"institution_key": "INST-GXKJ", "enterprise_key": "ENT-3"}\n', "utf-8"
    )
    loaded = load(dataset)
    assert_refused = {"pairings.jsonl": ["both pairings.csv and pairings.jsonl exist"]}
    rows = {k: v for k, v in MINI_ROWS.items() if k != "pairings.csv"}
    expect(
        loaded,
        mini_state(),
        refused=assert_refused,
        rows=rows,
        drop_edges=[("Institution:INST-HZXY", "Enterprise:ENT-1", "PAIRED_WITH")],
    )
    assert [f.file for f in loaded.report.files].count("pairings.csv") == 0


def test_files_that_are_not_dataset_files_are_ignored_with_a_warning(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    (dataset / "README.md").write_text("说明", "utf-8")
    (dataset / "experts.xlsx").write_bytes(b"PK\x03\x04")
    (dataset / ".hidden.csv").write_text("x", "utf-8")
    loaded = load(dataset)
    expect(loaded, mini_state())
    assert loaded.report.warnings == [
        "README.md: not a dataset file, ignored",
        "experts.xlsx: not a dataset file, ignored",
    ]


def test_trailing_empty_header_columns_of_a_spreadsheet_export_are_ignored(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    path = dataset / "experts.csv"
    lines = path.read_text("utf-8").splitlines()
    lines = [lines[0] + ",,", *(line + ",," for line in lines[1:])]  # as spreadsheets save them
    lines.append("EXP-8,赵六,教授,INST-HZXY,451100,SG-KJCX,309,,否,3,,,,多出来的")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    expect(
        load(dataset),
        mini_state(),
        rows={"experts.csv": 5},
        rejects=[("experts.csv", 6, "", ["14 cells", "the header has 12 columns"])],
    )


def test_jsonl_unknown_lists_and_objects_are_kept(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    (dataset / "experts.csv").unlink()
    records = [json.loads(line) for line in experts_jsonl()]
    records[0]["honours"] = ["八桂学者", 2021]
    records[0]["profile"] = {"orcid": "0000-0001"}
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (dataset / "experts.jsonl").write_text("\n".join(lines), "utf-8")
    loaded = load(dataset)
    node = loaded.node("Expert:EXP-1")
    assert node is not None
    assert node["honours"] == ["八桂学者", "2021"]
    assert json.loads(node["profile"]) == {"orcid": "0000-0001"}
    assert loaded.report.rejects == []
