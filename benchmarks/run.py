"""Run every benchmark (`make bench`); each writes its own section of docs/benchmarks.md.

`python benchmarks/run.py [--large] [--work DIR]`: `--large` adds the `--scale 100` runs,
which take about four hours and up to ~21 GiB of memory (a graphsvc server on the scale-100
store beside Neo4j's JVM; ~16 GiB for the others). load and memory generate and load scale
100 themselves; for api, recommend, analytics, planning and neo4j the scale-100 demo dataset
is generated and loaded once (~9 min) into `--work` (a temporary folder by default, removed
at the end; a given folder is kept and reused by the next run) and each reopens that store
(`--data-dir`, ~2 min) one after another, never two at once: api ~25 min, recommend ~16 min
(networkx converts the whole graph for each of its 2 queries), analytics ~30-60 min (each
step is bounded by 10 min), planning ~35 min (bounded plans; whole-province plans past a
bound are reported as not measured), neo4j ~40 min (the dataset loaded into Neo4j, its
projection, a server on it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "load",
    "memory",
    "api",
    "recommend",
    "analytics",
    "planning",
    "neo4j",
    "explorer",
    "loadtest",
]
SCALED = ("load", "memory")  # the scripts --large runs at --scale 1 and --scale 100 at once
# the scripts --large runs a second time at --scale 100, on one store loaded for them all, and
# the options each gets there (few networkx baselines: each converts the whole graph)
REOPENED = {
    "api": [],
    "recommend": ["--queries", "200", "--nx-queries", "2"],
    "analytics": ["--repeat", "5", "--timeout", "600"],
    "planning": ["--timeout", "600", "--max-rss", "16"],
    # the dataset the store was loaded from is loaded into Neo4j too ({work}: --work)
    "neo4j": [
        *("--dataset", "{work}/dataset", "--heap", "4g", "--page-cache", "2048"),
        *("--max-rss", "21", "--timeout", "3600"),
    ],
}
LARGE_SCALE = 100


class LoadAverage:
    """Samples the 1-minute load average in a background thread while a benchmark runs (the
    machine is shared: the figures say how busy it was). Use as a context manager."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.commit = commit()  # at the start: the code the benchmark imported
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadAverage:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, Any]:
        """Mean and max of the samples so far, with the date (UTC) they end at."""
        samples = self.samples or [os.getloadavg()[0]]
        return {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "loadavg_mean": round(statistics.fmean(samples), 2),
            "loadavg_max": round(max(samples), 2),
            "cores": os.cpu_count(),
            "commit": self.commit,
        }


def commit() -> str:
    """The repository's commit, and whether graphsvc/ had changes not committed yet."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    if head and git("status", "--porcelain", "--", "../graphsvc"):
        head += " with uncommitted changes in graphsvc/"
    return head


def rss_gib(pid: int) -> float:
    """The resident memory of process `pid` (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def describe(measured: dict[str, Any] | None) -> str:
    """One sentence on when a scale's figures were measured and how busy the machine was."""
    if not measured:
        return ""
    text = f"Measured {measured['date']}"
    if measured.get("commit"):
        text += f" at commit {measured['commit']}"
    if "loadavg_mean" in measured:
        text += (
            f"; 1-minute load average during the run {measured['loadavg_mean']:g} on average, "
            f"{measured['loadavg_max']:g} at most, on {measured['cores']} cores (the benchmark "
            "alone keeps about one busy: the rest is other work on this shared machine)"
        )
    return text + "."


def prepare_large(work: Path) -> None:
    """Generate the scale-100 demo dataset into `work`/dataset and load it into `work`/graph."""
    sys.path.insert(0, str(HERE.parent))
    from graphsvc.loaders.demo import generate
    from graphsvc.loaders.load import load_dataset
    from graphsvc.store import MemoryStore

    dataset, graph = work / "dataset", work / "graph"
    started = time.perf_counter()
    generate(dataset, seed=2024, scale=LARGE_SCALE)
    store = MemoryStore(graph)
    try:
        load_dataset(store, dataset)
    finally:
        store.close()
    (work / "loaded").touch()  # a later --work run reuses this store
    print(f"scale {LARGE_SCALE} loaded in {time.perf_counter() - started:.0f} s", flush=True)


def run(name: str, *extra: str) -> bool:
    """Run one benchmark script in its own process; True when it succeeded."""
    print(f"== {name} {' '.join(extra)}".rstrip(), flush=True)
    done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], check=False)
    return done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also measure at --scale 100")
    parser.add_argument(
        "--work", type=Path, help="folder for the scale-100 store: kept, and reused when loaded"
    )
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)  # one child's job
    args = parser.parse_args()
    if args.prepare:
        prepare_large(args.prepare)
        return
    failed = []
    for name in SCRIPTS:
        extra = ["--scale", "1", "--scale", str(LARGE_SCALE)]
        if not run(name, *(extra if args.large and name in SCALED else [])):
            failed.append(name)
    if args.large:
        with tempfile.TemporaryDirectory(prefix="bench-large-") as tmp:
            work = args.work or Path(tmp)
            if not (work / "loaded").exists():
                # loaded in a child process, so that this one never holds a graph
                print(f"== load scale {LARGE_SCALE} once for {', '.join(REOPENED)}", flush=True)
                subprocess.run([sys.executable, __file__, "--prepare", str(work)], check=True)
            for name, options in REOPENED.items():
                scale = ["--scale", str(LARGE_SCALE), "--data-dir", str(work / "graph")]
                if not run(name, *scale, *(o.format(work=work) for o in options)):
                    failed.append(f"{name} (scale {LARGE_SCALE})")
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
