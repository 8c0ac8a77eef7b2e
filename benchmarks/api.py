"""API throughput and latency: graphsvc against a bare starlette JSON endpoint, same server setup.

`python benchmarks/api.py [--scale 1.0] [--duration 10] [--connections 32]`: generates and loads
the demo dataset, starts uvicorn (1 worker, 127.0.0.1, a free port, no access log) once with a
bare starlette app and once with graphsvc, measures each with wrk (an asyncio httpx load
generator when wrk is not installed), and writes the "API" section of docs/benchmarks.md.
Targets (issue 4): a trivial query at >= 25 % of the bare endpoint's requests/s; p99 < 30 ms
for the contract's entity queries at 32 concurrent clients.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.report import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
TOKEN = "bench-admin-token-0123456789"
TRIVIAL = "{ __typename }"


async def _hello(request: Request) -> Response:
    await request.body()
    return JSONResponse({"data": {"__typename": "Query"}})


def bare_app() -> Starlette:
    """The baseline: a starlette JSON endpoint that reads the body and answers a constant."""
    return Starlette(routes=[Route("/", _hello, methods=["GET", "POST"])])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(
    app: str, env: dict[str, str], app_dir: Path, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--factory", app, "--app-dir", str(app_dir)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    cmd += ["--no-access-log", "--log-level", "warning"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text('utf-8', 'replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not ready after {timeout} s")


def _wait_warm(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until ready and until the indexes are built (they are built in the background)."""
    _wait(url, proc, log)
    deadline = time.monotonic() + 600
    while not httpx.get(url, timeout=5).json().get("warm"):
        if time.monotonic() > deadline:
            raise SystemExit("indexes not built after 600 s")
        time.sleep(0.5)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _lua(method: str, bodies: list[str], headers: dict[str, str]) -> str:
    items = ",\n".join(f"[==[{b}]==]" for b in bodies)
    hdrs = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
    return (
        f"local bodies = {{\n{items}\n}}\nlocal i = 0\n"
        f"local headers = {{{hdrs}}}\n"
        "request = function()\n  i = (i % #bodies) + 1\n"
        f'  return wrk.format("{method}", nil, headers, bodies[i])\nend\n'
    )


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    assert m, text
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _run_wrk(
    url: str, method: str, bodies: list[str], headers: dict[str, str], conns: int, secs: int
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_lua(method, bodies, headers))
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{conns}", f"-d{secs}s", "--latency", "-s", script, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = {p: _ms(v) for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50_ms": lat.get("50"),
        "p90_ms": lat.get("90"),
        "p99_ms": lat.get("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "tool": "wrk",
    }


async def _run_httpx(
    url: str, method: str, bodies: list[str], headers: dict[str, str], conns: int, secs: int
) -> dict[str, Any]:
    latencies: list[float] = []
    bad = 0
    stop = time.monotonic() + secs
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            nonlocal bad
            i = n
            while time.monotonic() < stop:
                body = bodies[i % len(bodies)]
                i += 1
                t = time.perf_counter()
                r = await client.request(method, url, content=body or None, headers=headers)
                latencies.append(time.perf_counter() - t)
                bad += r.status_code >= 300

        started = time.monotonic()
        await asyncio.gather(*(worker(n) for n in range(conns)))
        elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "non_2xx": bad,
        "socket_errors": "",
        "tool": "httpx (wrk not installed; the load generator shares the 2 cores)",
    }


def measure(
    url: str, method: str, bodies: list[str], headers: dict[str, str], conns: int, secs: int
) -> dict[str, Any]:
    """Requests/s and latency percentiles for a rotating list of request bodies."""
    if shutil.which("wrk"):
        return _run_wrk(url, method, bodies, headers, conns, secs)
    return asyncio.run(_run_httpx(url, method, bodies, headers, conns, secs))


def _scenarios(store_dir: Path) -> dict[str, list[str]]:
    """The contract's entity queries, over a spread of real keys of the loaded graph."""
    from graphsvc.store import MemoryStore

    store = MemoryStore(store_dir)
    try:
        enterprises = [p["key"] for p in store.iter_nodes("Enterprise")][::37][:50]
        experts = [p["key"] for p in store.iter_nodes("Expert")][::11][:50]
        demands = [p["key"] for p in store.iter_nodes("Demand")][::13][:50]
        cities = [p["code"] for p in store.iter_nodes("City")]
        terms = [p["key"] for p in store.iter_nodes("Keyword")][::97][:30]
    finally:
        store.close()

    def q(query: str, **variables: Any) -> str:
        return json.dumps({"query": query, "variables": variables}, ensure_ascii=False)

    enterprise = """query Enterprise($key: String!) { enterprise(key: $key) { id key name size
      benchmark threeNo county { code name city { code name } } industries { code name }
      demands(first: 5) { totalCount edges { node { key title status } } }
      pairings { institution { key name } program } commissioners { key name } } }"""
    expert = """query Expert($key: String!) { expert(key: $key) { id key name title commissioner
      capacity currentLoad institution { key name } city { code name } subgroups { key name }
      industries { code name } keywords { key }
      collaborators(first: 5) { totalCount edges { node { expert { key name } kind } } } } }"""
    page = """query Page($city: String) { enterprises(first: 20, filter: {city: $city}) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { key name county { name } industries { code name } } } } }"""
    demand = """query Demand($key: String!) { demand(key: $key) { key title status postedOn
      enterprise { key name county { name } } industries { code } keywords { key } } }"""
    search = """query Search($text: String!) { search(text: $text, first: 10) { label score
      node { id ... on Expert { name } ... on Demand { title } ... on Enterprise { name }
      ... on Achievement { title } } } }"""
    return {
        "enterprise(key) + neighbours": [q(enterprise, key=k) for k in enterprises],
        "expert(key) + neighbours": [q(expert, key=k) for k in experts],
        "enterprises(first: 20, city) page": [q(page, city=c) for c in cities],
        "demand(key) + neighbours": [q(demand, key=k) for k in demands],
        "search(text, first: 10)": [q(search, text=t) for t in terms],
    }


