"""`graphsvc load`: --max-errors (nothing applied when exceeded), the report file (.csv and
.json), exit status and the one-line reason."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.store import MemoryStore
from tests.loaders.conftest import (
    MINI,
    Loader,
    State,
    append_row,
    graphsvc_command,
    set_cells,
)
from tests.loaders.test_values import TEMPLATES


def three_bad_rows(dataset: Path) -> None:
    """Three rejected rows (one with two reasons) and a new good expert."""
    append_row(dataset, "experts.csv", **TEMPLATES["experts.csv"])  # EXP-9, good
    append_row(
        dataset,
        "experts.csv",
        **{**TEMPLATES["experts.csv"], "key": "EXP-10", "capacity": "-1", "name": ""},
    )
    append_row(dataset, "cities.csv", code="4503", name="桂林市")
    set_cells(dataset, "pairings.csv", 2, enterprise_key="ENT-404")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*graphsvc_command(), "load", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path, load: Loader) -> tuple[Path, State, int]:
    """A store folder holding the mini dataset: its path, state and version."""
    folder = tmp_path / "store"
    store = MemoryStore(folder)
    try:
        loaded = load(MINI, store)
        assert loaded.report.rejects == []
        return folder, loaded.state(), store.version
    finally:
        store.close()


def reopen(folder: Path) -> tuple[State, int]:
    store = MemoryStore(folder)
    try:
        return State.of(store), store.version
    finally:
        store.close()


def test_max_errors_exceeded_applies_nothing(
    dataset: Path, load: Loader, data_dir: tuple[Path, State, int], tmp_path: Path
) -> None:
    folder, before, version = data_dir
    three_bad_rows(dataset)
    report = tmp_path / "rejects.csv"
    done = run(dataset, "--data-dir", folder, "--report", report, "--max-errors", "2")
    assert done.returncode == 1, done
    last = done.stderr.strip().splitlines()[-1]
    assert last == "graphsvc: 3 rows rejected, more than --max-errors 2: nothing was loaded"
    state, after = reopen(folder)
    assert after == version
    state.assert_equal(before)
    with report.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["file", "line", "column", "reason"]
    assert [r[:3] for r in rows[1:]] == [
        ["cities.csv", "4", "code"],
        ["experts.csv", "7", "name"],
        ["experts.csv", "7", "capacity"],
        ["pairings.csv", "2", "enterprise_key"],
    ]


def test_max_errors_exceeded_in_process(
    dataset: Path, load: Loader, data_dir: tuple[Path, State, int]
) -> None:
    folder, before, version = data_dir
    three_bad_rows(dataset)
    store = MemoryStore(folder)
    try:
        loaded = load(dataset, store, max_errors=2)
        assert loaded.report.aborted is not None and "3 rows rejected" in loaded.report.aborted
        assert loaded.report.version is None
        assert store.version == version
        State.of(store).assert_equal(before)
    finally:
        store.close()
    state, after = reopen(folder)
    assert after == version
    state.assert_equal(before)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_max_errors_not_exceeded_loads_and_reports_every_reject(
    dataset: Path,
    load: Loader,
    data_dir: tuple[Path, State, int],
    tmp_path: Path,
    mini_state: Callable[[], State],
    suffix: str,
) -> None:
    folder, _, version = data_dir
    three_bad_rows(dataset)
    report = tmp_path / f"report{suffix}"
    done = run(dataset, "--data-dir", folder, "--report", report, "--max-errors", "3")
    assert done.returncode == 0, done.stderr
    assert "loaded 38 rows, rejected " in done.stdout  # 38 mini rows + EXP-9 - the pairing
    expected = load(dataset).report  # the same load in process
    assert len(expected.rejects) == 4
    want = [[r.file, str(r.line), r.column, r.reason] for r in expected.rejects]
    if suffix == ".csv":
        with report.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows == [["file", "line", "column", "reason"], *want]
    else:
        data = json.loads(report.read_text("utf-8"))
        assert [
            [r["file"], str(r["line"]), r["column"], r["reason"]] for r in data["rejects"]
        ] == want
        assert data["aborted"] is None and data["version"] == version + 1
        files = {f["file"]: f for f in data["files"]}
        assert (files["experts.csv"]["rows"], files["experts.csv"]["loaded"]) == (6, 5)
        assert files["experts.csv"]["rejected"] == 1
    state, after = reopen(folder)
    assert after == version + 1
    assert state.nodes["Expert:EXP-9"]["name"] == "赵六"
    assert "Expert:EXP-10" not in state.nodes and "City:4503" not in state.nodes
    # the pairing row was rejected, so the stored one (from the first load) stays
    assert ("Institution:INST-HZXY", "Enterprise:ENT-1", "PAIRED_WITH") in state.edges


def test_refused_file_is_reported_and_the_rest_loads(
    dataset: Path, data_dir: tuple[Path, State, int], tmp_path: Path
) -> None:
    folder, before, version = data_dir
    (dataset / "pairings.csv").write_bytes(b"\xff\xff")
    report = tmp_path / "r.csv"
    done = run(dataset, "--data-dir", folder, "--report", report)
    assert done.returncode == 0, done.stderr
    assert "refused: pairings.csv: neither UTF-8 nor GB18030" in done.stderr
    with report.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][:3] == ["pairings.csv", "", ""]
    assert "neither UTF-8 nor GB18030" in rows[1][3]
    state, after = reopen(folder)
    assert after == version + 1
    state.assert_equal(before)  # the same data again, the pairing kept from before


def test_not_a_folder_fails_with_one_line(tmp_path: Path) -> None:
    done = run(tmp_path / "nowhere", "--data-dir", tmp_path / "store")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"graphsvc: {tmp_path / 'nowhere'}: not a folder"]


def test_a_refused_file_counts_towards_max_errors(
    dataset: Path, data_dir: tuple[Path, State, int]
) -> None:
    folder, before, version = data_dir
    (dataset / "pairings.csv").write_bytes(b"\xff\xff")
    done = run(dataset, "--data-dir", folder, "--max-errors", "0")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == (
        "graphsvc: 0 rows rejected and 1 files refused, more than --max-errors 0: "
        "nothing was loaded"
    )
    state, after = reopen(folder)
    assert after == version
    state.assert_equal(before)
