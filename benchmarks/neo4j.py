"""The Neo4j backend next to the embedded store: loading the Guangxi demo and recommendExperts.

Usage: ``python benchmarks/neo4j.py [--scale 1.0] [--queries 200] [--uri bolt://...]
[--dataset DIR] [--data-dir DIR] [--heap 2g] [--page-cache MB] [--max-rss GiB] [--timeout s]
[--warm-load | --no-warm-load] [--no-docs]``

Generates the demo dataset at the scale (or uses `--dataset`, generated before), starts the
project's Neo4j (neo4j/, a temporary database; or uses `--uri`, whose database it erases), and
measures for each backend: the `graphsvc load` of the folder (one bulk load; with `--data-dir`,
an embedded store loaded before from the dataset, the embedded load is not redone and its
figure is taken from benchmarks/load.py's), the first `view()` (the projection the algorithms
run on; Neo4j reads the whole graph over Bolt), and over HTTP from a uvicorn per backend:
`recommendExperts` (10 items with reasons and paths) and an entity query with its neighbours,
p50/p99 of one client.

One step at a time, each in a process of its own that ends with it, so that at most one big
graphsvc process runs (Neo4j's JVM beside it): the embedded store's load and its server, then
Neo4j started, loaded, projected and served. A step that takes more than `--max-rss` GiB
(its processes and Neo4j's together) or `--timeout` seconds is stopped and reported "not
measured" with the reason. Writes the "neo4j" section of docs/benchmarks.md, keeping the
figures of the other scales measured before (`--no-docs`: print only, for trial runs).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

import httpx
import numpy as np

# The repository instead of this folder first: here `import neo4j` would find this very
# script. (Appended first so that `remove`, which takes the first occurrence, always finds it;
# at the end of the path the driver's package comes before it.)
sys.path.append(str(Path(__file__).resolve().parent))
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import neo4j as neo4j_driver

from benchmarks.api import _stop, _wait_warm, graphsvc_server
from benchmarks.report import JSON, previous_scales, write_section
from benchmarks.run import LoadAverage, describe, rss_gib
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.store import MemoryStore
from graphsvc.store.base import Batch, GraphStore
from graphsvc.store.neo4j import BULK_COMMIT_EVERY, Neo4jStore
from tests.neo4j import launcher

PORTAL_TOKEN = "bench-portal-token-0123456789"
RECOMMEND = """query($d: String) { recommendExperts(demand: $d, first: 10) {
  expert { key name } score reasons
  paths { share nodes { id key label name } relationships { type forward } } } }"""
ENTITY = """query($k: String!) { expert(key: $k) { key name title institution { key name }
  city { code name } subgroups { key } industries { code name } keywords { key }
  serviceRecords(first: 20) { totalCount edges { node { role startOn rating
    enterprise { key name county { code } } } } }
  collaborators(first: 20) { totalCount edges { node { kind expert { key name } } } } } }"""
HEADING = """## Neo4j next to the embedded store

