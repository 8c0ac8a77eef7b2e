"""The Neo4j backend next to the embedded store: loading the Guangxi demo and recommendExperts.

Usage: ``python benchmarks/neo4j.py [--scale 1.0] [--queries 200] [--uri bolt://...]``

Generates the demo dataset at the scale, starts the project's Neo4j (neo4j/, a temporary
database; or uses `--uri`, whose database it erases), and measures in one run, for each
backend: the `graphsvc load` of the folder (one bulk load), the first `view()` (the projection
the algorithms run on; Neo4j reads the whole graph over Bolt), and over HTTP from a uvicorn per
backend: `recommendExperts` (10 items with reasons and paths) and an entity query with its
neighbours, p50/p99 of one client. Writes the "neo4j" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

# The repository instead of this folder first: here `import neo4j` would find this very
# script. (Appended first so that `remove`, which takes the first occurrence, always finds it;
# at the end of the path the driver's package comes before it.)
sys.path.append(str(Path(__file__).resolve().parent))
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import write_section
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.store import MemoryStore
from graphsvc.store.base import GraphStore
from graphsvc.store.neo4j import Neo4jStore
from tests.api.conftest import TOKENS, Server, start_server, stop_server
from tests.neo4j import launcher

RECOMMEND = """query($d: String) { recommendExperts(demand: $d, first: 10) {
  expert { key name } score reasons
  paths { share nodes { id key label name } relationships { type forward } } } }"""
ENTITY = """query($k: String!) { expert(key: $k) { key name title institution { key name }
  city { code name } subgroups { key } industries { code name } keywords { key }
  serviceRecords(first: 20) { totalCount edges { node { role startOn rating
    enterprise { key name county { code } } } } }
  collaborators(first: 20) { totalCount edges { node { kind expert { key name } } } } } }"""


def pct(values: list[float]) -> dict[str, float]:
    ms = np.asarray(values) * 1000
    return {
        "p50": round(float(np.percentile(ms, 50)), 2),
        "p99": round(float(np.percentile(ms, 99)), 2),
    }


def timed_load(store: GraphStore, folder: Path) -> dict[str, Any]:
    t = time.perf_counter()
    report = load_dataset(store, folder)
    load_s = time.perf_counter() - t
    assert not report.rejects, report.rejects[:3]
    t = time.perf_counter()
    view = store.view()
    view_s = time.perf_counter() - t
    return {
        "load_s": round(load_s, 1),
        "view_s": round(view_s, 2),
        "nodes": view.number_of_nodes(),
        "edges": view.number_of_edges(),
    }


def latencies(server: Server, query: str, variables: list[dict[str, Any]]) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {TOKENS['portal']}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:

        def run(v: dict[str, Any]) -> float:
            t = time.perf_counter()
            r = client.post("/graphql", json={"query": query, "variables": v})
            elapsed = time.perf_counter() - t
            assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
            return elapsed

        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:  # the server builds its model and indexes first
            r = client.post("/graphql", json={"query": query, "variables": variables[0]})
            if r.status_code == 200 and "errors" not in r.json():
                break
            time.sleep(1)
        for v in variables[:5]:  # warm
            run(v)
        return pct([run(v) for v in variables])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--uri", help="an existing Neo4j (its database is erased)")
    args = ap.parse_args()
    figures: dict[str, Any] = {"scale": args.scale, "queries": args.queries}
    load_before = os.getloadavg()[1]
    with tempfile.TemporaryDirectory(prefix="bench-neo4j-") as tmp_name:
        tmp = Path(tmp_name)
        generate(tmp / "data", seed=2024, scale=args.scale)
        neo4j = None if args.uri else launcher.start(tmp / "neo4j", heap="2g")
        uri = args.uri or neo4j.uri  # type: ignore[union-attr]
        try:
            memory = MemoryStore(tmp / "graph")
            figures["memory"] = timed_load(memory, tmp / "data")
            demands = [p["key"] for p in memory.iter_nodes("Demand")]
            experts = [p["key"] for p in memory.iter_nodes("Expert")]
            memory.close()
            store = Neo4jStore(uri)
            store.erase()
            figures["neo4j"] = timed_load(store, tmp / "data")
            # Again into an erased database: the server's queries planned, its JIT warm.
            store.erase()
            figures["neo4j"]["warm_load_s"] = timed_load(store, tmp / "data")["load_s"]
            store.close()
            print(figures, file=sys.stderr)
            rng = random.Random(1)
            rec = [{"d": d} for d in rng.sample(demands, min(args.queries, len(demands)))]
            ent = [{"k": k} for k in rng.sample(experts, min(args.queries, len(experts)))]
            for name, env in (
                ("memory", {}),
                ("neo4j", {"GRAPHSVC_BACKEND": "neo4j", "GRAPHSVC_NEO4J_URI": uri}),
            ):
                (tmp / f"server-{name}").mkdir()
                server = start_server(tmp / "graph", tmp / f"server-{name}", **env)
                try:
                    figures[name]["recommend_ms"] = latencies(server, RECOMMEND, rec)
                    figures[name]["entity_ms"] = latencies(server, ENTITY, ent)
                finally:
                    stop_server(server)
        finally:
            if neo4j is not None:
                launcher.stop(neo4j)
    figures["load_average"] = round(max(load_before, os.getloadavg()[1]), 1)
    markdown = render(figures)
    print(markdown)
    write_section("neo4j", markdown, figures)


def render(f: dict[str, Any]) -> str:
    """The section: one row per measurement, a column per backend."""
    m, n = f["memory"], f["neo4j"]
    rows = [
        ("`graphsvc load` of the folder (one bulk load), s", "load_s", None),
        (
            "the same load again (Neo4j: erased, its queries planned, JIT warm), s",
            "warm_load_s",
            None,
        ),
        ("first `view()` of the new version (the algorithms' projection), s", "view_s", None),
        ("recommendExperts over HTTP, p50 ms", "recommend_ms", "p50"),
        ("recommendExperts over HTTP, p99 ms", "recommend_ms", "p99"),
        ("an expert with its neighbours over HTTP, p50 ms", "entity_ms", "p50"),
        ("an expert with its neighbours over HTTP, p99 ms", "entity_ms", "p99"),
    ]
    lines = [
        f"### Neo4j next to the embedded store: the Guangxi demo at scale {f['scale']} "
        f"({m['nodes']} nodes, {m['edges']} relationships)",
        "",
        "| what | embedded | Neo4j |",
        "|---|---:|---:|",
    ]
    for what, figure, part in rows:
        if part is None:
            a, b = m.get(figure, "—"), n.get(figure, "—")
        else:
            a, b = m[figure][part], n[figure][part]
        lines.append(f"| {what} | {a} | {b} |")
    lines += [
        "",
        f"{f['queries']} queries each, one client, both servers on this machine with Neo4j "
        "(the project's launcher, 2 GiB heap) on the same two cores. On Neo4j the model and "
        "indexes are built from the store's projection once per version, as on the embedded "
        "store, so recommendExperts differs only by the reads of the version and of the "
        "recommended entities' fields (Bolt round trips); the entity query is all such reads.",
    ]
    if "load_average" in f:
        lines.append(
            f"The machine's 5-minute load average was up to {f['load_average']} during the run "
            "(other work shares it): compare the columns, not runs."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
