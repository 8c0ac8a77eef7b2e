"""`graphsvc push-list` and `graphsvc evaluate`."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from tests.api.conftest import load_folder


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, small_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("rec-cli") / "graph"
    load_folder(small_dir, folder)
    return folder


def test_push_list(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "push.csv"
    result = CliRunner().invoke(
        app,
        [
            "push-list",
            *("--out", str(out), "--data-dir", str(data_dir)),
            *("--per-demand", "3", "--max-per-expert", "4"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "demands without" in result.output and "pushes per expert max" in result.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and set(rows[0]) == {
        "demand_key",
        "enterprise_key",
        "county_code",
        "remote",
        "rank",
        "expert_key",
        "score",
        "reason",
    }
    per_expert = Counter(r["expert_key"] for r in rows)
    assert max(per_expert.values()) <= 4
    per_demand = Counter(r["demand_key"] for r in rows)
    assert max(per_demand.values()) <= 3
    assert all(r["reason"] for r in rows)
    remote = {r["demand_key"] for r in rows if r["remote"] == "true"}
    assert remote  # remote-county demands get pushes too


def test_evaluate(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", "--data-dir", str(data_dir), "--share", "0.3"])
    assert result.exit_code == 0, result.output
    for method in ("model", "most-active", "same-industry", "keyword-overlap"):
        assert method in result.output
    assert "Recall@10" in result.output


def test_evaluate_refuses_a_bad_share(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", "--data-dir", str(data_dir), "--share", "2"])
    assert result.exit_code == 1
