"""Plans on the Guangxi demo: the whole-province pairing and commissioner plans next to the
bounded plans a planner runs at a large scale, on the full graph; a greedy baseline and other
exact solvers on the same problems; the plans over HTTP.

Usage: ``python benchmarks/planning.py [--scale 1] [--repeat 3] [--no-http]
[--dataset DIR | --data-dir DIR] [--max-rss 16] [--timeout 600] [--forget SCALE ...]``

The demo is generated and loaded (or loaded from a generated folder, `--dataset`, or a store
loaded before is reused, `--data-dir`: it is only read). The measurements run in a child
process that reopens the store and builds the recommender. Each step (one run of a plan, a
solver, the explanations) gets `--timeout` seconds and the child at most `--max-rss` GiB; a
step that would certainly pass a bound (its fit matrices' size, or its time extrapolated from
the bounded plan of the same kind) is not started, one that passes it stops the child; either
way it is reported as not measured, with the reason, and a new child measures the rest.
Writes the "planning" section of docs/benchmarks.md, keeping the other scales measured before
(`--forget SCALE` drops one).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.api import ServerFailed, _failed, _stop, _wait_warm, graphsvc_server
from benchmarks.children import in_child, load_store
from benchmarks.report import previous_scales, write_section
from benchmarks.run import LoadAverage, describe, rss_gib
from graphsvc.algorithms import planning
from graphsvc.algorithms.fit import institution_fit
from graphsvc.algorithms.planning import (
    Plan,
    explain_assignments,
    plan_commissioners,
    plan_pairing,
)
from graphsvc.algorithms.planning_solve import assign
from graphsvc.algorithms.recommend import Model, build_model
from graphsvc.store import MemoryStore

T = TypeVar("T")
PLANNER_TOKEN = "bench-planner-token-0123456789"
OPEN_TIMEOUT = 1800  # seconds for a child to reopen the store and build the recommender
SAMPLE_PAIRING = 1000  # benchmark enterprises of the bounded pairing
SAMPLE_COMMISSIONERS = 200  # enterprises of the bounded commissioner plan
# Peak memory of a plan per (enterprise, institution or expert) pair of its fit: the dense
# features, masks and the solver's matrix. Measured on the commissioner plans: 141 bytes at
# scale 1 (4,516 x 905), 121 at scale 10 (705 x 8,729).
BYTES_PER_PAIR = 144
NETWORK_SIMPLEX_MAX_PAIRS = 100_000  # minutes beyond this
HTTP_CACHED_REPEAT = 5

PAIRING_QUERY = """query($e: [String!]) { planPairing(enterprises: $e) { totalFit
  assignmentCount coverage { before after total }
  assignments(first: 100) { enterprise { key } institution { key } score } } }"""
COMMISSIONERS_QUERY = """query($e: [String!]) { planCommissioners(enterprises: $e) {
  totalFit assignmentCount coverage { before after total }
  assignments(first: 100) { enterprise { key } expert { key } score }
  unassigned(first: 100) { enterprise { key } code } } }"""
EXPLAIN_QUERY = """{ planPairing { assignments(first: 20) { enterprise { key } reasons
  paths { nodes { key } relationships { type } } } } }"""


@dataclass(frozen=True)
class Step:
    """One measurement: a plan (`kind` pairing or commissioners, over `scope`, in `mode`),
    a solver on a plan's problem, or explaining a plan's assignments."""

    id: str
    kind: str
    scope: str  # all | sample | city | county
    mode: str = "optimal"
    explain: bool = False
    solver: str = ""  # a key of SOLVERS, or "explain"

    @property
    def source(self) -> str:
        """The OPTIMAL plan whose problem a solver or explain step uses."""
        return f"{self.kind}-{self.scope}-optimal"


def _plan(kind: str, scope: str, mode: str = "optimal", explain: bool = False) -> Step:
    suffix = "explained" if explain else mode
    return Step(f"{kind}-{scope}-{suffix}", kind, scope, mode, explain)


# in the order of the table
PLANS = (
    _plan("pairing", "all"),
    _plan("pairing", "all", "stable"),
    _plan("pairing", "all", explain=True),
    _plan("commissioners", "all"),
    _plan("commissioners", "all", "stable"),
    _plan("pairing", "sample"),
    _plan("pairing", "sample", "stable"),
    _plan("commissioners", "city"),
    _plan("commissioners", "county"),
    _plan("commissioners", "sample"),
    _plan("commissioners", "sample", "stable"),
)
SOLVER_NAMES = {
    "lsa": "linear_sum_assignment (graphsvc)",
    "greedy": "greedy (baseline)",
    "simplex": "networkx network_simplex",
    "milp": "scipy milp (HiGHS)",
}


def steps_for(scale: float) -> list[Step]:
    """Every step, in the order they run: the bounded plans first (their times bound the
    others'), the solvers and the explanations on the whole-province problems at scale 1 or
    below and on the bounded ones above, the whole-province plans, HiGHS on the commissioner
    problem last (the slowest)."""
    scope = "all" if scale <= 1 else "sample"
    solvers = {
        kind: [Step(f"solver-{kind}-{s}", kind, scope, solver=s) for s in SOLVER_NAMES]
        for kind in ("pairing", "commissioners")
    }
    explain = Step("explain-commissioners", "commissioners", scope, solver="explain")
    bounded = [_plan("pairing", "sample"), _plan("pairing", "sample", "stable")]
    bounded += [_plan("commissioners", "sample"), _plan("commissioners", "sample", "stable")]
    bounded += [_plan("commissioners", "county"), _plan("commissioners", "city")]
    whole = [p for p in PLANS if p.scope == "all"]
    return [
        *bounded,
        *solvers["pairing"],
        explain,
        *solvers["commissioners"][:-1],
        *whole,
        solvers["commissioners"][-1],
    ]


def greedy(weight: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The baseline: best remaining pair first, while both sides have room."""
    rows, cols = np.nonzero(allowed)
    order = np.argsort(-weight[rows, cols], kind="stable")
    room = capacity.copy()
    out = np.full(weight.shape[0], -1, dtype=np.int64)
    for r, c in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if out[r] < 0 and room[c] > 0:
            out[r] = c
            room[c] -= 1
    return out


def network_simplex(weight: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The same objective as min-cost flow (networkx), fits scaled to integers (1e-4)."""
    g = nx.DiGraph()
    bonus = int(np.round(np.where(allowed, weight, 0).max(axis=1).sum() * 1e4)) + 1
    n_rows = weight.shape[0]
    g.add_node("s", demand=-n_rows)
    g.add_node("t", demand=n_rows)
    g.add_edge("s", "t", weight=0, capacity=n_rows)  # unassigned
    for r in range(n_rows):
        g.add_edge("s", ("r", r), weight=0, capacity=1)
    for c in range(weight.shape[1]):
        g.add_edge(("c", c), "t", weight=0, capacity=int(capacity[c]))
    for r, c in zip(*np.nonzero(allowed), strict=True):
        cost = -(bonus + round(float(weight[r, c]) * 1e4))
        g.add_edge(("r", int(r)), ("c", int(c)), weight=cost, capacity=1)
    _, flow = nx.network_simplex(g)
    out = np.full(n_rows, -1, dtype=np.int64)
    for r in range(n_rows):
        for (_, c), f in flow[("r", r)].items():
            if f:
                out[r] = c
    return out


def highs(weight: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The same objective as a 0/1 program (scipy.optimize.milp, HiGHS)."""
    pr, pc = np.nonzero(allowed)
    n = len(pr)
    bonus = float(np.where(allowed, weight, 0).max(axis=1).sum()) + 1
    a = sp.vstack(
        [
            sp.csr_matrix((np.ones(n), (pr, np.arange(n))), shape=(weight.shape[0], n)),
            sp.csr_matrix((np.ones(n), (pc, np.arange(n))), shape=(weight.shape[1], n)),
        ]
    )
    upper = np.concatenate([np.ones(weight.shape[0]), capacity.astype(float)])
    res = milp(
        -(weight[pr, pc] + bonus),
        constraints=LinearConstraint(a, -np.inf, upper),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
    )
    out = np.full(weight.shape[0], -1, dtype=np.int64)
    take = res.x > 0.5
    out[pr[take]] = pc[take]
    return out


SOLVERS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "lsa": lambda w, a, c: assign(w, a, c),
    "greedy": greedy,
    "simplex": network_simplex,
    "milp": highs,
}

Problem = tuple[np.ndarray, np.ndarray, np.ndarray]


def score(match: np.ndarray, weight: np.ndarray) -> tuple[int, float]:
    """Rows assigned and their total weight."""
    got = match >= 0
    return int(got.sum()), float(weight[np.flatnonzero(got), match[got]].sum())


def captured(call: Callable[[], T]) -> tuple[T, Problem | None]:
    """`call()`'s result and the first assignment problem it handed to its solver."""
    seen: list[Problem] = []
    names = vars(planning)
    real = names["assign"]

    def spy(weight: Any, allowed: Any, capacity: Any, *args: Any, **kw: Any) -> Any:
        seen.append((np.asarray(weight), np.asarray(allowed), np.asarray(capacity)))
        return real(weight, allowed, capacity, *args, **kw)

    names["assign"] = spy
    try:
        result = call()
    finally:
        names["assign"] = real
    return result, (seen[0] if seen else None)


# -- the measuring child ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The enterprises a plan is asked for (None and None: the plan's default, all)."""

    text: str
    rows: int  # at most this many enterprises planned
    enterprises: list[str] | None = None
    counties: list[str] | None = None


def scopes(view: nx.MultiDiGraph, model: Model) -> dict[str, Scope]:
    """The scopes of the plans, keyed `kind-scope`: every (benchmark) enterprise; the first
    benchmark enterprises and the first enterprises by key; the counties of the city with
    the fewest enterprises, and the county of that city with the most."""
    index = model.index
    ents = index.table("Enterprise").keys
    bench = sorted(k for k in ents if view.nodes[f"Enterprise:{k}"].get("benchmark"))
    counties, cities = index.table("County"), index.table("City")
    per_county = Counter(c for c in index.enterprise_county.tolist() if c >= 0)
    per_city: Counter[int] = Counter()
    for c, n in per_county.items():
        if index.county_city[c] >= 0:
            per_city[int(index.county_city[c])] += n
    city = min(per_city, key=lambda c: (per_city[c], cities.keys[c]))
    in_city = sorted(c for c in per_county if index.county_city[c] == city)
    county = max(in_city, key=lambda c: (per_county[c], -c))

    def name(label: str, i: int, keys: Sequence[str]) -> str:
        return str(index.props(label, i).get("name") or keys[i])

    sample_p, sample_c = bench[:SAMPLE_PAIRING], sorted(ents)[:SAMPLE_COMMISSIONERS]
    in_city_n = sum(per_county[c] for c in in_city)
    return {
        "pairing-all": Scope(f"every benchmark enterprise ({len(bench):,})", len(bench)),
        "pairing-sample": Scope(
            f"the first {len(sample_p):,} benchmark enterprises by key", len(sample_p), sample_p
        ),
        "commissioners-all": Scope(f"all counties ({len(ents):,} enterprises)", len(ents)),
        "commissioners-city": Scope(
            f"the {len(in_city)} counties of {name('City', city, cities.keys)} "
            f"({in_city_n:,} enterprises)",
            in_city_n,
            counties=[counties.keys[c] for c in in_city],
        ),
        "commissioners-county": Scope(
            f"{name('County', county, counties.keys)} ({per_county[county]:,} enterprises)",
            per_county[county],
            counties=[counties.keys[county]],
        ),
        "commissioners-sample": Scope(
            f"the first {len(sample_c):,} enterprises by key", len(sample_c), sample_c
        ),
    }


def _reset_peak() -> None:
    """Start this process's peak resident memory (VmHWM) afresh (Linux)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_gib() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 2**20, 2)
    except OSError:
        pass
    return None


class Child:
    """The measuring child: reports each run before it starts and each figure as it lands,
    one JSON object a line, so that the parent can stop a run that passes a bound and keep
    what was measured."""

    def __init__(self, out: Path, args: argparse.Namespace) -> None:
        self.out = out.open("a", encoding="utf-8")
        self.args = args
        t0 = time.perf_counter()
        self.store = MemoryStore(args.data_dir)
        self.view = self.store.view()
        reopen = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.model = build_model(self.view, version=self.store.version)
        model_s = time.perf_counter() - t0
        self.scopes = scopes(self.view, self.model)
        institution_fit(self.model, np.asarray([0]))  # compiles the push (numba)
        index = self.model.index
        self.columns = {
            "pairing": len(index.table("Institution")),
            "commissioners": int(index.expert_commissioner.sum()),
        }
        self.problems: dict[str, Problem] = {}
        self.plans: dict[str, Plan] = {}
        # a bounded plan's one run, per kind (measured by an earlier child, or by this one)
        self.seconds: dict[str, float] = dict(args.seconds)
        self.emit(
            opened=True,
            reopen_s=round(reopen, 1),
            model_s=round(model_s, 2),
            rss_gib=round(rss_gib(os.getpid()), 2),
            nodes=self.view.number_of_nodes(),
            edges=self.view.number_of_edges(),
            enterprises=len(index.table("Enterprise")),
            institutions=self.columns["pairing"],
            commissioners=self.columns["commissioners"],
            scopes={k: s.text for k, s in self.scopes.items()},
            samples={
                k: self.scopes[k].enterprises for k in ("pairing-sample", "commissioners-sample")
            },
        )

    def emit(self, **event: Any) -> None:
        self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
        self.out.flush()

    def run(self, step: Step) -> None:
        try:
            if step.solver == "explain":
                value = self.explain(step)
            elif step.solver:
                value = self.solve(step)
            else:
                value = self.plan(step)
        except NotMeasuredError as e:
            self.emit(step=step.id, not_measured=str(e))
            return
        self.emit(step=step.id, value=value)

    def call(self, step: Step) -> Callable[[], Plan]:
        scope = self.scopes[f"{step.kind}-{step.scope}"]
        if step.kind == "pairing":
            return lambda: plan_pairing(
                self.view,
                self.model,
                mode=step.mode,
                enterprises=scope.enterprises,
                explain=step.explain,
            )
        return lambda: plan_commissioners(
            self.view,
            self.model,
            mode=step.mode,
            counties=scope.counties,
            enterprises=scope.enterprises,
            explain=step.explain,
        )

    def check(self, step: Step) -> None:
        """Refuse a plan that would certainly pass the memory or the time bound."""
        scope = self.scopes[f"{step.kind}-{step.scope}"]
        rows, cols = scope.rows, self.columns[step.kind]
        held = rss_gib(os.getpid())
        reason = too_big(rows, cols, held, self.args.max_rss)
        if reason:
            raise NotMeasuredError(reason)
        sample = self.scopes[f"{step.kind}-sample"]
        if step.scope != "sample" and step.kind in self.seconds and sample.rows:
            guess = self.seconds[step.kind] * rows / sample.rows
            if guess > self.args.timeout:
                raise NotMeasuredError(
                    f"about {guess:,.0f} s for {rows:,} enterprises, from "
                    f"{self.seconds[step.kind]:.1f} s for the {sample.rows:,} of the bounded "
                    f"plan (the fit costs about the same per enterprise), beyond the "
                    f"{self.args.timeout:g} s bound"
                )

    def plan(self, step: Step) -> dict[str, Any]:
        self.check(step)
        call = self.call(step)
        times: list[float] = []
        peaks: list[float] = []
        plan: Plan | None = None
        while len(times) < self.args.repeat:
            if times and sum(times) + times[-1] > self.args.timeout:
                break  # a further run would pass the bound
            self.emit(step=step.id, started=time.time(), run=len(times) + 1)
            _reset_peak()
            t0 = time.perf_counter()
            result, problem = captured(call)
            times.append(time.perf_counter() - t0)
            peaks.append(_peak_gib() or 0.0)
            if problem is not None and step.mode == "optimal" and not step.explain:
                self.problems.setdefault(step.id, problem)
                self.plans.setdefault(step.id, result)
            plan = result
        assert plan is not None
        if step.scope == "sample" and step.mode == "optimal":
            self.seconds[step.kind] = times[0]
        c = plan.coverage
        return {
            "s": round(statistics.median(times), 2),
            "runs": len(times),
            "peak_gib": max(peaks) if any(peaks) else None,
            "rows": c.total - plan.kept,
            "columns": self.columns[step.kind],
            "planned": c.total - c.before,
            "assigned": len(plan.assignments),
            "covered": f"{c.before:,} → {c.after:,} of {c.total:,}",
            "total_fit": plan.total_fit,
        }

    def source(self, step: Step) -> tuple[Plan, Problem]:
        """The plan and problem of the OPTIMAL plan a solver or explain step uses."""
        if step.source not in self.problems:
            source = _plan(step.kind, step.scope)
            self.check(source)
            self.emit(step=step.id, started=time.time(), run=0)  # computing the problem
            plan, problem = captured(self.call(source))
            if problem is None:
                raise NotMeasuredError("the plan handed no problem to its solver")
            self.problems[step.source], self.plans[step.source] = problem, plan
        return self.plans[step.source], self.problems[step.source]

    def solve(self, step: Step) -> dict[str, Any]:
        _, (w, a, c) = self.source(step)
        pairs = int(a.sum())
        out: dict[str, Any] = {"rows": w.shape[0], "columns": w.shape[1], "pairs": pairs}
        if step.solver == "simplex" and pairs > NETWORK_SIMPLEX_MAX_PAIRS:
            out["not_measured"] = f"skipped: minutes at {pairs:,} candidate pairs"
            return out
        self.emit(step=step.id, started=time.time(), run=1)
        _reset_peak()
        t0 = time.perf_counter()
        match = SOLVERS[step.solver](w, a, c)
        out["s"] = round(time.perf_counter() - t0, 3)
        out["peak_gib"] = _peak_gib()
        covered, fit = score(match, w)
        out["covered"], out["fit"] = covered, round(fit, 2)
        return out

    def explain(self, step: Step) -> dict[str, Any]:
        plan, _ = self.source(step)
        which = range(min(100, len(plan.assignments)))
        self.emit(step=step.id, started=time.time(), run=1)
        t0 = time.perf_counter()
        explain_assignments(self.model, plan, which)
        return {"s": round(time.perf_counter() - t0, 2), "explained": len(which)}


class NotMeasuredError(Exception):
    """A step that is not started: the message says why."""


def too_big(rows: int, cols: int, held: float, max_rss: float) -> str | None:
    """Why a plan of `rows` enterprises and `cols` institutions or experts would pass
    `max_rss` GiB with `held` GiB in use (None when it fits)."""
    pairs = rows * cols
    need = pairs * BYTES_PER_PAIR / 2**30
    left = max_rss - held
    if need <= left:
        return None
    return (
        f"its fit and solver matrices would hold up to {rows:,} × {cols:,} = {pairs:,} pairs, "
        f"about {need:,.1f} GiB at ~{BYTES_PER_PAIR} bytes a pair, more than the "
        f"{max(left, 0):.1f} GiB left under --max-rss {max_rss:g} (the store and the "
        f"recommender hold {held:.1f} GiB)"
    )


def child_main(args: argparse.Namespace) -> None:
    """The child: reopen the store, build the recommender, run the steps asked for."""
    child = Child(args.child, args)
    by_id = {s.id: s for s in steps_for(args.scale)}
    try:
        for step_id in args.only:
            child.run(by_id[step_id])
    finally:
        child.store.close()


# -- the parent ------------------------------------------------------------------------------


def run_children(
    data_dir: Path, args: argparse.Namespace, work: Path
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Measure every step in child processes within the bounds; a child stopped on a bound
    (or crashed) is followed by a new one for the steps left. Returns what the first child
    found when it opened the store, and each step's figures or why they are missing."""
    steps = steps_for(args.scale)
    by_id = {s.id: s for s in steps}
    opened: dict[str, Any] = {}
    found: dict[str, dict[str, Any]] = {}
    left = [s.id for s in steps]
    while left:
        out = work / f"child-{len(steps) - len(left)}.jsonl"
        out.touch()
        cmd = [sys.executable, __file__, "--child", str(out), "--data-dir", str(data_dir)]
        cmd += ["--scale", str(args.scale), "--repeat", str(args.repeat)]
        cmd += ["--timeout", str(args.timeout), "--max-rss", str(args.max_rss)]
        cmd += [a for s in left for a in ("--only", s)]
        for kind in ("pairing", "commissioners"):
            if "s" in found.get(f"{kind}-sample-optimal", {}):
                cmd += ["--seconds", f"{kind}={found[f'{kind}-sample-optimal']['s']}"]
        err = work / "child.err"
        with err.open("wb") as stderr:
            proc = subprocess.Popen(cmd, stderr=stderr)
        current: tuple[str, float, int] | None = None  # step, started, run (0: its problem)
        opened_by = time.time() + OPEN_TIMEOUT
        is_open = False
        reason = None
        with out.open(encoding="utf-8") as events:
            while True:
                exited = proc.poll() is not None
                for line in events.readlines():
                    event = json.loads(line)
                    if event.get("opened"):
                        is_open = True
                        opened = opened or event
                        log(
                            f"store reopened in {event['reopen_s']} s, recommender built in "
                            f"{event['model_s']} s; {event['rss_gib']} GiB"
                        )
                    elif "started" in event:
                        current = (event["step"], event["started"], event["run"])
                    else:
                        found[event["step"]] = event.get("value") or {
                            "not_measured": event["not_measured"]
                        }
                        left.remove(event["step"])
                        current = None
                        log(f"{event['step']}: {found[event['step']]}")
                if exited:
                    break
                rss = rss_gib(proc.pid)
                if current and time.time() - current[1] > args.timeout:
                    reason = f"a run took longer than {args.timeout:g} s"
                elif rss > args.max_rss:
                    reason = f"it took more than {args.max_rss:g} GiB of memory (the store "
                    reason += "and the recommender included)"
                elif not is_open and time.time() > opened_by:
                    raise SystemExit(f"the store did not reopen within {OPEN_TIMEOUT} s")
                if reason:
                    proc.kill()  # our own child, by its PID
                    proc.wait()
                    break
                time.sleep(0.5)
        if proc.returncode and reason is None:
            lines = err.read_text("utf-8", "replace").strip().splitlines()
            last = lines[-1].strip() if lines else f"exit status {proc.returncode}"
            reason = f"failed: {last}"
        if reason is not None:
            if not left or not is_open:
                raise SystemExit(f"the measuring child stopped before its first step: {reason}")
            failed = by_id[current[0] if current else left[0]]
            # a plan's fit (or a solver's problem) that passed a bound would pass it again
            # for every step of the same kind and scope
            fit = not failed.solver or (current is not None and current[2] == 0)
            log(f"{failed.id}: not measured: {reason}")
            for step in steps:
                same = fit and (step.kind, step.scope) == (failed.kind, failed.scope)
                if step.id in left and (step is failed or same):
                    why = reason if step is failed else f"as {failed.id}: {reason}"
                    found[step.id] = {"not_measured": why}
                    left.remove(step.id)
    return opened, found


def http_figures(
    data_dir: Path,
    tmp: Path,
    queries: list[tuple[str, str, dict[str, Any]]],
    args: argparse.Namespace,
) -> dict[str, dict[str, Any]]:
    """Each query's first answer (the plan computed; asked again while it answers
    UNAVAILABLE, for at most `--timeout` s) and its cached answers, from a uvicorn server on
    the store (stopped past `--max-rss`)."""
    import httpx

    env = {"GRAPHSVC_DATA_DIR": str(data_dir)}
    server, url, log_file = graphsvc_server(tmp, PLANNER_TOKEN, "planner", env, args.max_rss)
    http: dict[str, dict[str, Any]] = {}
    try:
        _wait_warm(f"{url}/readyz", server, log_file)
        headers = {"Authorization": f"Bearer {PLANNER_TOKEN}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            for name, query, variables in queries:
                body = {"query": query, "variables": variables}
                t0 = time.perf_counter()
                tries = 0
                why = None
                while True:
                    tries += 1
                    errors = client.post("/graphql", json=body).json().get("errors") or []
                    if not errors:
                        break
                    code = errors[0].get("extensions", {}).get("code")
                    if code == "LIMIT_EXCEEDED":  # past the server's GRAPHSVC_MAX_PLAN_PAIRS
                        why = f"the server refuses it: {errors[0]['message']}"
                        break
                    if code != "UNAVAILABLE":
                        raise SystemExit(f"{name} over HTTP: {errors}")
                    if time.perf_counter() - t0 > args.timeout:
                        why = f"no answer within {args.timeout:g} s"
                        break
                    time.sleep(0.2)
                if why:
                    http[name] = {"not_measured": why}
                    continue
                first = time.perf_counter() - t0
                cached = []
                for _ in range(HTTP_CACHED_REPEAT):
                    t0 = time.perf_counter()
                    client.post("/graphql", json=body)
                    cached.append(time.perf_counter() - t0)
                http[name] = {
                    "first_answer_s": round(first, 2),
                    "requests_until_answered": tries,
                    "cached_ms": round(statistics.median(cached) * 1000, 1),
                }
                log(f"{name} over HTTP: {http[name]}")
    except httpx.TransportError:
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise  # the server lives: a real transport error
        raise _failed(server, log_file) from None
    finally:
        _stop(server)
    return http


def http_queries(
    opened: dict[str, Any], found: dict[str, dict[str, Any]]
) -> tuple[list[tuple[str, str, dict[str, Any]]], dict[str, str]]:
    """The queries to ask over HTTP, and those left out (whole-province ones whose plan was
    not measured in process), with why."""
    samples = opened["samples"]
    wanted = [
        ("planPairing", PAIRING_QUERY, {}, "pairing-all-optimal"),
        ("planCommissioners (all counties)", COMMISSIONERS_QUERY, {}, "commissioners-all-optimal"),
        ("planPairing, 20 assignments explained", EXPLAIN_QUERY, {}, "pairing-all-optimal"),
        (
            f"planPairing, the first {len(samples['pairing-sample']):,} benchmark enterprises",
            PAIRING_QUERY,
            {"e": samples["pairing-sample"]},
            "pairing-sample-optimal",
        ),
        (
            f"planCommissioners, the first {len(samples['commissioners-sample']):,} enterprises",
            COMMISSIONERS_QUERY,
            {"e": samples["commissioners-sample"]},
            "commissioners-sample-optimal",
        ),
    ]
    asked, skipped = [], {}
    for name, query, variables, step in wanted:
        if "not_measured" in found.get(step, {}):
            skipped[name] = f"as in process ({step})"
        else:
            asked.append((name, query, variables))
    return asked, skipped


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _kind_seconds(text: str) -> tuple[str, float]:
    kind, seconds = text.split("=")
    return kind, float(seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each plan (median)")
    ap.add_argument("--no-http", action="store_true")
    source = ap.add_mutually_exclusive_group()
    source.add_argument("--dataset", type=Path, help="a demo dataset folder generated before")
    source.add_argument("--data-dir", type=Path, help="a store loaded before (only read)")
    ap.add_argument("--max-rss", type=float, default=16, help="GiB for the child and server")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run of a step")
    ap.add_argument(
        "--forget", type=float, action="append", default=[], help="a scale to drop from docs"
    )
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--only", action="append", default=[], help=argparse.SUPPRESS)
    ap.add_argument(
        "--seconds", type=_kind_seconds, action="append", default=[], help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.child:
        child_main(args)
        return
    figures: dict[str, Any] = {
        "scale": args.scale,
        "repeat": args.repeat,
        "max_rss": args.max_rss,
        "timeout": args.timeout,
    }
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as tmp, LoadAverage() as load:
        data_dir = args.data_dir or Path(tmp) / "graph"
        if args.data_dir is None:
            folder = args.dataset or Path(tmp) / "data"
            figures["load_s"] = in_child(load_store, args.scale, args.dataset, folder, data_dir)
        opened, found = run_children(data_dir, args, Path(tmp))
        for key in ("reopen_s", "model_s", "rss_gib", "nodes", "edges", "enterprises"):
            figures[key] = opened[key]
        figures["institutions"] = opened["institutions"]
        figures["commissioners"] = opened["commissioners"]
        figures["scopes"] = opened["scopes"]
        figures.update(collect(found, args.scale))
        if not args.no_http:
            asked, skipped = http_queries(opened, found)
            try:
                http = http_figures(data_dir, Path(tmp), asked, args)
                http.update({k: {"not_measured": v} for k, v in skipped.items()})
                figures["http"] = http
            except ServerFailed as e:
                figures["http_not_measured"] = str(e)
                log(f"HTTP not measured: {e}")
        figures["measured"] = load.summary()
    forget = {str(float(s)) for s in args.forget}
    previous = {k: v for k, v in previous_scales("planning", "plans").items() if k not in forget}
    scales = {**previous, str(args.scale): figures}
    markdown = render(scales)
    print(markdown)
    write_section("planning", markdown, {"scales": scales})


def collect(found: dict[str, dict[str, Any]], scale: float) -> dict[str, Any]:
    """The steps' figures as the section's: plans, explanations, solvers."""
    plans = [{"id": p.id, **found[p.id]} for p in PLANS]
    explain = found["explain-commissioners"]
    solvers: dict[str, Any] = {}
    for step in steps_for(scale):
        if step.solver and step.solver != "explain":
            v = dict(found[step.id])
            entry = solvers.setdefault(step.kind, {"scope": step.scope})
            for key in ("rows", "columns", "pairs"):
                if key in v:
                    entry[key] = v.pop(key)
            entry[SOLVER_NAMES[step.solver]] = v
    return {"plans": plans, "explain": explain, "solvers": solvers}


# -- the section -------------------------------------------------------------------------------

HEADING = """## Planning

`python benchmarks/planning.py --scale S` (at scale 100 with `--data-dir`, a store loaded
once): the plans in process, on the full graph of the scale: the whole province's, and the
bounded ones a planner runs at a large scale (the first benchmark enterprises by key, the
counties of the smallest city, its largest county, the first enterprises by key). A plan
builds dense fit matrices of its enterprises × the institutions or commissioners, hence the
*rows × columns* column. Median of up to `--repeat` runs (fewer when they would pass the
time bound); target under 5 s each. *Peak GiB*: the measuring process's peak resident memory
during the plan, the store and the recommender included. Each step runs within a time and
memory bound; one that would pass it (its matrices' size, or its time extrapolated from the
bounded plan of the same kind) or does is reported as not measured, with the reason."""


GENERIC = {
    "pairing-all": "every benchmark enterprise",
    "pairing-sample": f"the first {SAMPLE_PAIRING:,} benchmark enterprises",
    "commissioners-all": "all counties",
    "commissioners-city": "the counties of the smallest city",
    "commissioners-county": "the largest county of that city",
    "commissioners-sample": f"the first {SAMPLE_COMMISSIONERS:,} enterprises",
}


def _label(plan_id: str, scopes: dict[str, str]) -> str:
    kind, scope, suffix = plan_id.split("-")
    mode = "OPTIMAL" if suffix in ("optimal", "explained") else "STABLE"
    text = scopes.get(f"{kind}-{scope}") or GENERIC[f"{kind}-{scope}"]
    extra = ", every assignment explained" if suffix == "explained" else ""
    return f"{kind} {mode}, {text}{extra}"


def _cells(r: dict[str, Any]) -> str:
    if "not_measured" in r:
        return "not measured | | | | | |"
    peak = "" if r.get("peak_gib") is None else f"{r['peak_gib']:.2f}"
    return (
        f"{r['rows']:,} × {r['columns']:,} | {r['s']} | {peak} | {r['planned']:,} "
        f"| {r['assigned']:,} | {r['covered']} | {r['total_fit']:.1f}"
    )


def render_scale(f: dict[str, Any]) -> str:
    """One scale's tables and notes."""
    lines = [
        f"### Scale {f['scale']:g} ({f['nodes']:,} nodes, {f['edges']:,} relationships; "
        f"{f['institutions']:,} institutions, {f['commissioners']:,} commissioners; "
        f"recommender built in {f['model_s']} s, not counted below)",
        "",
        "| plan | rows × columns | seconds | peak GiB | planned | assigned | covered | total fit |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    notes = []
    for r in f["plans"]:
        label = _label(r["id"], f["scopes"])
        lines.append(f"| {label} | {_cells(r)} |")
        if "not_measured" in r:
            notes.append(f"- {label}: not measured: {r['not_measured']}.")
    lines += ["", *notes] if notes else []
    e = f["explain"]
    scope = f["solvers"]["commissioners"]["scope"]
    pairing, commissioners = (f["scopes"][f"{k}-{scope}"] for k in ("pairing", "commissioners"))
    lines += [
        "",
        (
            f"Explaining {e['explained']} assignments of the commissioner plan for "
            f"{commissioners}: {e['s']} s (reasons and paths, as the API does on demand)."
            if "not_measured" not in e
            else f"Explaining commissioner assignments: not measured: {e['not_measured']}."
        ),
        "",
        f"Solvers on the assignment problems the OPTIMAL plans for {pairing} and for "
        f"{commissioners} hand to their solver (coverage first, then fit):",
        "",
        "| problem | solver | seconds | covered | total fit |",
        "|---|---|---:|---:|---:|",
    ]
    for kind, entry in f["solvers"].items():
        size = (
            f" ({entry['rows']:,} × {entry['columns']:,}, {entry['pairs']:,} candidate pairs)"
            if "pairs" in entry
            else ""
        )
        for name, v in entry.items():
            if not isinstance(v, dict):
                continue
            if "not_measured" in v:
                lines.append(f"| {kind}{size} | {name} | {v['not_measured']} | | |")
            else:
                lines.append(
                    f"| {kind}{size} | {name} | {v['s']} | {v['covered']:,} | {v['fit']:.1f} |"
                )
    ours = f["solvers"]["pairing"].get("linear_sum_assignment (graphsvc)", {})
    base = f["solvers"]["pairing"].get("greedy (baseline)", {})
    if "fit" in ours and "fit" in base:
        lines += [
            "",
            f"On the pairing, the exact plan covers {ours['covered'] - base['covered']:+d} "
            f"enterprises and {ours['fit'] / max(base['fit'], 1e-9):.3f}× the total fit of "
            "the greedy baseline.",
        ]
    if "http" in f:
        lines += [
            "",
            "Over HTTP (uvicorn, planner token). The first answer includes computing the plan "
            "(and, for the first plan after start-up, compiling the PageRank push with "
            "numba); a query that outruns its 5 s budget answers UNAVAILABLE and the client "
            "asks again. Cached answers come from the per-version caches:",
            "",
            "| query | first answer s | requests | cached ms |",
            "|---|---:|---:|---:|",
        ]
        for name, v in f["http"].items():
            if "not_measured" in v:
                lines.append(f"| {name} | not measured: {v['not_measured']} | | |")
            else:
                lines.append(
                    f"| {name} | {v['first_answer_s']} | {v['requests_until_answered']} "
                    f"| {v['cached_ms']} |"
                )
    elif "http_not_measured" in f:
        lines += ["", f"Over HTTP: not measured: {f['http_not_measured']}."]
    bounds = f"Bounds: {f['timeout']:g} s a run, {f['max_rss']:g} GiB. " if "timeout" in f else ""
    lines += ["", bounds + describe(f.get("measured"))]
    return "\n".join(lines)


def render_growth(scales: dict[str, Any]) -> str:
    """Seconds of each plan at each scale, side by side."""
    order = sorted(scales, key=float)
    head = " | ".join(f"scale {float(s):g}" for s in order)
    lines = [
        "### How the cost grows with the scale",
        "",
        "Seconds (rows × columns) of each plan at each scale, on the full graph of the scale:",
        "",
        f"| plan | {head} |",
        f"|---|{'---:|' * len(order)}",
    ]
    by_scale = {s: {r["id"]: r for r in scales[s]["plans"]} for s in order}
    for p in PLANS:
        cells = []
        for s in order:
            r = by_scale[s].get(p.id, {})
            if "s" in r:
                cells.append(f"{r['s']} ({r['rows']:,} × {r['columns']:,})")
            else:
                cells.append("not measured")
        label = _label(p.id, {})
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return "\n".join(lines)


def render(scales: dict[str, Any]) -> str:
    """The section: every scale measured in the current layout (plans with ids)."""
    current = {k: v for k, v in scales.items() if all("id" in r for r in v.get("plans", []))}
    parts = [HEADING]
    parts += [render_scale(current[k]) for k in sorted(current, key=float)]
    if len(current) > 1:
        parts.append(render_growth(current))
    return "\n\n".join(parts)


if __name__ == "__main__":
    main()
