"""Load test: the programme's mixed traffic at 50 concurrent clients, then with 5 writers too.

`python benchmarks/loadtest.py [--scale 1] [--users 50] [--writers 5] [--duration 60]`:
generates and loads the demo dataset, starts graphsvc (uvicorn, 1 worker, 127.0.0.1), and
runs locust headless (benchmarks/locustfile.py) twice against it: `--users` readers mixing
the portal's recommendation calls, the frontend's reads and the planners' analytics; then
the same readers and `--writers` clients posting demands and recording services. A request
fails unless it answers 200 without GraphQL or payload errors. Writes the "loadtest"
section of docs/benchmarks.md (requests/s, failures, p50/p99 per kind of request).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.api import _scenarios, _start, _stop, _wait_warm  # noqa: E402
from benchmarks.report import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
TOKENS = {
    "admin": "loadtest-admin-token-0123456789",
    "portal": "loadtest-portal-token-0123456789",
    "planner": "loadtest-planner-token-0123456789",
}
ANALYTICS = ("clusters", "coverage", "serviceStats", "planPairing")
RECOMMEND = ("recommendExperts", "recommendInstitutions", "recommendDemands")
WRITES = ("postDemand", "recordService")


def _keys(store_dir: Path) -> dict[str, Any]:
    """Real keys for the users to ask about, and the frontend's queries (benchmarks/api.py)."""
    from graphsvc.store import MemoryStore

    reads = _scenarios(store_dir)
    store = MemoryStore(store_dir)
    try:
        keys = {
            "enterprises": [p["key"] for p in store.iter_nodes("Enterprise")][::7][:200],
            "experts": [p["key"] for p in store.iter_nodes("Expert")][::5][:200],
            "demands": [p["key"] for p in store.iter_nodes("Demand")][::5][:200],
            "terms": [p["key"] for p in store.iter_nodes("Keyword")][::41][:50],
        }
    finally:
        store.close()
    return {**keys, "reads": reads, "tokens": TOKENS}


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # CI may start us with SIGINT ignored


def _locust(
    url: str,
    keys: Path,
    users: int,
    duration: int,
    classes: list[str],
    prefix: Path,
    writer_wait: str,
) -> None:
    cmd = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless"]
    cmd += ["-u", str(users), "-r", str(users), "-t", f"{duration}s", "--host", url]
    cmd += ["--csv", str(prefix), "--only-summary", "--stop-timeout", "30"]
    cmd += ["--loglevel", "WARNING", "--exit-code-on-error", "0", *classes]
    env = {
        **os.environ,
        "GRAPHSVC_LOADTEST_KEYS": str(keys),
        "GRAPHSVC_LOADTEST_WRITER_WAIT": writer_wait,
    }
    subprocess.run(cmd, env=env, check=True, preexec_fn=_default_signals, timeout=duration + 300)


def _stats(prefix: Path) -> dict[str, dict[str, float]]:
    """locust's per-request figures (times in ms), keyed by request name."""
    out: dict[str, dict[str, float]] = {}
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]),
                "max_ms": float(row["Max Response Time"]),
            }
    return out


def _failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [f"{r['Name']}: {r['Error'][:160]} ({r['Occurrences']}x)" for r in csv.DictReader(f)]


def _warm(url: str, keys: dict[str, Any]) -> None:
    """One request of each analytics query, so the run starts from warm caches."""
    queries = {
        "clusters": "{ clusters(first: 10) { clusterCount } }",
        "coverage": "{ coverage { enterprises } }",
        "serviceStats": "{ serviceStats(groupBy: EXPERT, first: 10) { groupCount } }",
        "planPairing": "{ planPairing { assignmentCount } }",
    }
    headers = {"Authorization": f"Bearer {TOKENS['planner']}"}
    for name, query in queries.items():
        response = httpx.post(url, json={"query": query}, headers=headers, timeout=600)
        if response.status_code != 200 or response.json().get("errors"):
            raise SystemExit(f"{name} failed: {response.text[:500]}")


def _group(stats: dict[str, dict[str, float]]) -> list[tuple[str, dict[str, float]]]:
    reads = sorted(k for k in stats if k not in (*RECOMMEND, *ANALYTICS, *WRITES, "Aggregated"))
    order = [*RECOMMEND, *reads, *ANALYTICS, *WRITES, "Aggregated"]
    return [(name, stats[name]) for name in order if name in stats]


