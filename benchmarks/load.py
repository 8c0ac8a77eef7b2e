"""Generate and load the demo dataset; rows/s, wall time, peak memory, next to pandas.

Run: `python benchmarks/load.py --scale 1 --scale 100`. Each step runs in its own process so
its peak resident memory is its own. The baseline is pandas reading the same CSV files
(every column as text), on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.report import DOCS, write_section


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_generate(out: Path, scale: float) -> dict[str, Any]:
    from graphsvc.loaders.demo import generate

    started = time.perf_counter()
    counts = generate(out, seed=2024, scale=scale)
    return {
        "seconds": time.perf_counter() - started,
        "rows": sum(counts.values()),
        "peak_mib": _peak_mib(),
    }


def child_load(dataset: Path, data_dir: Path) -> dict[str, Any]:
    from graphsvc.loaders.load import load_dataset
    from graphsvc.store import MemoryStore

    store = MemoryStore(data_dir)
    started = time.perf_counter()
    report = load_dataset(store, dataset)
    seconds = time.perf_counter() - started
    counts = store.counts()
    store.close()
    return {
        "seconds": seconds,
        "rows": report.loaded,
        "rejected": len(report.rejects),
        "nodes": sum(counts.nodes.values()),
        "edges": sum(counts.relationships.values()),
        "peak_mib": _peak_mib(),
    }


def child_restart(data_dir: Path) -> dict[str, Any]:
    from graphsvc.store import MemoryStore

    started = time.perf_counter()
    store = MemoryStore(data_dir)
    seconds = time.perf_counter() - started
    store.close()
    return {"seconds": seconds, "peak_mib": _peak_mib()}


def child_pandas(dataset: Path) -> dict[str, Any]:
    import pandas as pd

    started = time.perf_counter()
    rows = sum(len(pd.read_csv(p, dtype=str, keep_default_na=False)) for p in dataset.glob("*.csv"))
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mib": _peak_mib()}


def _run(step: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(scale: float, work: Path) -> dict[str, Any]:
    dataset, data_dir = work / f"dataset-{scale:g}", work / f"graph-{scale:g}"
    gen = _run("generate", str(dataset), str(scale))
    size_mib = sum(p.stat().st_size for p in dataset.iterdir()) / 2**20
    pandas = _run("pandas", str(dataset))
    load = _run("load", str(dataset), str(data_dir))
    restart = _run("restart", str(data_dir))
    return {
        "scale": scale,
        "dataset_mib": round(size_mib, 1),
        "generate": gen,
        "pandas": pandas,
        "load": load,
        "restart": restart,
    }


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "## Load",
        "",
        "`python benchmarks/load.py`: generate the demo dataset, load it into a fresh embedded",
        "store (validation, keyword extraction, one atomic batch, snapshot), reopen it.",
        "Baseline: pandas reading the same CSV files. Peak = the process's peak RSS.",
        "",
        "| scale | files | rows | nodes | edges | generate | pandas read | load | rows/s "
        "| load ÷ pandas | peak (load) | bytes/edge (peak) | reopen | peak (reopen) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        load, pandas = r["load"], r["pandas"]
        lines.append(
            f"| {r['scale']:g} | {r['dataset_mib']} MiB | {load['rows']:,} | {load['nodes']:,} "
            f"| {load['edges']:,} | {r['generate']['seconds']:.1f} s | {pandas['seconds']:.2f} s "
            f"| {load['seconds']:.1f} s | {load['rows'] / load['seconds']:,.0f} "
            f"| {load['seconds'] / pandas['seconds']:.0f}× | {load['peak_mib'] / 1024:.2f} GiB "
            f"| {load['peak_mib'] * 2**20 / max(load['edges'], 1):.0f} "
            f"| {r['restart']['seconds']:.1f} s | {r['restart']['peak_mib'] / 1024:.2f} GiB |"
        )
    lines += [
        "",
        "Targets (issue 3): the Guangxi dataset (scale 1) loads in under 15 s; the scale-100",
        "dataset loads with a peak under 12 GiB. Most of the load's time is per-row validation",
        "(pydantic) and keyword extraction (jieba), which pandas does not do.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, action="append", help="repeatable; default 1")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument(
        "--render", action="store_true", help="rewrite the section from docs/benchmarks.json"
    )
    args = parser.parse_args()
    if args.render:
        runs = json.loads((DOCS / "benchmarks.json").read_text("utf-8"))["load"]["runs"]
        write_section("load", markdown(runs), {"runs": runs})
        return
    if args.child:
        step, *rest = args.child
        paths = [Path(a) for a in rest]
        result = {
            "generate": lambda: child_generate(paths[0], float(rest[1])),
            "load": lambda: child_load(paths[0], paths[1]),
            "restart": lambda: child_restart(paths[0]),
            "pandas": lambda: child_pandas(paths[0]),
        }[step]()
        print(json.dumps(result))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp:
        for scale in args.scale or [1.0]:
            result = measure(scale, Path(tmp))
            print(json.dumps(result), flush=True)
            results.append(result)
    write_section("load", markdown(results), {"runs": results})


if __name__ == "__main__":
    main()
