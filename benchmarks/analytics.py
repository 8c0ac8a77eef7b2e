"""Analytics on the Guangxi demo dataset: clusters, brokers and coverage (and the other
analytics) cold and cached, by the algorithms and through GraphQL in process.

Run: `python benchmarks/analytics.py [--scale 1] [--repeat 30] [--no-baseline]
[--dataset DIR | --data-dir DIR] [--timeout 600] [--max-rss 16] [--skip NAME ...]`.
Cold: a fresh cache (the collaboration network is built too where it is needed); cached: the
median of `--repeat` runs against the warm per-version cache. Targets: cold under 3 s,
cached under 10 ms. Baselines, measured in the same run: networkx's Louvain on the same
industry–expert projection, and networkx's betweenness with as many sampled sources.

The store is generated and loaded (or loaded from a generated folder, `--dataset`, or a store
loaded before is reused, `--data-dir`: it is only read); the measurements run in a child
process that reopens it. Each step of an analysis (a cold run, the cached runs) gets
`--timeout` seconds and the child at most `--max-rss` GiB: past either the child is stopped,
that analysis is reported as not measured with the reason, and a new child measures the rest.
`--skip NAME` (repeatable; a name of the table, or `louvain` / `betweenness` for the
baselines) leaves an analysis out, reported as skipped. The section keeps the figures of the
other scales measured before.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.report import previous_scales, write_section
from benchmarks.run import LoadAverage, describe, rss_gib
from graphsvc.algorithms import collaboration as collab
from graphsvc.algorithms import communities, coverage, evaluation
from graphsvc.auth import Role
from graphsvc.cache import VersionedCache
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.schema import Context, Limits, build_schema
from graphsvc.schema.catalog import Indexes
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter

COLD_TARGET = 3.0  # seconds
CACHED_TARGET = 0.010  # seconds
BASELINES = ("louvain", "betweenness")
OPEN_TIMEOUT = 1800  # seconds for a child to reopen the store (about 2 minutes at scale 100)

QUERIES = {
    "clusters (industry–expert)": """{ clusters(projection: INDUSTRY_EXPERT, first: 10) {
        modularity clusters { id size openDemands demandExpertRatio industries { code }
        experts { key } counties { code } } } }""",
    "clusters (collaboration)": """{ clusters(projection: COLLABORATION, first: 10) {
        modularity clusters { id size openDemands demandExpertRatio industries { code }
        experts { key } counties { code } } } }""",
    "brokers": "{ brokers(first: 10) { rank key score expert { name } } }",
    "coverage": """{ coverage { benchmarkTotal benchmarkPaired pairingCoverage
        countiesWithCommissioner commissionerCoverage povertyCountiesServed threeNoTotal
        industryGaps(first: 10) { rank code openDemands experts pressure }
        countyGaps(first: 10) { rank code openDemands experts pressure } } }""",
    "key experts": "{ keyExperts(first: 10) { rank key score } }",
    "service stats (expert)": """{ serviceStats(groupBy: EXPERT, first: 20) {
        total { services meanRating } groups { key services enterprisesServed demandsSolved
        meanRating meanDaysToFirstService deals dealAmountWan } } }""",
}


def _algorithms(
    view: nx.MultiDiGraph, cache: VersionedCache, version: int
) -> dict[str, Callable[[], object]]:
    """Each analysis as the resolvers ask the cache for it."""

    def network() -> collab.CollaborationGraph:
        return cache.get(
            version, ("collaboration-graph",), lambda: collab.build_collaboration_graph(view)
        )

    today = dt.date.today().isoformat()
    return {
        "clusters (industry–expert)": lambda: cache.get(
            version,
            ("clusters", "industry_expert"),
            lambda: communities.clusters(view, communities.Projection.INDUSTRY_EXPERT),
        ),
        "clusters (collaboration)": lambda: cache.get(
            version,
            ("clusters", "collaboration"),
            lambda: communities.clusters(
                view, communities.Projection.COLLABORATION, network=network()
            ),
        ),
        "brokers": lambda: cache.get(
            version, ("brokers",), lambda: collab.broker_ranking(network())
        ),
        "coverage": lambda: cache.get(
            version, ("coverage", today), lambda: coverage.coverage(view, today=today)
        ),
        "key experts": lambda: cache.get(
            version, ("pagerank",), lambda: collab.pagerank_ranking(network())
        ),
        "service stats (expert)": lambda: cache.get(
            version,
            ("service-stats", "expert"),
            lambda: evaluation.service_stats(view, evaluation.GroupBy.EXPERT),
        ),
    }


def _seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _median(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(_seconds(fn) for _ in range(repeat))


class Child:
    """The measuring child's side: reports each step before it starts and each figure as it
    lands, one JSON object a line, so that the parent can stop a step that runs too long and
    keep what was measured."""

    def __init__(self, out: Path) -> None:
        self.out = out.open("a", encoding="utf-8")

    def emit(self, **event: Any) -> None:
        self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
        self.out.flush()

    def step(self, item: str, step: str, fn: Callable[[], Any]) -> Any:
        self.emit(item=item, step=step, started=time.time())
        value = fn()
        self.emit(item=item, step=step, value=value)
        return value


def measure(
    store: MemoryStore, repeat: int, names: list[str], child: Child, timeout: float
) -> None:
    """Cold and cached times of each analysis, by the algorithm and through GraphQL. The
    GraphQL budget is raised to `timeout`: with the service's 5 s a cold analysis that takes
    longer answers UNAVAILABLE while it is built in the background."""
    view, version = store.view(), store.version
    limits = Limits(query_timeout=timeout)
    schema = build_schema(limits=limits)
    segmenter = Segmenter()
    loop = asyncio.new_event_loop()  # one loop and its worker threads, as in the server
    for name in names:
        query = QUERIES[name]
        cache = VersionedCache()
        run = _algorithms(view, cache, version)[name]
        child.step(name, "algorithm cold", partial(_seconds, run))
        child.step(name, "algorithm cached", partial(_median, run, repeat))

        gql_cache, indexes = VersionedCache(), Indexes()

        def execute(
            cache: VersionedCache = gql_cache, indexes: Indexes = indexes, q: str = query
        ) -> None:
            ctx = Context(
                store=store,
                segmenter=segmenter,
                role=Role.PLANNER,
                indexes=indexes,
                cache=cache,
                limits=limits,
            )
            result = loop.run_until_complete(schema.execute(q, context_value=ctx))
            assert result.errors is None, result.errors

        child.step(name, "GraphQL cold", partial(_seconds, execute))
        child.step(name, "GraphQL cached", partial(_median, execute, repeat))
        child.emit(item=name, done=True)
    loop.close()


def louvain_baseline(store: MemoryStore) -> dict[str, Any]:
    """networkx's Louvain on the industry–expert projection, tie by tie (networkx needs every
    tie between experts), next to our Leiden's modularity on the graph with twins merged."""
    view = store.view()
    projection = communities.industry_expert_projection(view)
    g = projection.to_networkx()
    started = time.perf_counter()
    parts = nx.community.louvain_communities(g, weight="weight", seed=0)
    louvain = time.perf_counter() - started
    ours = communities.clusters(view, communities.Projection.INDUSTRY_EXPERT)
    return {
        "projection_edges": projection.edges,
        "projection_nodes": projection.nodes,
        "experts": len(projection.keys),
        "networkx_louvain_s": louvain,
        "networkx_louvain_modularity": nx.community.modularity(g, parts, weight="weight"),
        "leiden_modularity": ours.modularity,
    }