def _markdown(figures: dict[str, Any]) -> str:
    runs = figures["runs"]
    lines = [
        "## Load test",
        "",
        f"`python benchmarks/loadtest.py`: locust (headless, {figures['locust']}) against "
        f"graphsvc (uvicorn, 1 worker, 127.0.0.1) on the demo dataset at scale "
        f"{figures['scale']:g} ({figures['nodes']:,} nodes), {figures['duration_s']} s per "
        "run. Readers mix the portal's recommendation calls, the frontend's reads (the API "
        "benchmark's entity lookups, pages and search) and the planners' analytics, with "
        "0.5–1.5 s between requests; writers post a demand then record a service for it. A "
        "request fails unless it answers 200 with no GraphQL or payload error. Times in ms "
        "(locust rounds those above 100 ms).",
        "",
    ]
    for run in runs:
        lines += [
            f"### {run['title']}",
            "",
            "| request | count | failures | req/s | p50 | p99 | max |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, s in _group(run["stats"]):
            label = f"**{name}**" if name == "Aggregated" else name
            lines.append(
                f"| {label} | {s['requests']:,.0f} | {s['failures']:,.0f} | {s['rps']:.1f} | "
                f"{s['p50_ms']:.0f} | {s['p99_ms']:.0f} | {s['max_ms']:.0f} |"
            )
        total = run["stats"].get("Aggregated", {})
        failed = total.get("failures", 0)
        verdict = "target (no failed request) met" if not failed else "target NOT met"
        lines += [
            "",
            f"{failed:,.0f} failed requests of {total.get('requests', 0):,.0f}, {verdict}"
            + (": " + "; ".join(run["failures"][:3]) if run["failures"] else "."),
            "",
        ]
    lines += [
        "With writers, every write makes a new graph version: the response cache empties, "
        "and the whole-graph results (the recommender, about 0.8 s to build at this scale; "
        "the search index, about 3 s; the analytics; the plans) are rebuilt in the "
        "background on one rebuild thread while queries answer from the latest ones built "
        "(docs/architecture.md, Caches). Writes take turns and wait for the graph walks "
        "running when they come (their budget is WRITE_TIMEOUT, 30 s). The seconds of p99 "
        "are that queueing on one uvicorn worker, with the rebuilds and locust sharing its "
        "two cores.",
        "",
        "The machine is shared: other work ran on its 2 cores during the runs, and locust "
        "itself takes a share of them; compare the runs with each other rather than with "
        "figures from another day.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run the load test and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--users", type=int, default=50, help="concurrent readers")
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument(
        "--writer-wait",
        action="append",
        help="a writer's pause between its writes, LOW,HIGH seconds; one run with writers "
        "per value (default: 10,20, a portal's pace, and 0.5,1.5, a burst)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs")
    args = parser.parse_args()

    from importlib.metadata import version

    from graphsvc.loaders.demo import generate
    from graphsvc.loaders.load import load_dataset
    from graphsvc.store import MemoryStore

    with tempfile.TemporaryDirectory(prefix="graphsvc-loadtest-") as tmp:
        work = Path(tmp)
        generate(work / "dataset", seed=2024, scale=args.scale)
        store = MemoryStore(work / "graph")
        load_dataset(store, work / "dataset")
        nodes = sum(store.counts().nodes.values())
        store.close()
        keys = _keys(work / "graph")
        keys_file = work / "keys.json"
        keys_file.write_text(json.dumps(keys, ensure_ascii=False), "utf-8")
        tokens_file = work / "tokens.txt"
        tokens_file.write_text(f"{TOKENS['portal']} portal\n{TOKENS['planner']} planner\n", "utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
        env.update(
            GRAPHSVC_DATA_DIR=str(work / "graph"),
            GRAPHSVC_ADMIN_TOKEN=TOKENS["admin"],
            GRAPHSVC_TOKENS_FILE=str(tokens_file),
            GRAPHSVC_DEMO_IF_EMPTY="false",
        )
        server, url = _start("graphsvc.app:app_factory", env, ROOT, work / "graphsvc.log")
        runs = []
        try:
            _wait_warm(f"{url}/readyz", server, work / "graphsvc.log")
            _warm(f"{url}/graphql", keys)
            plans = [(f"{args.users} readers", args.users, ["Reader"], "1,1")]
            for wait in args.writer_wait or ["10,20", "0.5,1.5"]:
                low, high = wait.split(",")
                title = (
                    f"{args.users} readers and {args.writers} writers, each writing a demand "
                    f"and a service then pausing {low}–{high} s"
                )
                plans.append((title, args.users + args.writers, ["Reader", "Writer"], wait))
            for n, (title, users, classes, wait) in enumerate(plans):
                prefix = work / f"run{n}"
                started = time.monotonic()
                _locust(url, keys_file, users, args.duration, classes, prefix, wait)
                print(f"{title}: {time.monotonic() - started:.0f} s", flush=True)
                runs.append(
                    {"title": title, "stats": _stats(prefix), "failures": _failures(prefix)}
                )
        finally:
            _stop(server)
        log_tail = (work / "graphsvc.log").read_text("utf-8", "replace")[-2000:]

    figures = {
        "scale": args.scale,
        "nodes": nodes,
        "users": args.users,
        "writers": args.writers,
        "duration_s": args.duration,
        "locust": f"locust {version('locust')}",
        "runs": runs,
        "shared_machine": True,
    }
    md = _markdown(figures)
    print(md)
    if "Traceback" in log_tail:
        print(f"server log:\n{log_tail}", file=sys.stderr)
    if not args.no_write:
        write_section("loadtest", md, figures)


if __name__ == "__main__":
    main()