def _check(url: str, bodies: list[str], headers: dict[str, str]) -> None:
    for body in bodies[:5]:
        r = httpx.post(url, content=body, headers=headers, timeout=60)
        payload = r.json()
        if r.status_code != 200 or payload.get("errors"):
            raise SystemExit(f"query failed: {body[:200]} -> {r.text[:500]}")


def main() -> None:
    """Run the benchmark and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs")
    args = parser.parse_args()

    from graphsvc.loaders.demo import generate
    from graphsvc.loaders.load import load_dataset
    from graphsvc.store import MemoryStore

    conns, secs = args.connections, args.duration
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp:
        work = Path(tmp)
        generate(work / "dataset", seed=2024, scale=args.scale)
        store = MemoryStore(work / "graph")
        load_dataset(store, work / "dataset")
        nodes = sum(store.counts().nodes.values())
        store.close()
        scenarios = _scenarios(work / "graph")

        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
        bare, bare_url = _start("api:bare_app", env, HERE, work / "bare.log")
        env.update(
            GRAPHSVC_DATA_DIR=str(work / "graph"),
            GRAPHSVC_ADMIN_TOKEN=TOKEN,
            GRAPHSVC_DEMO_IF_EMPTY="false",
        )
        results: dict[str, dict[str, Any]] = {}
        json_headers = {"Content-Type": "application/json"}
        auth = {**json_headers, "Authorization": f"Bearer {TOKEN}"}
        trivial = [json.dumps({"query": TRIVIAL})]
        try:
            _wait(f"{bare_url}/", bare, work / "bare.log")
            results["bare starlette GET"] = measure(f"{bare_url}/", "GET", [""], {}, conns, secs)
            results["bare starlette POST (reads the body)"] = measure(
                f"{bare_url}/", "POST", trivial, json_headers, conns, secs
            )
        finally:
            _stop(bare)
        for cache in ("4096", "0"):
            suffix = "" if cache != "0" else " (response cache off)"
            env["GRAPHSVC_RESPONSE_CACHE"] = cache
            svc, svc_url = _start("graphsvc.app:app_factory", env, ROOT, work / "graphsvc.log")
            try:
                _wait_warm(f"{svc_url}/readyz", svc, work / "graphsvc.log")
                gql = f"{svc_url}/graphql"
                _check(gql, trivial, json_headers)
                for bodies in scenarios.values():
                    _check(gql, bodies, auth)
                measure(gql, "POST", trivial, json_headers, conns, 2)  # warm-up
                results["graphsvc { __typename }" + suffix] = measure(
                    gql, "POST", trivial, json_headers, conns, secs
                )
                for name, bodies in scenarios.items():
                    measure(gql, "POST", bodies, auth, conns, 2)
                    results[name + suffix] = measure(gql, "POST", bodies, auth, conns, secs)
            finally:
                _stop(svc)

    base_get = results["bare starlette GET"]["rps"]
    base_post = results["bare starlette POST (reads the body)"]["rps"]
    trivial_rps = results["graphsvc { __typename }"]["rps"]
    figures = {
        "scale": args.scale,
        "nodes": nodes,
        "connections": conns,
        "duration_s": secs,
        "results": results,
        "trivial_vs_bare_get": trivial_rps / base_get,
        "trivial_vs_bare_post": trivial_rps / base_post,
        "uvicorn": _uvicorn_flavour(),
    }
    md = _markdown(figures)
    print(md)
    if not args.no_write:
        write_section("API", md, figures)


def _uvicorn_flavour() -> str:
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http} + {loop}"


def _markdown(f: dict[str, Any]) -> str:
    results: dict[str, dict[str, Any]] = f["results"]
    tool = next(iter(results.values()))["tool"]
    lines = [
        "## API",
        "",
        f"`python benchmarks/api.py --scale {f['scale']:g}`: uvicorn, 1 worker on 127.0.0.1 "
        f"({f['uvicorn']}), {f['connections']} concurrent connections for {f['duration_s']} s "
        f"each, measured with {tool}; the demo dataset at scale {f['scale']:g} "
        f"({f['nodes']:,} nodes). Entity queries rotate over up to 50 real keys each.",
        "",
        "| endpoint / query | requests/s | p50 | p90 | p99 | non-2xx |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50_ms']:.1f} ms | {r['p90_ms']:.1f} ms "
            f"| {r['p99_ms']:.1f} ms | {r['non_2xx']} |"
        )
    entity = {n: r for n, r in results.items() if not n.startswith(("bare", "graphsvc"))}
    worst = max(r["p99_ms"] for n, r in entity.items() if "cache off" not in n)
    worst_cold = max(r["p99_ms"] for n, r in entity.items() if "cache off" in n)
    lines += [
        "",
        f"- Trivial query: **{f['trivial_vs_bare_get']:.0%}** of the bare GET endpoint's "
        f"requests/s ({f['trivial_vs_bare_post']:.0%} of the bare POST one); target >= 25 %.",
        f"- Worst p99 of the entity queries: **{worst:.1f} ms** with the per-version response "
        f"cache (target < 30 ms); **{worst_cold:.1f} ms** with it off, when every request runs "
        "the resolvers (32 clients queue on one worker: p99 is about 32 x the service time).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
