"""`graphsvc plan pairing` and `graphsvc plan commissioners` write their plan as CSV."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.store import MemoryStore


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, plan_store: MemoryStore) -> Path:
    folder = tmp_path_factory.mktemp("plan-cli") / "graph"
    shutil.copytree(plan_store.data_dir, folder, ignore=shutil.ignore_patterns("LOCK"))
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_plan_pairing_writes_csv(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    result = CliRunner().invoke(
        app, ["plan", "pairing", "--out", str(out), "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "covered with the plan" in result.output
    found = rows(out)
    assigned = [r for r in found if r["status"] == "assigned"]
    assert assigned and set(found[0]) == {
        "status",
        "enterprise_key",
        "institution_key",
        "score",
        "round",
        "code",
        "reasons",
    }
    assert all(r["institution_key"] and float(r["score"]) > 0 and r["reasons"] for r in assigned)
    assert len({r["enterprise_key"] for r in found}) == len(found)


def test_plan_commissioners_writes_csv(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "commissioners.csv"
    result = CliRunner().invoke(
        app,
        [
            "plan",
            "commissioners",
            "--out",
            str(out),
            "--data-dir",
            str(data_dir),
            "--county",
            "451102",
            "--county",
            "450102",
            "--start-on",
            "2024-06-30",
            "--mode",
            "stable",
            "--city-quota",
            "451100=3",
            "--no-explain",
        ],
    )
    assert result.exit_code == 0, result.output
    found = rows(out)
    assert "expert_key" in found[0]
    assert {r["status"] for r in found} <= {"assigned", "unassigned"}
    assert all(r["code"] for r in found if r["status"] == "unassigned")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--county", "999999"], "999999"),
        (["--city-quota", "450100"], "KEY=N"),
        (["--mode", "best"], "mode"),
    ],
)
def test_bad_options_fail_with_one_line(
    data_dir: Path, tmp_path: Path, args: list[str], words: str
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "plan",
            "commissioners",
            "--out",
            str(tmp_path / "x.csv"),
            "--data-dir",
            str(data_dir),
            *args,
        ],
    )
    assert result.exit_code == 1 and words in result.output