def betweenness_baseline(store: MemoryStore) -> dict[str, Any]:
    """networkx's betweenness on the collaboration network, next to igraph's."""
    network = collab.build_collaboration_graph(store.view())
    tied = sum(1 for a in network.adjacency if a)
    samples = collab.BETWEENNESS_SAMPLES if tied > collab.EXACT_BETWEENNESS_LIMIT else None
    started = time.perf_counter()
    collab.betweenness(network)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    nx.betweenness_centrality(network.to_networkx(), k=samples, seed=0)
    return {
        "collaboration_ties": len(network.ties),
        "tied_experts": tied,
        "betweenness_samples": samples,
        "igraph_betweenness_s": ours,
        "networkx_betweenness_s": time.perf_counter() - started,
    }


def projection_pairs(view: nx.MultiDiGraph) -> int:
    """An upper bound of the ties of the industry–expert projection, counted without building
    it: the pairs of experts that share an industry, summed over industries."""
    sizes = [
        sum(1 for u, _, k in view.in_edges(n, keys=True) if k == "EXPERT_IN")
        for n in view.nodes
        if n.startswith("Industry:")
    ]
    return sum(n * (n - 1) // 2 for n in sizes)


def child_main(data_dir: Path, out: Path, names: list[str], repeat: int, timeout: float) -> None:
    """The measuring child: reopen the store and measure `names` in order."""
    child = Child(out)
    started = time.perf_counter()
    store = MemoryStore(data_dir)
    try:
        c = store.counts()
        child.emit(
            opened=time.perf_counter() - started,
            nodes=sum(c.nodes.values()),
            edges=sum(c.relationships.values()),
            projection_pairs=projection_pairs(store.view()),
        )
        measure(store, repeat, [n for n in names if n in QUERIES], child, timeout)
        for name, fn in (("louvain", louvain_baseline), ("betweenness", betweenness_baseline)):
            if name in names:
                child.step(name, name, partial(fn, store))
                child.emit(item=name, done=True)
    finally:
        store.close()


def run_children(
    data_dir: Path, names: list[str], args: argparse.Namespace, work: Path
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """Measure `names` in child processes, each step within the time and memory bounds; a
    child stopped on a bound (or crashed) is followed by a new one for the analyses left.
    Returns the store's counts and, per analysis, its figures (and why any is missing)."""
    counts: dict[str, int] = {}
    found: dict[str, dict[str, Any]] = {n: {} for n in names}
    left = list(names)
    while left:
        out = work / f"child-{len(names) - len(left)}.jsonl"
        out.touch()
        cmd = [sys.executable, __file__, "--child", str(out), "--data-dir", str(data_dir)]
        cmd += ["--repeat", str(args.repeat), "--timeout", str(args.timeout)]
        cmd += [a for n in left for a in ("--only", n)]
        err = work / "child.err"
        with err.open("wb") as stderr:
            proc = subprocess.Popen(cmd, stderr=stderr)
        current: tuple[str, str, float] | None = None  # item, step, started
        opened_by = time.time() + OPEN_TIMEOUT
        reason = None
        with out.open(encoding="utf-8") as events:
            while True:
                exited = proc.poll() is not None
                for line in events.readlines():
                    event = json.loads(line)
                    if "opened" in event:
                        counts = {"nodes": event["nodes"], "edges": event["edges"]}
                        counts["projection_pairs"] = event["projection_pairs"]
                        print(f"store reopened in {event['opened']:.0f} s", flush=True)
                    elif event.get("done"):
                        left.remove(event["item"])
                        current = None
                        print(event["item"], found[event["item"]], flush=True)
                    elif "value" in event:
                        found[event["item"]][event["step"]] = event["value"]
                    else:
                        current = (event["item"], event["step"], event["started"])
                if exited:
                    break
                rss = rss_gib(proc.pid)
                if current and time.time() - current[2] > args.timeout:
                    reason = f"{current[1]} ran longer than {args.timeout:g} s"
                elif rss > args.max_rss:
                    reason = f"{current[1] if current else 'reopening'} took more than "
                    reason += f"{args.max_rss:g} GiB of memory (the store included)"
                elif not counts and time.time() > opened_by:
                    raise SystemExit(f"the store did not reopen within {OPEN_TIMEOUT} s")
                if reason:
                    proc.kill()  # our own child, by its PID
                    proc.wait()
                    break
                time.sleep(0.5)
        if proc.returncode and reason is None:
            lines = err.read_text("utf-8", "replace").strip().splitlines()
            last = lines[-1].strip() if lines else f"exit status {proc.returncode}"
            reason = f"{current[1] if current else 'the child'} failed: {last}"
            if current is None:
                raise SystemExit(reason)
        if reason is not None:
            assert current is not None
            print(f"{current[0]}: not measured: {reason}", flush=True)
            found[current[0]]["not_measured"] = reason
            left.remove(current[0])
    return counts, found


def _ms(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


PHASES = {
    "algorithm cold": "algorithm_cold_s",
    "algorithm cached": "algorithm_cached_s",
    "GraphQL cold": "graphql_cold_s",
    "GraphQL cached": "graphql_cached_s",
}


def _cell(seconds: float | None) -> str:
    return "not measured" if seconds is None else _ms(seconds)


def markdown(scales: dict[str, Any]) -> str:
    lines = [
        "## Analytics",
        "",
        "`python benchmarks/analytics.py --scale S`: the analytics on the Guangxi demo dataset. "
        "Cold: a fresh cache (the collaboration network is built too where needed); cached: "
        "the median of repeated runs against the warm per-version cache. *Algorithm* is the "
        "analysis as the resolver asks the cache for it; *GraphQL* a whole query in process "
        "(parse, validate, resolve, entity look-ups) on one event loop, as the server runs "
        "them (with the query's time budget raised to the step's bound: the service's 5 s "
        "would answer UNAVAILABLE and go on building in the background). Targets: cold under "
        "3 s, cached under 10 ms. Each step runs within a time and memory bound; an analysis "
        "past one is reported as not measured, with the reason.",
    ]
    for _, f in sorted(scales.items(), key=lambda kv: float(kv[0])):
        lines += ["", *_scale_markdown(f)]
    return "\n".join(lines)


def _scale_markdown(f: dict[str, Any]) -> list[str]:
    lines = [
        f"### Scale {f['scale']:g} ({f['nodes']:,} nodes, {f['edges']:,} relationships)",
        "",
        "| analysis | algorithm cold | algorithm cached | GraphQL cold | GraphQL cached "
        "| targets |",
        "|---|---|---|---|---|---|",
    ]
    notes = []
    for r in f["runs"]:
        cells = [_cell(r.get(key)) for key in PHASES.values()]
        if r.get("graphql_cold_s") is None or r.get("graphql_cached_s") is None:
            verdict = "not measured"
        elif r["graphql_cold_s"] < COLD_TARGET and r["graphql_cached_s"] < CACHED_TARGET:
            verdict = "met"
        else:
            verdict = "missed"
        lines.append(f"| {r['analysis']} | {' | '.join(cells)} | {verdict} |")
        if r.get("not_measured"):
            notes.append(f"- {r['analysis']}: {r['not_measured']}.")
    base = f.get("baselines") or {}
    if "networkx_louvain_s" in base:
        merged = (
            f", on the projection with twins merged ({base['projection_nodes']:,} nodes),"
            if "projection_nodes" in base
            else ""
        )
        notes.append(
            f"- Baseline: networkx's Louvain on the same industry–expert projection "
            f"({base['experts']:,} experts, {base['projection_edges']:,} weighted ties) took "
            f"{base['networkx_louvain_s']:.2f} s for modularity "
            f"{base['networkx_louvain_modularity']:.4f}; igraph's Leiden{merged} reached "
            f"{base['leiden_modularity']:.4f} (its time is in the cold clusters figure above)."
        )
    elif base.get("louvain_not_measured"):
        notes.append(f"- Baseline networkx Louvain: not measured: {base['louvain_not_measured']}.")
    if "networkx_betweenness_s" in base:
        sampled = (
            f"{base['betweenness_samples']:,} sampled sources"
            if base["betweenness_samples"]
            else "exact"
        )
        notes.append(
            f"- Baseline: networkx's betweenness on the collaboration network "
            f"({base['collaboration_ties']:,} ties, {base['tied_experts']:,} tied experts, "
            f"{sampled}) took {base['networkx_betweenness_s']:.2f} s, igraph's "
            f"{base['igraph_betweenness_s']:.2f} s."
        )
    elif base.get("betweenness_not_measured"):
        notes.append(
            f"- Baseline networkx betweenness: not measured: {base['betweenness_not_measured']}."
        )
    if f.get("projection_pairs") and (
        base.get("louvain_not_measured")
        or any(
            r["analysis"].startswith("clusters (industry") and r.get("not_measured")
            for r in f["runs"]
        )
    ):
        notes.append(
            f"- The industry–expert projection (experts tied by a shared industry) holds up to "
            f"{f['projection_pairs']:,} ties between experts at this scale (pairs of experts "
            "per industry, summed). networkx's Louvain needs each of them; graphsvc clusters "
            "the projection with experts of the same industries merged (docs/analytics.md)."
        )
    if f.get("baselines") is None:
        notes.append("- Baselines (networkx): not measured in this run (`--no-baseline`).")
    if notes:
        lines += ["", *notes]
    if "measured" in f:
        lines += ["", describe(f["measured"])]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-baseline", action="store_true")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--dataset", type=Path, help="a demo dataset folder generated before")
    source.add_argument("--data-dir", type=Path, help="a store loaded before (only read)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per step")
    parser.add_argument("--max-rss", type=float, default=16, help="GiB for the child")
    parser.add_argument("--skip", action="append", default=[], help="an analysis to leave out")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--only", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.data_dir, args.child, args.only, args.repeat, args.timeout)
        return
    unknown = set(args.skip) - set(QUERIES) - set(BASELINES)
    if unknown:
        parser.error(f"unknown analyses {sorted(unknown)}; known: {[*QUERIES, *BASELINES]}")
    names = [*QUERIES, *([] if args.no_baseline else BASELINES)]
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp, LoadAverage() as load:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "graph"
            dataset = args.dataset or Path(tmp) / "dataset"
            if args.dataset is None:
                generate(dataset, seed=2024, scale=args.scale)
            store = MemoryStore(data_dir)
            try:
                load_dataset(store, dataset)
            finally:
                store.close()
            del store
        measured = [n for n in names if n not in args.skip]
        counts, found = run_children(data_dir, measured, args, Path(tmp))
        summary = load.summary()
    for name in args.skip:
        found[name] = {"not_measured": "skipped (--skip)"}
    rows = []
    for name in QUERIES:
        row: dict[str, Any] = {"analysis": name}
        for step, key in PHASES.items():
            row[key] = found[name].get(step)
        if "not_measured" in found[name]:
            row["not_measured"] = found[name]["not_measured"]
        rows.append(row)
    base: dict[str, Any] | None = None
    if not args.no_baseline:
        base = {}
        for name in BASELINES:
            base.update(found[name].get(name) or {})
            if "not_measured" in found[name]:
                base[f"{name}_not_measured"] = found[name]["not_measured"]
    figures = {"scale": args.scale, **counts, "runs": rows, "baselines": base}
    figures["measured"] = summary
    scales = {**previous_scales("analytics", "runs"), str(args.scale): figures}
    text = markdown(scales)
    print(text)
    write_section("analytics", text, {"scales": scales})


if __name__ == "__main__":
    main()
