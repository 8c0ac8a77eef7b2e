"""From nothing to a working service: generate → load → stats, and `graphsvc serve` on an empty
folder serving the demo data over real HTTP."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.ontology import NODE_FILES
from graphsvc.store import MemoryStore


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected_counts(folder: Path) -> tuple[Counter[str], Counter[str]]:
    """Node and relationship counts recounted from the dataset files alone."""
    nodes: Counter[str] = Counter()
    rels: Counter[str] = Counter()
    for name, spec in NODE_FILES.items():
        table = rows(folder / f"{name}.csv")
        nodes[spec.label] += len(table)
        for ref in spec.refs:
            if ref.keyword:
                continue
            for row in table:
                cell = row.get(ref.column, "")
                rels[ref.rel] += len([x for x in cell.split(";") if x.strip()])
    demands = rows(folder / "demands.csv")
    enterprises = rows(folder / "enterprises.csv")
    enterprise_industries = {r["key"]: r["industry_codes"] for r in enterprises}
    rels["CONCERNS"] = sum(  # a demand without codes concerns its enterprise's industries
        len((d["industry_codes"] or enterprise_industries[d["enterprise_key"]]).split(";"))
        for d in demands
        if d["industry_codes"] or enterprise_industries[d["enterprise_key"]]
    )
    records = rows(folder / "service_records.csv")
    rels["SERVED"] = len(records)
    addressed = {(r["expert_key"], r["demand_key"]) for r in records if r["demand_key"]}
    rels["ADDRESSED"] = len(addressed)
    rels["PAIRED_WITH"] = len(rows(folder / "pairings.csv"))
    rels["COLLABORATES_WITH"] = len(rows(folder / "collaborations.csv"))
    rels["ATTENDED"] = len(rows(folder / "training_attendance.csv"))
    rels["DEAL"] = sum(
        bool(d[c])
        for d in rows(folder / "deals.csv")
        for c in ("achievement_key", "expert_key", "institution_key")
    )
    return nodes, rels


@pytest.mark.slow
def test_generate_load_stats_round_trip(tmp_path: Path) -> None:
    dataset = tmp_path / "guangxi"
    written = generate(dataset, seed=2024, scale=1.0)
    store = MemoryStore(tmp_path / "graph")
    report = load_dataset(store, dataset)
    assert report.rejects == [] and report.refused_files == []
    assert report.loaded == sum(written.values())
    nodes, rels = expected_counts(dataset)
    counts = store.counts()
    keywords = counts.nodes.pop("Keyword")
    assert counts.nodes == dict(nodes)
    assert keywords > 500
    for rel_type, n in rels.items():
        assert counts.relationships.get(rel_type, 0) == n, rel_type
    assert counts.relationships["HAS_SKILL"] > 3500 and counts.relationships["MENTIONS"] > 7000
    assert nodes["Expert"] == 3500 and nodes["Achievement"] == 4000 and nodes["Training"] == 310
    store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_on_an_empty_folder_serves_the_demo_data(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "GRAPHSVC_DATA_DIR": str(tmp_path / "graph"),
        "GRAPHSVC_PORT": str(port),
    }
    env.pop("GRAPHSVC_ADMIN_TOKEN", None)
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen(
        [sys.executable, "-m", "graphsvc", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            deadline = time.monotonic() + 120
            ready = None
            refused_while_loading = 0
            with httpx.Client(base_url=base, timeout=5) as client:
                while time.monotonic() < deadline:
                    try:
                        live = client.get("/livez")
                        ready = client.get("/readyz")
                    except httpx.TransportError:
                        time.sleep(0.2)
                        continue
                    assert live.status_code == 200
                    if ready.status_code == 200:
                        break
                    assert ready.status_code == 503  # loading: not ready, but alive
                    query = client.post("/graphql", json={"query": "{ stats { version } }"})
                    if client.get("/readyz").status_code == 503:  # still loading after it
                        assert query.status_code == 503
                        assert "loading" in query.json()["errors"][0]["message"]
                        refused_while_loading += 1
                    time.sleep(0.3)
                assert ready is not None and ready.status_code == 200
                assert refused_while_loading > 0  # the demo takes seconds to load
                answer = client.post(
                    "/graphql",
                    json={
                        "query": "{ stats { nodeCounts { label count } "
                        "relationshipCounts { type count } } }"
                    },
                ).json()
        finally:
            server.send_signal(signal.SIGTERM)
            output, _ = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert "admin token" in output
    nodes = {c["label"]: c["count"] for c in answer["data"]["stats"]["nodeCounts"]}
    rels = {c["type"]: c["count"] for c in answer["data"]["stats"]["relationshipCounts"]}
    assert nodes["Expert"] == 3500 and nodes["Enterprise"] == 5000
    assert nodes["Demand"] == 3000 and nodes["Achievement"] == 4000
    assert nodes["City"] == 14 and nodes["County"] == 111 and nodes["Institution"] == 57
    assert rels["SERVED"] > 0 and rels["PAIRED_WITH"] > 0
    assert (tmp_path / "graph" / "admin.token").stat().st_mode & 0o077 == 0
