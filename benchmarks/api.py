"""API throughput and latency: graphsvc against a bare starlette JSON endpoint, same server setup.

`python benchmarks/api.py [--scale 1.0] [--duration 10] [--connections 32]
[--dataset DIR | --data-dir DIR]`: generates and loads the demo dataset (or loads a generated
folder, `--dataset`, or serves a store loaded before, `--data-dir`: it is only read), starts
uvicorn (1 worker, 127.0.0.1, a free port, no access log) once with a bare starlette app and
once with graphsvc, measures each with wrk (an asyncio httpx load generator when wrk is not
installed), and writes the "API" section of docs/benchmarks.md, keeping the figures of the
other scales measured before. Targets (issue 4): a trivial query at >= 25 % of the bare
endpoint's requests/s; p99 < 30 ms for the contract's entity queries at 32 concurrent clients.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from graphsvc.store import MemoryStore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.report import previous_scales, write_section  # noqa: E402
from benchmarks.run import LoadAverage, describe, rss_gib  # noqa: E402

HERE = Path(__file__).resolve().parent
TOKEN = "bench-admin-token-0123456789"
TRIVIAL = "{ __typename }"
READY_TIMEOUT = 1800  # seconds to reopen the store and build the indexes (minutes at scale 100)
WRK_TIMEOUT = "30s"  # a slower answer counts as a timeout (wrk's default is 2 s)


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


class ServerFailed(SystemExit):
    """The server died or was stopped before it answered; the message says why."""


_STOPPED: dict[int, str] = {}  # pid -> why the memory guard stopped that server


def _start(
    app: str, env: dict[str, str], app_dir: Path, log: Path, max_rss: float | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start uvicorn with `app`; with `max_rss` (GiB), a thread stops it past that much memory
    (an out-of-memory kill on a shared machine hits whatever else runs there too)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--factory", app, "--app-dir", str(app_dir)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    cmd += ["--no-access-log", "--log-level", "warning"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if max_rss is not None:
        threading.Thread(target=_guard, args=(proc, max_rss), daemon=True).start()
    return proc, f"http://127.0.0.1:{port}"


def graphsvc_server(
    tmp: Path, token: str, role: str, env: dict[str, str], max_rss: float | None = None
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """Start graphsvc under uvicorn with the settings in `env` only (none of this process's
    ``GRAPHSVC_*``), no demo data, and `token` granting `role`; its files go in `tmp`.
    Returns the server, its URL and its log file."""
    tokens = tmp / "tokens.txt"
    tokens.write_text(f"{token} {role}\n", "utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    environ.update(GRAPHSVC_TOKENS_FILE=str(tokens), GRAPHSVC_DEMO_IF_EMPTY="false", **env)
    log_file = tmp / "uvicorn.log"
    server, url = _start("graphsvc.app:app_factory", environ, ROOT, log_file, max_rss)
    return server, url, log_file


def _guard(proc: subprocess.Popen[bytes], max_rss: float) -> None:
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, rss_gib(proc.pid))
        if peak > max_rss:
            _STOPPED[proc.pid] = f"the server took more than {max_rss:g} GiB of memory"
            proc.kill()  # our own server, by its PID
            return
        time.sleep(0.5)


def _failed(proc: subprocess.Popen[bytes], log: Path) -> ServerFailed:
    """Why the server `proc` has exited."""
    if proc.pid in _STOPPED:
        return ServerFailed(_STOPPED[proc.pid])
    code = proc.returncode
    how = "was killed (SIGKILL: out of memory?)" if code == -signal.SIGKILL else f"exited {code}"
    tail = " ".join(log.read_text("utf-8", "replace").split())[-300:]
    return ServerFailed(f"the server {how}" + (f": {tail}" if tail else ""))


def _wait(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = READY_TIMEOUT
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise _failed(proc, log)
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
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            if httpx.get(url, timeout=5).json().get("warm"):
                return
        except httpx.TransportError:
            if proc.poll() is not None:
                raise _failed(proc, log) from None
        if time.monotonic() > deadline:
            raise SystemExit(f"indexes not built after {READY_TIMEOUT} s")
        time.sleep(0.5)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# Counts the answers that carry GraphQL errors (a query that ran out of its time budget
# answers 200 with an error): wrk only counts non-2xx statuses.
_LUA_ERRORS = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
errors = 0
function response(status, headers, body)
  if string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("errors") end
  io.write(string.format("GraphQL errors: %d\\n", n))
end
"""


