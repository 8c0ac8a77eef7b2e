"""The explorer page in Debian's chromium: a 5,000-node drawing, and each view on the demo data.

`python benchmarks/explorer.py [--nodes 5000] [--scale 1.0] [--frames 60]`: starts graphsvc on
the Guangxi demo dataset (generated and loaded into a temporary folder), opens /explorer in
headless chromium (Playwright, `executable_path`: nothing downloaded), and measures

- a synthetic drawing of `--nodes` nodes (clusters of experts and industries, about two edges
  per node, positions from the clusters view's layout) drawn by the page's own graph module with
  each renderer setting: time to the first frame, and the time of each pan or zoom step until
  its frame is drawn (median and 95th percentile over `--frames` steps);
- each view on the demo data: time from navigation to the view being ready, first (the
  server computes and caches) and again (the browser's per-tab cache cleared by a reload).

Writes the "explorer" section of docs/benchmarks.md. Headless chromium here draws WebGL with
SwiftShader on the CPU; a planner's browser with a GPU draws the WebGL renderer much faster.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.report import write_section  # noqa: E402
from graphsvc.loaders.demo import generate  # noqa: E402
from graphsvc.loaders.load import load_dataset  # noqa: E402
from graphsvc.store import MemoryStore  # noqa: E402

TOKEN = "bench-explorer-admin-token"
VIEWPORT = {"width": 1400, "height": 1000}

# Builds and draws a synthetic graph with the page's modules; resolves to its timings (ms).
DRAW = (Path(__file__).resolve().parent / "explorer_draw.js").read_text("utf-8")

RENDERERS = {
    "canvas (the page's renderer)": {},
    "canvas, edges hidden while moving": {"hideEdgesOnViewport": True},
    "WebGL": {"webgl": True},
}

VIEWS = {
    "search (a keyword)": "#/search?q=%E6%B0%B4%E7%A8%BB",
    "entity (an expert)": "#/entity/Expert/EXP-000163",
    "recommendations (a demand)": "#/recommend?demand=DEM-000001",
    "clusters (20)": "#/clusters",
    "coverage (all counties, benchmarks)": "#/coverage",
    "collaboration (top broker, depth 2)": "#/collaboration?depth=2",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env.update(
        GRAPHSVC_DATA_DIR=str(data_dir),
        GRAPHSVC_ADMIN_TOKEN=TOKEN,
        GRAPHSVC_DEMO_IF_EMPTY="false",
    )
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "graphsvc.app:app_factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text('utf-8', 'replace')[-2000:]}")
        try:
            ready = httpx.get(f"{url}/readyz", timeout=2)
            if ready.status_code == 200 and ready.json().get("warm"):
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not become ready within 600 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _view_time(page: Page, base: str, route: str) -> float:
    started = time.perf_counter()
    page.goto(f"{base}{route}")
    view = page.wait_for_selector(
        ".view:is([data-status=ready], [data-status=error])", state="attached", timeout=120_000
    )
    elapsed = (time.perf_counter() - started) * 1000
    if view is None or view.get_attribute("data-status") != "ready":
        raise SystemExit(f"{route} failed: {page.locator('#notice').inner_text()}")
    return elapsed


def measure(url: str, nodes: int, frames: int) -> dict[str, Any]:
    """Drawing and view timings in headless chromium against the server at `url`."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed: `make bench` installs it")
    base = f"{url}/explorer/"
    figures: dict[str, Any] = {"drawing": {}, "views": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        context.add_init_script(f"sessionStorage.setItem('graphsvc.explorer.token', '{TOKEN}')")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}#/search")
        page.wait_for_selector(".view[data-status=ready]", state="attached")
        figures["browser"] = browser.version
        figures["gl"] = page.evaluate(
            """() => {
              const gl = document.createElement('canvas').getContext('webgl2');
              const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
              if (!gl) return 'none';
              return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : 'WebGL2';
            }"""
        )
        # an untimed small drawing first, so that no row pays for loading and compiling the code
        page.evaluate(DRAW, {"nodes": 500, "frames": 5, "renderer": {}})
        for name, renderer in RENDERERS.items():
            result = page.evaluate(DRAW, {"nodes": nodes, "frames": frames, "renderer": renderer})
            steps = result["steps"]
            figures["drawing"][name] = {
                "nodes": result["nodes"],
                "edges": result["edges"],
                "webgl": result["webgl"],
                "draw_ms": round(result["draw"], 1),
                "frame_median_ms": round(statistics.median(steps), 1),
                "frame_p95_ms": round(_p95(steps), 1),
            }
            print(name, figures["drawing"][name], flush=True)
        for name, route in VIEWS.items():
            first = _view_time(page, base, route)
            page.goto(f"{base}#/search")  # a reload empties the page's own answer cache
            page.reload()
            page.wait_for_selector(".view[data-status=ready]", state="attached")
            again = _view_time(page, base, route)
            figures["views"][name] = {"first_ms": round(first), "again_ms": round(again)}
            print(name, figures["views"][name], flush=True)
        figures["console_errors"] = errors
        browser.close()
    return figures


def report(figures: dict[str, Any], scale: float, frames: int) -> str:
    """The markdown of the section."""
    drawing = figures["drawing"]
    any_row = next(iter(drawing.values()))
    lines = [
        "## Explorer",
        "",
        f"`benchmarks/explorer.py`: headless {figures['browser']} (WebGL by: {figures['gl']}),"
        f" 1200 × 800 px drawing. A synthetic drawing of {any_row['nodes']:,} nodes and"
        f" {any_row['edges']:,} edges (the clusters view's layout and styles): time to its first"
        f" frame, then {frames} pan or zoom steps, each timed until its frame is drawn"
        " (the browser draws at most 60 frames a second: 16.7 ms is the floor).",
        "",
        "| renderer | first frame (ms) | pan/zoom frame, median (ms) | p95 (ms) |",
        "|---|---:|---:|---:|",
    ]
    for name, row in drawing.items():
        lines.append(
            f"| {name} | {row['draw_ms']:,.0f} | {row['frame_median_ms']:.1f}"
            f" | {row['frame_p95_ms']:.1f} |"
        )
    lines += [
        "",
        f"Each view on the Guangxi demo (scale {scale:g}), from navigation to ready: first"
        " (the server computes what it has not cached) and again after a reload (the server's"
        " caches warm, the page's own emptied).",
        "",
        "| view | first (ms) | again (ms) |",
        "|---|---:|---:|",
    ]
    for name, row in figures["views"].items():
        lines.append(f"| {name} | {row['first_ms']:,} | {row['again_ms']:,} |")
    if figures["console_errors"]:
        lines += ["", f"Console errors: {len(figures['console_errors'])}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--no-write", action="store_true", help="print, do not write the docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-explorer-") as tmp:
        folder = Path(tmp)
        generate(folder / "demo", seed=2024, scale=args.scale)
        store = MemoryStore(folder / "graph")
        try:
            load_dataset(store, folder / "demo")
        finally:
            store.close()
        process, url = _start_server(folder / "graph", folder / "server.log")
        try:
            figures = measure(url, args.nodes, args.frames)
        finally:
            _stop(process)
    markdown = report(figures, args.scale, args.frames)
    print(markdown)
    if not args.no_write:
        write_section("explorer", markdown, {**figures, "scale": args.scale})


if __name__ == "__main__":
    main()