`python benchmarks/neo4j.py --scale S` (at scale 100 with `--dataset` and `--data-dir`, a
dataset generated and an embedded store loaded once): one bulk load into each backend, the
first `view()` (the projection the algorithms run on), and recommendExperts and an entity
query over HTTP from a server per backend, one after the other."""


def log(message: str) -> None:
    """A timestamped progress line on stderr (long runs are watched)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_gib() -> float:
    """This process's peak RSS so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)


def pct(values: list[float]) -> dict[str, float]:
    ms = np.asarray(values) * 1000
    return {
        "p50": round(float(np.percentile(ms, 50)), 2),
        "p99": round(float(np.percentile(ms, 99)), 2),
    }


class NotMeasuredError(Exception):
    """A step stopped at a bound (memory, time) or failed; the message says why."""


@dataclass
class Guard:
    """Watches a step's process (and others beside it, e.g. Neo4j's JVM): past `max_rss` GiB
    together or `timeout` seconds it kills the step's process, by its PID."""

    max_rss: float
    timeout: float
    others: list[int] = field(default_factory=list)
    peak: float = 0.0
    others_peak: float = 0.0
    reason: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def watch(self, pid: int, kill: Callable[[], None]) -> None:
        """Start watching `pid` (in a thread); `kill` stops it."""
        self._stop = stop = threading.Event()
        self.peak, self.others_peak, self.reason = 0.0, 0.0, None
        deadline = time.monotonic() + self.timeout

        def run() -> None:
            while not stop.wait(0.5):
                others = sum(rss_gib(p) for p in self.others)
                total = rss_gib(pid) + others
                self.peak = max(self.peak, total)
                self.others_peak = max(self.others_peak, others)
                if total > self.max_rss:
                    self.reason = f"took more than {self.max_rss:g} GiB of memory"
                elif time.monotonic() > deadline:
                    self.reason = f"took longer than {self.timeout:g} s"
                else:
                    continue
                kill()
                return

        threading.Thread(target=run, daemon=True).start()

    def with_others(self) -> str:
        """What the peak includes, for the log."""
        return f"(Neo4j's JVM {self.others_peak:.2f} of it)" if self.others else ""

    def done(self) -> float:
        """Stop watching; the peak GiB seen."""
        self._stop.set()
        return round(self.peak, 2)


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as e:  # sent back to the parent, which reports the step
        conn.send(("error", f"{type(e).__name__}: {e}"[:500]))


