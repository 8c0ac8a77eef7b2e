"""Memory per node and per relationship of the embedded store, as a server holds the graph.

Run: `python benchmarks/memory.py --scale 1 [--scale 100]`. The demo dataset is generated
and loaded once; then, each in a fresh process, the store is opened (a restart: the snapshot
read back) three times: with the whole graph, with its nodes only (the same nodes, every
relationship left out), and empty. The resident memory each adds over the empty store, after
a garbage collection, gives bytes per node (nodes only ÷ nodes) and per relationship
((whole − nodes only) ÷ relationships): everything included — properties, ids, adjacency
dicts, the label index. A networkx MultiDiGraph holding the same nodes and relationships
through its public API (`add_nodes_from`, `add_edges_from`), read from the same snapshot, is
the baseline.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.report import write_section

PAGE = 4096


def _rss() -> int:
    """Resident bytes now (not the peak), after a collection."""
    gc.collect()
    with Path("/proc/self/statm").open() as f:
        return int(f.read().split()[1]) * PAGE


def child_open(data_dir: str) -> dict[str, Any]:
    """Open a store (the snapshot read back) and report what it added."""
    import networkx  # noqa: F401  (imports before the baseline)

    from graphsvc.store import MemoryStore

    before = _rss()
    started = time.perf_counter()
    store = MemoryStore(Path(data_dir))
    seconds = time.perf_counter() - started
    after = _rss()
    counts = store.counts()
    store.close()
    return {
        "bytes": after - before,
        "seconds": seconds,
        "nodes": sum(counts.nodes.values()),
        "edges": sum(counts.relationships.values()),
    }


def child_networkx(data_dir: str) -> dict[str, Any]:
    """The same graph read from the same snapshot into a networkx MultiDiGraph through its
    public API (`add_nodes_from`, `add_edges_from`), frame by frame as the store reads it."""
    import networkx as nx

    from graphsvc.store.files import read_snapshot

    before = _rss()
    snapshot = read_snapshot(Path(data_dir) / "snapshot.bin")
    assert snapshot is not None
    graph = nx.MultiDiGraph()
    for frame in snapshot[1]:
        if isinstance(frame, dict):
            continue  # the header
        kind, chunk = frame
        if kind == "N":
            graph.add_nodes_from(chunk)
        elif kind == "E":
            graph.add_edges_from((u, v, k, attrs or {}) for u, v, k, attrs in chunk)
    after = _rss()
    return {"bytes": after - before, "nodes": graph.number_of_nodes(), "edges": graph.size()}


def child_nodes_only(data_dir: str, out: str) -> dict[str, Any]:
    """Write a store holding the same nodes (with their properties) and no relationship."""
    from graphsvc.ontology import split_node_id
    from graphsvc.store import Batch, MemoryStore

    source = MemoryStore(Path(data_dir))
    batch = Batch()
    for nid, attrs in source.graph.nodes(data=True):
        label, key = split_node_id(nid)
        batch.upsert_node(label, key, dict(attrs))
    source.close()
    target = MemoryStore(Path(out))
    with target.bulk() as write:
        write(batch)
    target.close()
    return {}


def _run(step: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(scale: float, work: Path) -> dict[str, Any]:
    """The figures at one scale."""
    from graphsvc.loaders.demo import generate
    from graphsvc.loaders.load import load_dataset
    from graphsvc.store import MemoryStore

    generate(work / "dataset", seed=2024, scale=scale)
    store = MemoryStore(work / "whole")
    load_dataset(store, work / "dataset")
    store.close()
    _run("nodes_only", str(work / "whole"), str(work / "nodes"))
    MemoryStore(work / "empty").close()
    empty = _run("open", str(work / "empty"))
    whole = _run("open", str(work / "whole"))
    nodes = _run("open", str(work / "nodes"))
    baseline = _run("networkx", str(work / "whole"))
    node_bytes = nodes["bytes"] - empty["bytes"]
    edge_bytes = whole["bytes"] - nodes["bytes"]
    return {
        "scale": scale,
        "nodes": whole["nodes"],
        "edges": whole["edges"],
        "graph_mib": (whole["bytes"] - empty["bytes"]) / 2**20,
        "per_node": node_bytes / whole["nodes"],
        "per_edge": edge_bytes / max(whole["edges"], 1),
        "reopen_s": whole["seconds"],
        "networkx_mib": baseline["bytes"] / 2**20,
        "networkx_per_element": baseline["bytes"] / (baseline["nodes"] + baseline["edges"]),
        "graphsvc_per_element": (whole["bytes"] - empty["bytes"])
        / (whole["nodes"] + whole["edges"]),
    }


def markdown(results: list[dict[str, Any]]) -> str:
    """The section: a row per scale."""
    lines = [
        "## Memory",
        "",
        "`python benchmarks/memory.py`: resident memory the embedded store adds when it opens "
        "the demo dataset (a restart), each measurement in a fresh process after a garbage "
        "collection. Per node: a store of the same nodes without relationships; per "
        "relationship: the rest. Everything included (properties, ids, adjacency, label "
        "index). Baseline: the same snapshot read into a networkx MultiDiGraph through its "
        "public API.",
        "",
        "| scale | nodes | relationships | graph | bytes/node | bytes/relationship | reopen "
        "| networkx (same graph) | bytes/element: graphsvc vs networkx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['scale']:g} | {r['nodes']:,} | {r['edges']:,} | {r['graph_mib']:,.0f} MiB | "
            f"{r['per_node']:,.0f} | {r['per_edge']:,.0f} | {r['reopen_s']:.1f} s | "
            f"{r['networkx_mib']:,.0f} MiB | {r['graphsvc_per_element']:,.0f} vs "
            f"{r['networkx_per_element']:,.0f} |"
        )
    lines += [
        "",
        "The store's relationships without properties share one empty dict and their type "
        "string, and every node id is one string shared by all adjacency dicts "
        "(docs/architecture.md); through networkx's API each edge gets its own attribute "
        "dict and keeps the id strings it came with.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Measure at each scale and write the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append")
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        steps: dict[str, Callable[..., dict[str, Any]]] = {
            "open": child_open,
            "networkx": child_networkx,
            "nodes_only": child_nodes_only,
        }
        print(json.dumps(steps[step](*rest)))
        return
    results = []
    for scale in args.scale or [1.0]:
        with tempfile.TemporaryDirectory(prefix="graphsvc-memory-") as tmp:
            results.append(measure(scale, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
    md = markdown(results)
    print(md)
    if not args.no_write:
        write_section("memory", md, {"results": results})


if __name__ == "__main__":
    main()
