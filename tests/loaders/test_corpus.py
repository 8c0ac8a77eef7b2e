"""The committed bad-input corpus (tests/data/bad/*): each case overlaid on the mini dataset
gives exactly its expected report, and every other row loads."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from graphsvc.ontology import NODE_FILES
from tests.loaders.conftest import BAD, MINI_ROWS, Loader, assert_rejects

CASES = sorted(p for p in BAD.iterdir() if p.is_dir())
LABEL_OF = {spec.label: name for name, spec in NODE_FILES.items()}


def overlay(case: Path, dataset: Path) -> set[str]:
    """Apply a case to a copy of mini; return the names of the files it brings."""
    brought = set()
    for path in case.iterdir():
        if path.name in ("expected.csv", "REMOVE"):
            continue
        shutil.copyfile(path, dataset / path.name)
        brought.add(path.name)
    remove = case / "REMOVE"
    if remove.exists():
        for name in remove.read_text("utf-8").split():
            (dataset / name).unlink()
    return brought


def test_corpus_has_every_case() -> None:
    assert [c.name for c in CASES] == [
        "bom-crlf-quoted-newlines",
        "broken-quote-experts",
        "empty-pairings",
        "gbk-experts",
        "jsonl-experts",
        "missing-column-trainings",
        "relationship-rules",
        "undecodable-pairings",
        "utf16-enterprises",
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Path, dataset: Path, load: Loader) -> None:
    brought = overlay(case, dataset)
    with (case / "expected.csv").open(encoding="utf-8", newline="") as lines:
        expected = list(csv.DictReader(lines))
    rejects = [
        (e["file"], int(e["line"]), e["column"], e["words"].split(" | "))
        for e in expected
        if e["line"]
    ]
    refused = {e["file"]: e["words"].split(" | ") for e in expected if not e["line"]}

    loaded = load(dataset)
    assert_rejects(loaded, rejects)
    assert {f.file for f in loaded.report.files if f.error} == set(refused)
    rejected_lines: dict[str, set[int]] = {}
    for r in loaded.report.rejects:
        rejected_lines.setdefault(r.file, set()).add(r.line)
    counts = loaded.store.counts().nodes
    for f in loaded.report.files:
        if f.file in refused:
            for word in refused[f.file]:
                assert word in (f.error or ""), (word, f.error)
            continue
        assert f.error is None
        if f.file not in brought:
            assert f.rows == MINI_ROWS[f.file], f  # untouched files: every row read
        assert f.rejected == len(rejected_lines.get(f.file, ())), f
        assert f.loaded == f.rows - f.rejected, f
    for label, name in LABEL_OF.items():
        results = [f for f in loaded.report.files if f.file.split(".")[0] == name]
        loaded_rows = sum(f.loaded for f in results if not f.error)
        assert counts.get(label, 0) == loaded_rows, label
    # Chinese text from the re-encoded files round-trips.
    assert loaded.node("City:451100")["name"] == "贺州市"  # type: ignore[index]
    if case.name in ("gbk-experts", "jsonl-experts"):
        assert loaded.node("Expert:EXP-1")["name"] == "李明"  # type: ignore[index]
        assert set(loaded.targets("Expert:EXP-1", "HAS_SKILL")) == {
            "Keyword:重质碳酸钙",
            "Keyword:表面改性",
            "Keyword:超细粉碎",
        }
    if case.name == "utf16-enterprises":
        assert loaded.node("Enterprise:ENT-2")["name"] == "昭平县石材加工厂"  # type: ignore[index]
    if case.name == "bom-crlf-quoted-newlines":
        description = loaded.node("Demand:DEM-1")["description"]  # type: ignore[index]
        assert description.count("\r\n") == 2