def in_child(guard: Guard, what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in a fresh (spawned) process under `guard`; raises NotMeasuredError when
    the guard stopped it or it failed. The step's peak memory is logged."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args))
    t0 = time.perf_counter()
    proc.start()
    child.close()
    assert proc.pid is not None
    guard.watch(proc.pid, proc.kill)
    result: tuple[str, Any] | None = None
    try:
        while proc.is_alive() or parent.poll():
            if parent.poll(1):
                result = parent.recv()
                break
    except EOFError:
        pass
    proc.join()
    peak = guard.done()
    log(f"{what}: {time.perf_counter() - t0:.1f} s; peak {peak} GiB {guard.with_others()}")
    if guard.reason:
        raise NotMeasuredError(f"{what} {guard.reason}")
    if result is None:
        raise NotMeasuredError(f"{what} ended without an answer (exit {proc.exitcode})")
    if result[0] == "error":
        raise NotMeasuredError(f"{what} failed: {result[1]}")
    return result[1]


def progress_logger(what: str, every: float = 30.0) -> Callable[[str, int, int | None], None]:
    """A `load_dataset` progress callback logging at most every `every` seconds (and at the
    end of each stage)."""
    last = [0.0]

    def progress(stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > every:
            last[0] = now
            of = f"/{total}" if total is not None else ""
            log(f"{what}: {stage} {done}{of}; peak {peak_gib()} GiB")

    return progress


def timed_load(store: GraphStore, folder: Path, what: str) -> float:
    """Seconds of one bulk load of `folder` into `store`."""
    t = time.perf_counter()
    report = load_dataset(store, folder, progress=progress_logger(what))
    if report.rejects:
        raise RuntimeError(f"rows rejected: {report.rejects[:3]}")
    return round(time.perf_counter() - t, 1)


def timed_view(store: GraphStore) -> dict[str, Any]:
    """Seconds of the first `view()`, and the size of the graph."""
    t = time.perf_counter()
    view = store.view()
    return {
        "view_s": round(time.perf_counter() - t, 2),
        "nodes": view.number_of_nodes(),
        "edges": view.number_of_edges(),
    }


def make_dataset(folder: Path, scale: float) -> None:
    """The demo dataset at `scale` (a step of its own: at scale 100 it takes minutes)."""
    generate(folder, seed=2024, scale=scale)


def load_memory(folder: Path, data_dir: Path) -> dict[str, Any]:
    """The embedded store's load and first view."""
    store = MemoryStore(data_dir)
    try:
        figures = {"load_s": timed_load(store, folder, "embedded load")}
        figures.update(timed_view(store))
    finally:
        store.close()
    return figures


class Logged:
    """A Neo4jStore whose `bulk()` logs each batch it writes (a file's rows: minutes at scale
    100)."""

    def __init__(self, store: Neo4jStore, what: str) -> None:
        self.store, self.what = store, what

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Callable[[Batch], None]]:
        """The store's bulk load, each batch logged."""
        written = [0]
        with self.store.bulk() as write:

            def logged(batch: Batch) -> None:
                t = time.perf_counter()
                write(batch)
                written[0] += len(batch.ops)
                log(
                    f"{self.what}: {len(batch.ops)} writes in {time.perf_counter() - t:.1f} s, "
                    f"{written[0]} in all; peak {peak_gib()} GiB"
                )

            yield logged


class TransactionMemory:
    """Samples the heap Neo4j's transactions use (`SHOW TRANSACTIONS`) in a thread; `peak`
    is the most seen, in GiB (None when the server does not say)."""

    def __init__(self, uri: str, every: float = 2.0) -> None:
        self.peak: float | None = None
        self._driver = neo4j_driver.GraphDatabase.driver(uri)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                records, _, _ = self._driver.execute_query(
                    "SHOW TRANSACTIONS YIELD estimatedUsedHeapMemory AS heap "
                    "RETURN max(heap) AS heap"
                )
            except Exception:  # not reported by this server: no figure
                return
            heap = records[0]["heap"]
            if heap is not None:
                self.peak = max(self.peak or 0.0, round(heap / 2**30, 2))

    def __enter__(self) -> TransactionMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._driver.close()


def load_neo4j(
    uri: str, folder: Path, warm: bool, timeout: float, commit_every: int
) -> dict[str, Any]:
    """Neo4j's load into an erased database, as `graphsvc load` does it (in parts of
    `commit_every` writes, 0: one transaction); with `warm`, the same again (erased, its
    queries planned, its JIT warm)."""
    store = Neo4jStore(uri, query_timeout=timeout, bulk_commit_every=commit_every)
    first = cast(GraphStore, Logged(store, "Neo4j load"))
    again = cast(GraphStore, Logged(store, "Neo4j load again"))
    figures: dict[str, Any] = {}
    try:
        with TransactionMemory(uri) as tx_memory:
            store.erase()
            figures["load_s"] = timed_load(first, folder, "Neo4j load")
            if warm:
                store.erase()
                figures["warm_load_s"] = timed_load(again, folder, "Neo4j load again")
        if tx_memory.peak is not None:
            figures["tx_memory_gib"] = tx_memory.peak
    finally:
        store.close()
    return figures


def view_neo4j(uri: str, timeout: float) -> dict[str, Any]:
    """The first `view()` of the loaded version over Bolt."""
    store = Neo4jStore(uri, query_timeout=timeout)
    try:
        with TransactionMemory(uri) as tx_memory:
            figures = timed_view(store)
        if tx_memory.peak is not None:
            figures["view_tx_memory_gib"] = tx_memory.peak
        return figures
    finally:
        store.close()


def dataset_keys(folder: Path, name: str) -> list[str]:
    """The `key` column of one of the dataset's CSV files."""
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return [row["key"] for row in csv.DictReader(f)]


def serve(
    name: str,
    env: dict[str, str],
    tmp: Path,
    guard: Guard,
    rec: list[dict[str, Any]],
    ent: list[dict[str, Any]],
) -> dict[str, Any]:
    """recommendExperts and the entity query over HTTP from a server of its own, stopped at
    the end; raises NotMeasuredError when the guard stopped it or it failed."""
    folder = tmp / f"server-{name}"
    folder.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    server, url, log_file = graphsvc_server(folder, PORTAL_TOKEN, "portal", env)
    guard.watch(server.pid, server.kill)
    figures: dict[str, Any] = {}
    try:
        _wait_warm(f"{url}/readyz", server, log_file)
        figures["server_warm_s"] = round(time.perf_counter() - t0, 1)
        log(f"{name} server warm after {figures['server_warm_s']} s; {guard.peak:.2f} GiB")
        headers = {"Authorization": f"Bearer {PORTAL_TOKEN}"}
        with httpx.Client(base_url=url, headers=headers, timeout=guard.timeout) as client:
            for key, query, variables in (
                ("recommend_ms", RECOMMEND, rec),
                ("entity_ms", ENTITY, ent),
            ):
                figures[key] = latencies(client, query, variables, guard.timeout)
                log(f"{name} server: {key} {figures[key]}")
    except (httpx.TransportError, SystemExit, AssertionError) as e:
        if guard.reason is None:
            tail = " ".join(log_file.read_text("utf-8", "replace").split())[-300:]
            raise NotMeasuredError(f"the {name} server failed: {e} {tail}"[:600]) from None
    finally:
        _stop(server)
        figures["server_peak_gib"] = guard.done()
    if guard.reason:
        raise NotMeasuredError(f"the {name} server {guard.reason}")
    return figures


def latencies(
    client: httpx.Client, query: str, variables: list[dict[str, Any]], timeout: float
) -> dict[str, float]:
    """p50/p99 of one client over `variables`, after the first answer and 5 warm queries."""

    def run(v: dict[str, Any]) -> float:
        t = time.perf_counter()
        r = client.post("/graphql", json={"query": query, "variables": v})
        elapsed = time.perf_counter() - t
        assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
        return elapsed

    deadline = time.monotonic() + timeout
    while True:  # the server builds its model first
        r = client.post("/graphql", json={"query": query, "variables": variables[0]})
        if r.status_code == 200 and "errors" not in r.json():
            break
        if time.monotonic() > deadline:
            raise AssertionError(r.text[:500])
        time.sleep(1)
    for v in variables[:5]:
        run(v)
    return pct([run(v) for v in variables])


def embedded_load_elsewhere(scale: float) -> dict[str, Any]:
    """The embedded load at `scale` as benchmarks/load.py measured it, if it did."""
    if JSON.exists():
        section = json.loads(JSON.read_text("utf-8")).get("load", {})
        for run in section.get("runs", []):
            if float(run.get("scale", 0)) == scale and "load" in run:
                date = section.get("machine", {}).get("date", "")
                return {
                    "load_s": round(run["load"]["seconds"], 1),
                    "load_from": f"benchmarks/load.py, {date}".rstrip(", "),
                    "nodes": run["load"]["nodes"],
                    "edges": run["load"]["edges"],
                }
    return {"load_from": "benchmarks/load.py"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--uri", help="an existing Neo4j (its database is erased)")
    ap.add_argument("--dataset", type=Path, help="the demo dataset at --scale, generated before")
    ap.add_argument(
        "--data-dir",
        type=Path,
        help="an embedded store loaded before from the dataset (only read; needs --dataset)",
    )
    ap.add_argument("--heap", default="2g", help="the JVM heap of the Neo4j started here")
    ap.add_argument(
        "--page-cache",
        type=int,
        help="MB of page cache of the Neo4j started here (the launcher's 256 without it; a "
        "graph whose store fits reads far faster)",
    )
    ap.add_argument(
        "--max-rss", type=float, default=20, help="GiB a step may take, Neo4j's JVM included"
    )
    ap.add_argument("--timeout", type=float, default=3600, help="seconds a step may take")
    ap.add_argument(
        "--warm-load",
        action=argparse.BooleanOptionalAction,
        help="load Neo4j a second time (default: up to scale 10; it doubles the longest step)",
    )
    ap.add_argument(
        "--commit-every",
        type=int,
        default=BULK_COMMIT_EVERY,
        help="writes per transaction of the load into the empty database (the store's "
        f"GRAPHSVC_NEO4J_BULK_COMMIT_EVERY, default {BULK_COMMIT_EVERY:,}; 0: one transaction, "
        "which needs ~3 GiB of heap per scale 10)",
    )
    ap.add_argument(
        "--view",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time Neo4j's first view() in a step of its own (the server's warm-up repeats it)",
    )
    ap.add_argument("--no-docs", action="store_true", help="print the figures, write no docs")
    args = ap.parse_args()
    if args.data_dir and not args.dataset:
        ap.error("--data-dir needs --dataset, the folder it was loaded from")
    warm = args.warm_load if args.warm_load is not None else args.scale <= 10
    figures: dict[str, Any] = {
        "scale": args.scale,
        "queries": args.queries,
        "heap": args.heap,
        "page_cache_mb": args.page_cache,
        "commit_every": args.commit_every,
    }
    memory: dict[str, Any] = {}
    neo: dict[str, Any] = {}
    skipped: list[str] = []
    figures.update(memory=memory, neo4j=neo, not_measured=skipped)
    guard = Guard(args.max_rss, args.timeout)
    log(f"scale {args.scale}: max {args.max_rss:g} GiB and {args.timeout:g} s a step")

    def step(into: dict[str, Any], what: str, fn: Callable[..., Any], *fn_args: Any) -> bool:
        try:
            into.update(in_child(guard, what, fn, *fn_args))
            into[f"{what.split()[-1].strip('()')}_peak_gib"] = round(guard.peak, 2)
        except NotMeasuredError as e:
            log(f"not measured: {e}")
            skipped.append(str(e))
            return False
        return True

    with tempfile.TemporaryDirectory(prefix="bench-neo4j-") as tmp_name, LoadAverage() as load:
        tmp = Path(tmp_name)
        folder = args.dataset or tmp / "data"
        if args.dataset is None:
            in_child(guard, "generate the dataset", make_dataset, folder, args.scale)
        rng = random.Random(1)
        demands, experts = dataset_keys(folder, "demands"), dataset_keys(folder, "experts")
        rec = [{"d": d} for d in rng.sample(demands, min(args.queries, len(demands)))]
        ent = [{"k": k} for k in rng.sample(experts, min(args.queries, len(experts)))]
        del demands, experts

        # 1. the embedded store: loaded (or loaded before), then served; stopped before Neo4j
        data_dir = args.data_dir or tmp / "graph"
        if args.data_dir is None:
            loaded = step(memory, "embedded load", load_memory, folder, data_dir)
        else:
            memory.update(embedded_load_elsewhere(args.scale))
            loaded = True
        if loaded:
            env = {"GRAPHSVC_DATA_DIR": str(data_dir)}
            try:
                memory.update(serve("embedded", env, tmp, guard, rec, ent))
            except NotMeasuredError as e:
                log(f"not measured: {e}")
                skipped.append(str(e))

        # 2. Neo4j: started, loaded, projected, served
        neo4j = None
        if args.uri is None:
            neo4j = launcher.start(tmp / "neo4j", heap=args.heap, page_cache=args.page_cache)
            guard.others = [neo4j.process.pid]
            log(f"Neo4j started ({args.heap} heap, {args.page_cache or 256} MB page cache)")
        uri = args.uri or neo4j.uri  # type: ignore[union-attr]
        try:
            loaded = step(
                neo, "Neo4j load", load_neo4j, uri, folder, warm, args.timeout, args.commit_every
            )
            if args.view and loaded:
                loaded = step(neo, "Neo4j view()", view_neo4j, uri, args.timeout)
            if loaded:
                env = {
                    "GRAPHSVC_BACKEND": "neo4j",
                    "GRAPHSVC_NEO4J_URI": uri,
                    # the server's first view() reads the whole graph in one transaction
                    "GRAPHSVC_NEO4J_QUERY_TIMEOUT": str(args.timeout),
                    "GRAPHSVC_DATA_DIR": str(tmp / "server-neo4j-data"),
                }
                try:
                    neo.update(serve("neo4j", env, tmp, guard, rec, ent))
                except NotMeasuredError as e:
                    log(f"not measured: {e}")
                    skipped.append(str(e))
            if neo4j is not None:
                neo["jvm_gib"] = round(rss_gib(neo4j.process.pid), 2)
        finally:
            if neo4j is not None:
                launcher.stop(neo4j)
        figures["warm_load"], figures["view_step"] = warm, args.view
        figures["measured"] = load.summary()

    markdown = render(figures)
    if args.no_docs:
        print(json.dumps(figures, indent=1, ensure_ascii=False))
        print(markdown)
        return
    scales = {**previous_scales("neo4j", "memory"), str(float(args.scale)): figures}
    text = "\n\n".join(
        [HEADING] + [render(f) for _, f in sorted(scales.items(), key=lambda kv: float(kv[0]))]
    )
    print(text)
    write_section("neo4j", text, {"scales": scales})


def cell(backend: dict[str, Any], figure: str, part: str | None) -> Any:
    value = backend.get(figure)
    if value is None:
        return "—"
    return value if part is None else value[part]


def render(f: dict[str, Any]) -> str:
    """One scale's table: one row per measurement, a column per backend."""
    m, n = f["memory"], f["neo4j"]
    size = next((b for b in (m, n) if "nodes" in b), None)
    rows = [
        ("load of the folder (`graphsvc load`), s", "load_s", None),
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
        (
            "server start until warm (store opened, indexes and model built), s",
            "server_warm_s",
            None,
        ),
        ("peak memory of the server (Neo4j: its JVM included), GiB", "server_peak_gib", None),
    ]
    what = f"({size['nodes']} nodes, {size['edges']} relationships)" if size else ""
    lines = [
        f"### The Guangxi demo at scale {f['scale']} {what}".rstrip(),
        "",
        "| what | embedded | Neo4j |",
        "|---|---:|---:|",
    ]
    for label, figure, part in rows:
        a, b = cell(m, figure, part), cell(n, figure, part)
        if a != "—" or b != "—":
            lines.append(f"| {label} | {a} | {b} |")
    heap = f.get("heap", "2g").upper().rstrip("G")
    page_cache = f"{f.get('page_cache_mb') or 256:,} MB"
    notes = [
        f"{f['queries']} queries each, one client, both servers on this machine with Neo4j "
        f"(the project's launcher, {heap} GiB heap, {page_cache} page cache) on the same two "
        "cores, one server after the other. On Neo4j the model and indexes are built from the "
        "store's projection once per version, as on the embedded store, so recommendExperts "
        "differs only by the reads of the version and of the recommended entities' fields "
        "(Bolt round trips); the entity query is all such reads."
    ]
    if "load_from" in m:
        notes.append(
            f"The embedded load was not redone here: measured by {m['load_from']}"
            + ("." if "load_s" in m else " (not at this scale yet).")
        )
    if f.get("commit_every"):
        notes.append(
            f"Neo4j was loaded as `graphsvc load` loads an empty database: in parts of "
            f"{f['commit_every']:,} writes (a smaller load in one transaction), all or nothing "
            "for its readers (docs/neo4j.md)."
        )
    if "tx_memory_gib" in n or "view_tx_memory_gib" in n:
        held = [
            f"{n[key]} GiB {during}"
            for key, during in (
                ("tx_memory_gib", "during the load"),
                ("view_tx_memory_gib", "during the first `view()`"),
            )
            if key in n
        ]
        notes.append(
            f"Of its heap, Neo4j's transactions held up to {' and '.join(held)} "
            "(`SHOW TRANSACTIONS` every 2 s: short peaks may be missed)."
        )
    if f.get("view_step") is False:
        notes.append(
            "Neo4j's first `view()` was not timed on its own: the server's warm-up includes it."
        )
    if f.get("warm_load") is False:
        notes.append("Neo4j was loaded once: a second load would double the run's longest step.")
    lines += ["", " ".join(notes)]
    for reason in f.get("not_measured", []):
        lines += ["", f"Not measured: {reason}."]
    if "measured" in f:
        lines += ["", describe(f["measured"])]
    elif "load_average" in f:
        lines += [
            "",
            f"The machine's 5-minute load average was up to {f['load_average']} during the run "
            "(other work shares it): compare the columns, not runs.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
