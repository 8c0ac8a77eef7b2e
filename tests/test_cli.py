"""The command line: help everywhere, load/stats/schema, clear one-line failures."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.schema import sdl
from graphsvc.store import MemoryStore

runner = CliRunner()


@pytest.mark.parametrize(
    "args", [[], ["demo"], ["demo", "generate"], ["load"], ["serve"], ["schema"], ["stats"]]
)
def test_help_everywhere(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_load_then_stats(tmp_path: Path, mini_dir: Path) -> None:
    data = tmp_path / "graph"
    report = tmp_path / "report.csv"
    result = runner.invoke(
        app, ["load", str(mini_dir), "--data-dir", str(data), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert "loaded 38 rows, rejected 0" in result.output
    with report.open(encoding="utf-8") as f:
        assert list(csv.reader(f)) == [["file", "line", "column", "reason"]]
    result = runner.invoke(app, ["stats", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "Expert" in result.output and "SERVED" in result.output
    store = MemoryStore(data)
    assert store.counts().nodes["Expert"] == 4
    store.close()


def test_settings_come_from_the_environment(tmp_path: Path, mini_dir: Path) -> None:
    data = tmp_path / "env-graph"
    result = runner.invoke(app, ["load", str(mini_dir)], env={"GRAPHSVC_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    assert (data / "snapshot.bin").exists()


def test_schema_prints_the_sdl() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.output == sdl()
    assert "relationshipCounts" in result.output


def test_failures_exit_non_zero_with_one_line_on_stderr(tmp_path: Path) -> None:
    env = {**os.environ, "GRAPHSVC_DATA_DIR": str(tmp_path / "graph")}
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "load", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"graphsvc: {tmp_path / 'missing'}: not a folder"]
    assert "Traceback" not in done.stderr


def test_a_busy_data_folder_is_a_clear_error(tmp_path: Path, mini_dir: Path) -> None:
    data = tmp_path / "graph"
    holder = MemoryStore(data)
    try:
        result = runner.invoke(app, ["load", str(mini_dir), "--data-dir", str(data)])
    finally:
        holder.close()
    assert result.exit_code == 1
    assert "in use by another graphsvc process" in result.output


def test_demo_generate_reports_progress_as_plain_lines_off_a_terminal(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "demo", "generate", str(tmp_path), "--scale", "0.02"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert any(line.startswith("write experts.csv: 70 done") for line in lines), lines
    assert "\x1b[" not in done.stderr  # no bar, no escape codes
    with (tmp_path / "experts.csv").open(encoding="utf-8") as f:
        assert sum(1 for _ in f) == 71  # header and 70 experts
