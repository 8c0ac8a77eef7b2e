"""The command line on Neo4j: load with its report, stats, and clear one-line failures."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.store.neo4j import Neo4jStore
from tests.api.conftest import free_port

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
runner = CliRunner()


def test_load_then_stats(tmp_path: Path, neo4j_store: Neo4jStore, neo4j_uri: str) -> None:
    case = tmp_path / "case"
    shutil.copytree(MINI, case)
    shutil.copy(BAD / "relationship-rules" / "deals.csv", case / "deals.csv")
    report = tmp_path / "rejects.csv"
    args = ["--backend", "neo4j", "--neo4j-uri", neo4j_uri]
    result = runner.invoke(app, ["load", str(case), *args, "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "(graph version 1)" in result.output
    assert "deals.csv" in report.read_text("utf-8")
    result = runner.invoke(app, ["stats", *args])
    assert result.exit_code == 0, result.output
    assert "graph version 1" in result.output
    [line] = [line for line in result.output.splitlines() if " Expert " in line]
    assert str(neo4j_store.counts().nodes["Expert"]) in line


def test_an_unreachable_neo4j_is_one_clear_line(neo4j_uri: str) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["stats", "--backend", "neo4j", "--neo4j-uri", uri])
    assert result.exit_code != 0
    assert f"Neo4j at {uri} is unavailable" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["stats", "--backend", "neo4j", "--neo4j-uri", "ftp://x"])
    assert result.exit_code != 0 and "cannot use the Neo4j URI 'ftp://x'" in result.output


def test_a_routing_uri_works(neo4j_store: Neo4jStore, neo4j_uri: str) -> None:
    routed = Neo4jStore(neo4j_uri.replace("bolt://", "neo4j://"))
    try:
        assert routed.version == 0 and routed.ping()
        assert routed.counts().nodes == {}
    finally:
        routed.close()
