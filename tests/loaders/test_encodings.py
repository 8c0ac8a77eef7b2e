"""Encodings: UTF-8 with and without BOM, GB18030/GBK, UTF-16 with BOM, undecodable bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.loaders.conftest import (
    Loader,
    State,
    append_row,
    assert_files,
    expect,
    read_rows,
    write_rows,
)

ENCODINGS = {
    "utf-8-sig": ("utf-8-sig", b"\xef\xbb\xbf"),
    "gbk": ("gb18030", b""),
    "gb18030": ("gb18030", b""),
    "utf-16-le": ("utf-16", b"\xff\xfe"),
    "utf-16-be": ("utf-16", b"\xfe\xff"),
}


def rewrite(folder: Path, name: str, encoding: str) -> str:
    """Re-encode a file; return the encoding the loader should detect."""
    path = folder / name
    text = path.read_text("utf-8")
    detected, bom = ENCODINGS[encoding]
    codec = {"utf-8-sig": "utf-8", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(
        encoding, encoding
    )
    path.write_bytes(bom + text.encode(codec))
    return "utf-8" if not bom and text.isascii() else detected  # ASCII is ASCII


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_file_in_another_encoding_loads_the_same_graph(
    dataset: Path, load: Loader, mini_state: Callable[[], State], encoding: str
) -> None:
    detected = {name.name: rewrite(dataset, name.name, encoding) for name in dataset.iterdir()}
    loaded = load(dataset)
    assert {f.file: f.encoding for f in loaded.report.files} == detected
    expect(loaded, mini_state())
    assert loaded.node("Expert:EXP-1") == {
        "key": "EXP-1",
        "name": "李明",
        "title": "教授",
        "commissioner": True,
        "capacity": 3,
        "phone": "13800000001",
        "email": "liming@example.cn",
    }
    assert loaded.node("Industry:36")["tags"] == ["传统优势产业", "战略性新兴产业"]  # type: ignore[index]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16-le", "utf-8-sig"])
def test_chinese_text_beyond_gbk_round_trips_exactly(
    dataset: Path, load: Loader, encoding: str
) -> None:
    # 䶮 (CJK extension A), 𠀾 (extension B, four bytes in GB18030), a euro sign, full-width
    # punctuation, and the private-use-free rare surname 禤.
    text = "禤䶮𠀾 研发 €１２３，（试验）"
    line = append_row(
        dataset,
        "demands.csv",
        key="DEM-9",
        enterprise_key="ENT-1",
        title=text,
        description=text + "\n第二行",
        keywords="试验",
    )
    detected = rewrite(dataset, "demands.csv", encoding)
    loaded = load(dataset)
    assert loaded.file("demands.csv").encoding == detected
    assert loaded.report.rejects == [], line
    demand = loaded.node("Demand:DEM-9")
    assert demand is not None
    assert (demand["title"], demand["description"]) == (text, text + "\n第二行")


def test_gbk_file_without_any_chinese_in_its_header_is_detected(
    dataset: Path, load: Loader
) -> None:
    header, rows = read_rows(dataset, "cities.csv")
    write_rows(dataset, "cities.csv", header, rows, encoding="gbk")
    loaded = load(dataset)
    assert loaded.file("cities.csv").encoding == "gb18030"
    assert loaded.node("City:451100")["name"] == "贺州市"  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(
            b"institution_key,enterprise_key\nINST-HZXY,\xff\xfeENT-1\n",
            ["neither UTF-8 nor GB18030", "byte 41", "line 2"],
            id="0xff",
        ),
        pytest.param(
            "institution_key,enterprise_key,program\nINST-HZXY,ENT-1,千企科技".encode()[:-1]
            + b",x\n",
            ["neither UTF-8 nor GB18030", "line 2"],
            id="cut-utf8",
        ),
        pytest.param(
            b"\xef\xbb\xbfinstitution_key,enterprise_key\nINST-HZXY,\x80\n",
            ["not UTF-8", "UTF-8 BOM", "byte 44", "line 2"],
            id="bom-then-bad",
        ),
        pytest.param(
            "institution_key,enterprise_key\nINST-HZXY,ENT-1\n".encode("utf-16")[:-1],
            ["not UTF-16", "UTF-16 BOM", "truncated"],
            id="utf16-cut",
        ),
    ],
)
def test_undecodable_file_is_refused_by_name_and_the_others_load(
    dataset: Path, load: Loader, mini_state: Callable[[], State], data: bytes, words: list[str]
) -> None:
    (dataset / "pairings.csv").write_bytes(data)
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        refused={"pairings.csv": ["pairings.csv: ", *words]},
        drop_edges=[("Institution:INST-HZXY", "Enterprise:ENT-1", "PAIRED_WITH")],
    )


def test_undecodable_node_file_refused_and_its_dependants_reported(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    path = dataset / "trainings.csv"
    path.write_bytes(path.read_bytes().replace("培训班".encode(), b"\xff\xff"))
    loaded = load(dataset)
    assert loaded.file("trainings.csv").error is not None
    assert "trainings.csv" in loaded.file("trainings.csv").error  # type: ignore[operator]
    assert_files(loaded, refused={"trainings.csv": ["trainings.csv"]})
    expect(
        loaded,
        mini_state(),
        refused={"trainings.csv": ["trainings.csv"]},
        rejects=[
            ("training_attendance.csv", 2, "training_key", ["'TRN-1'", "refers to no Training"]),
            ("training_attendance.csv", 3, "training_key", ["'TRN-1'", "refers to no Training"]),
        ],
        drop_nodes=["Training:TRN-1"],
    )