def _lua(method: str, bodies: list[str], headers: dict[str, str]) -> str:
    items = ",\n".join(f"[==[{b}]==]" for b in bodies)
    hdrs = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
    return (
        f"local bodies = {{\n{items}\n}}\nlocal i = 0\n"
        f"local headers = {{{hdrs}}}\n"
        "request = function()\n  i = (i % #bodies) + 1\n"
        f'  return wrk.format("{method}", nil, headers, bodies[i])\nend\n' + _LUA_ERRORS
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
            [
                *("wrk", "-t1", f"-c{conns}", f"-d{secs}s", "--timeout", WRK_TIMEOUT),
                *("--latency", "-s", script, url),
            ],
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
    gql_errors = re.search(r"GraphQL errors: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": lat.get("50"),
        "p90_ms": lat.get("90"),
        "p99_ms": lat.get("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "graphql_errors": int(gql_errors.group(1)) if gql_errors else 0,
        "tool": "wrk",
    }


async def _run_httpx(
    url: str, method: str, bodies: list[str], headers: dict[str, str], conns: int, secs: int
) -> dict[str, Any]:
    latencies: list[float] = []
    bad = gql_errors = 0
    stop = time.monotonic() + secs
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            nonlocal bad, gql_errors
            i = n
            while time.monotonic() < stop:
                body = bodies[i % len(bodies)]
                i += 1
                t = time.perf_counter()
                r = await client.request(method, url, content=body or None, headers=headers)
                latencies.append(time.perf_counter() - t)
                bad += r.status_code >= 300
                gql_errors += b'"errors"' in r.content

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
        "graphql_errors": gql_errors,
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
    """The contract's entity queries, over a spread of real keys of the store in `store_dir`."""
    from graphsvc.store import MemoryStore

    store = MemoryStore(store_dir)
    try:
        return _queries(store)
    finally:
        store.close()


def _queries(store: MemoryStore) -> dict[str, list[str]]:
    """The contract's entity queries, over a spread of real keys of the loaded graph."""
    enterprises = [p["key"] for p in store.iter_nodes("Enterprise")][::37][:50]
    experts = [p["key"] for p in store.iter_nodes("Expert")][::11][:50]
    demands = [p["key"] for p in store.iter_nodes("Demand")][::13][:50]
    cities = [p["code"] for p in store.iter_nodes("City")]
    terms = [p["key"] for p in store.iter_nodes("Keyword")][::97][:30]

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
    parser.add_argument(
        "--max-rss", type=float, default=20, help="GiB the server may take before it is stopped"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--dataset", type=Path, help="a demo dataset folder generated before")
    source.add_argument("--data-dir", type=Path, help="a store loaded before (only read)")
    args = parser.parse_args()

    conns, secs = args.connections, args.duration
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp, LoadAverage() as load:
        work = Path(tmp)
        graph = args.data_dir or work / "graph"
        # in a child process, so that this one holds no graph while the server loads its own
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            job = pool.submit(_prepare, args.scale, args.dataset, args.data_dir, work)
            nodes, scenarios = job.result()

        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
        bare, bare_url = _start("api:bare_app", env, HERE, work / "bare.log")
        env.update(
            GRAPHSVC_DATA_DIR=str(graph),
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
        not_measured: dict[str, str] = {}
        for cache in ("4096", "0"):
            suffix = "" if cache != "0" else " (response cache off)"
            label = f"graphsvc, response cache {'off' if cache == '0' else 'on'}"
            if not_measured:  # the same warm-up would fail the same way
                not_measured[label] = next(iter(not_measured.values()))
                continue
            env["GRAPHSVC_RESPONSE_CACHE"] = cache
            log = work / "graphsvc.log"
            svc, svc_url = _start("graphsvc.app:app_factory", env, ROOT, log, args.max_rss)
            warmed = False
            try:
                _wait_warm(f"{svc_url}/readyz", svc, work / "graphsvc.log")
                warmed = True
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
                    print(name + suffix, results[name + suffix], file=sys.stderr, flush=True)
            except ServerFailed as e:
                when = "under load" if warmed else "while opening the store and warming its "
                when += "" if warmed else "indexes and the recommender"
                not_measured[label] = f"{e} ({when})"
                print(f"{label}: not measured: {e}", file=sys.stderr, flush=True)
            finally:
                _stop(svc)
        measured = load.summary()

    figures: dict[str, Any] = {
        "scale": args.scale,
        "nodes": nodes,
        "connections": conns,
        "duration_s": secs,
        "results": results,
        "not_measured": not_measured,
        "uvicorn": _uvicorn_flavour(),
        "measured": measured,
    }
    if "graphsvc { __typename }" in results:
        trivial_rps = results["graphsvc { __typename }"]["rps"]
        figures["trivial_vs_bare_get"] = trivial_rps / results["bare starlette GET"]["rps"]
        figures["trivial_vs_bare_post"] = (
            trivial_rps / results["bare starlette POST (reads the body)"]["rps"]
        )
    scales = {**previous_scales("API", "results"), str(args.scale): figures}
    md = _markdown(scales)
    print(md)
    if not args.no_write:
        write_section("API", md, {"scales": scales})


def _prepare(
    scale: float, dataset: Path | None, data_dir: Path | None, work: Path
) -> tuple[int, dict[str, list[str]]]:
    """Generate and load the dataset unless given; the node count and the queries to send.
    The store is closed on return, before the server opens it."""
    sys.path.insert(0, str(ROOT))  # in the spawned child too
    from graphsvc.loaders.demo import generate
    from graphsvc.loaders.load import load_dataset
    from graphsvc.store import MemoryStore

    if data_dir is None:
        if dataset is None:
            dataset = work / "dataset"
            generate(dataset, seed=2024, scale=scale)
        store = MemoryStore(work / "graph")
        load_dataset(store, dataset)
    else:
        store = MemoryStore(data_dir)
    try:
        return sum(store.counts().nodes.values()), _queries(store)
    finally:
        store.close()


def _uvicorn_flavour() -> str:
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http} + {loop}"


def _markdown(scales: dict[str, Any]) -> str:
    lines = [
        "## API",
        "",
        "`python benchmarks/api.py --scale S`: uvicorn, 1 worker on 127.0.0.1, concurrent "
        "connections for a fixed time each, measured with wrk (answers slower than "
        f"{WRK_TIMEOUT.removesuffix('s')} s count as timeouts); the demo dataset at each scale. "
        "Entity queries rotate "
        "over up to 50 real keys each. *Errors*: non-2xx answers, timeouts and answers "
        "carrying a GraphQL error (a query that runs out of its 5 s budget answers 200 with "
        "one); the latencies are those of every answer received.",
    ]
    for _, f in sorted(scales.items(), key=lambda kv: float(kv[0])):
        lines += ["", *_scale_markdown(f)]
    return "\n".join(lines)


def _errors(r: dict[str, Any]) -> str:
    parts = [str(r["non_2xx"] + r.get("graphql_errors", 0))]
    timeouts = re.search(r"timeout (\d+)", r.get("socket_errors", ""))
    if timeouts and int(timeouts.group(1)):
        parts.append(f"{int(timeouts.group(1)):,} timeouts")
    return ", ".join(parts)


def _scale_markdown(f: dict[str, Any]) -> list[str]:
    results: dict[str, dict[str, Any]] = f["results"]
    tool = next(iter(results.values()))["tool"]
    lines = [
        f"### Scale {f['scale']:g} ({f['nodes']:,} nodes)",
        "",
        f"`python benchmarks/api.py --scale {f['scale']:g}`: {f['uvicorn']}, "
        f"{f['connections']} connections for {f['duration_s']} s each, {tool}.",
        "",
        "| endpoint / query | requests/s | p50 | p90 | p99 | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {_lat(r['p50_ms'])} | {_lat(r['p90_ms'])} "
            f"| {_lat(r['p99_ms'])} | {_errors(r)} |"
        )
    entity = {n: r for n, r in results.items() if not n.startswith(("bare", "graphsvc"))}
    warm = [r["p99_ms"] for n, r in entity.items() if "cache off" not in n and r["p99_ms"]]
    cold = [r["p99_ms"] for n, r in entity.items() if "cache off" in n and r["p99_ms"]]
    lines.append("")
    if "trivial_vs_bare_get" in f:
        lines.append(
            f"- Trivial query: **{f['trivial_vs_bare_get']:.0%}** of the bare GET endpoint's "
            f"requests/s ({f['trivial_vs_bare_post']:.0%} of the bare POST one); target >= 25 %."
        )
    if warm or cold:
        lines.append(
            f"- Worst p99 of the entity queries: **{_lat(max(warm, default=None))}** with the "
            f"per-version response cache (target < 30 ms); **{_lat(max(cold, default=None))}** "
            f"with it off, when every request runs the resolvers ({f['connections']} clients "
            f"queue on one worker: p99 is about {f['connections']} x the service time)."
        )
    for label, reason in f.get("not_measured", {}).items():
        lines.append(f"- {label}: **not measured**: {reason}.")
    if "measured" in f:
        lines += ["", describe(f["measured"])]
    return lines


def _lat(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms:,.1f} ms" if ms < 1000 else f"{ms / 1000:,.2f} s"


if __name__ == "__main__":
    main()
