"""Latency of recommendExperts in process and over HTTP, next to networkx.pagerank.

Usage: ``python benchmarks/recommend.py [--scale 1.0] [--queries 300] [--no-http]``

Generates the demo dataset at the scale, loads it into a temporary store, and measures
per-query latency (p50/p99) of: the algorithm (`recommend_experts`, 10 items with reasons
and paths), the GraphQL field in process, the same over HTTP from a uvicorn server, and
`networkx.pagerank(personalization=...)` on the same graph (a few queries; it converts the
graph each time). Also how many of the push's top 10 experts a converged power iteration
(`networkx.pagerank`, tol 1e-10) agrees with. Writes the "recommend" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import write_section
from graphsvc.algorithms import ppr_numba
from graphsvc.algorithms.recommend import PPR_ALPHA, PPR_EPS, build_model, recommend_experts
from graphsvc.auth import Role
from graphsvc.cache import VersionedCache
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.schema import Context, build_schema
from graphsvc.schema.recommend import MODEL_KEY
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter

QUERY = """query($d: String) { recommendExperts(demand: $d, first: 10) {
  expert { key name } score reasons
  paths { share nodes { id key label name } relationships { type forward } } } }"""


def pct(values: list[float]) -> dict[str, float]:
    ms = np.asarray(values) * 1000
    return {
        "p50": round(float(np.percentile(ms, 50)), 2),
        "p99": round(float(np.percentile(ms, 99)), 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--nx-queries", type=int, default=3)
    ap.add_argument("--no-http", action="store_true")
    args = ap.parse_args()
    figures: dict[str, Any] = {
        "scale": args.scale,
        "queries": args.queries,
        "nx_queries": args.nx_queries,
    }
    with tempfile.TemporaryDirectory(prefix="bench-rec-") as tmp:
        folder, data_dir = Path(tmp) / "data", Path(tmp) / "graph"
        t0 = time.perf_counter()
        generate(folder, seed=2024, scale=args.scale)
        store = MemoryStore(data_dir)
        load_dataset(store, folder)
        figures["load_s"] = round(time.perf_counter() - t0, 1)
        view = store.view()
        figures["nodes"], figures["edges"] = view.number_of_nodes(), view.number_of_edges()
        t0 = time.perf_counter()
        model = build_model(view, version=store.version)
        figures["build_s"] = round(time.perf_counter() - t0, 2)
        print(f"loaded in {figures['load_s']} s, model in {figures['build_s']} s", file=sys.stderr)
        demands = list(model.index.table("Demand").keys)
        sample = random.Random(1).sample(demands, min(args.queries, len(demands)))
        recommend_experts(model, demand=sample[0])  # compile / warm
        algo = []
        for d in sample:
            t = time.perf_counter()
            recommend_experts(model, demand=d, first=10)
            algo.append(time.perf_counter() - t)
        figures["algorithm_ms"] = pct(algo)

        schema = build_schema()
        cache = VersionedCache()
        segmenter = Segmenter()

        async def run_all() -> list[float]:
            out = []
            for d in sample:
                ctx = Context(store=store, segmenter=segmenter, role=Role.PORTAL, cache=cache)
                t = time.perf_counter()
                result = await schema.execute(QUERY, variable_values={"d": d}, context_value=ctx)
                out.append(time.perf_counter() - t)
                assert result.errors is None, result.errors
            return out

        # the model of this version is built already: hand it to the cache as the first
        # query after a write would build it (which at scale 10 takes longer than the
        # query timeout; the build then finishes in the background)
        cache.get(store.version, MODEL_KEY, lambda: model)
        asyncio.run(run_all())  # warm
        figures["graphql_in_process_ms"] = pct(asyncio.run(run_all()))

        # personalized PageRank: networkx on the same walk, vs the push
        w = model.index.walk
        g = nx.DiGraph()
        g.add_nodes_from(range(w.n))
        for u in range(w.n):
            for j in range(w.indptr[u], w.indptr[u + 1]):
                g.add_edge(u, int(w.indices[j]), weight=float(w.data[j]))
        experts = model.index.table("Expert").gid
        nx_times, push_times, agree = [], [], []
        for d in sample[: args.nx_queries]:
            seed = model.index.gid("Demand", d)
            assert seed is not None
            t = time.perf_counter()
            nx.pagerank(view, personalization={f"Demand:{d}": 1.0})  # as a user would call it
            nx_times.append(time.perf_counter() - t)
            exact = nx.pagerank(
                g, alpha=1 - PPR_ALPHA, personalization={seed: 1.0}, weight="weight", tol=1e-10
            )
            t = time.perf_counter()
            nodes, values = ppr_numba.forward_push(
                w.indptr, w.indices, w.data, {seed: 1.0}, alpha=PPR_ALPHA, eps=PPR_EPS
            )
            push_times.append(time.perf_counter() - t)
            dense = np.zeros(w.n)
            dense[nodes] = values
            top_exact = set(sorted(experts.tolist(), key=lambda e: -exact[e])[:10])
            top_push = set(experts[np.argsort(-dense[experts], kind="stable")[:10]].tolist())
            agree.append(len(top_exact & top_push))
        figures["networkx_pagerank_ms"] = pct(nx_times)
        figures["push_ms"] = pct(push_times)
        figures["top10_agreement_min"] = min(agree)
        speedup = figures["networkx_pagerank_ms"]["p50"] / figures["algorithm_ms"]["p50"]
        figures["speedup_vs_networkx"] = round(speedup)
        store.close()

        if not args.no_http:
            from tests.api.conftest import TOKENS, start_server, stop_server

            server = start_server(data_dir, Path(tmp))
            try:
                import httpx

                headers = {"Authorization": f"Bearer {TOKENS['portal']}"}
                with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                    deadline = time.monotonic() + 600
                    while time.monotonic() < deadline:  # the server builds its model first
                        body = {"query": QUERY, "variables": {"d": sample[0]}}
                        if "errors" not in client.post("/graphql", json=body).json():
                            break
                        time.sleep(2)
                    http = []
                    for d in sample:
                        t = time.perf_counter()
                        r = client.post("/graphql", json={"query": QUERY, "variables": {"d": d}})
                        http.append(time.perf_counter() - t)
                        assert r.status_code == 200 and "errors" not in r.json(), r.text
                figures["http_ms"] = pct(http)
            finally:
                stop_server(server)

    # keep the figures of other scales measured before, so the section lists every scale
    from benchmarks.report import JSON

    previous: dict[str, Any] = {}
    if JSON.exists():
        previous = json.loads(JSON.read_text("utf-8")).get("recommend", {}).get("scales", {})
    scales = {**previous, str(args.scale): figures}
    markdown = "\n\n".join(
        render(f) for _, f in sorted(scales.items(), key=lambda kv: float(kv[0]))
    )
    print(markdown)
    write_section("recommend", markdown, {"scales": scales})


def render(figures: dict[str, Any]) -> str:
    """One scale's table and notes."""
    rows = [
        ("recommend_experts (algorithm, 10 items with reasons and paths)", "algorithm_ms"),
        ("recommendExperts through GraphQL, in process", "graphql_in_process_ms"),
        ("recommendExperts over HTTP (uvicorn, one client)", "http_ms"),
        ("forward push alone (numba, eps 1e-5)", "push_ms"),
        ("networkx.pagerank(personalization=...) on the store's view", "networkx_pagerank_ms"),
    ]
    lines = [
        f"### recommendExperts at scale {figures['scale']} ({figures['nodes']} nodes, "
        f"{figures['edges']} edges; model built in {figures['build_s']} s)",
        "",
        "| what | p50 ms | p99 ms |",
        "|---|---:|---:|",
    ]
    for label, key in rows:
        if key in figures:
            lines.append(f"| {label} | {figures[key]['p50']} | {figures[key]['p99']} |")
    lines += [
        "",
        f"{figures['queries']} queries on random demands; networkx over "
        f"{figures.get('nx_queries', 3)}. The "
        f"algorithm is {figures['speedup_vs_networkx']}x faster than networkx.pagerank at p50; "
        f"the push's top 10 experts agree with a converged power iteration (tol 1e-10) on at "
        f"least {figures['top10_agreement_min']} of 10.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
