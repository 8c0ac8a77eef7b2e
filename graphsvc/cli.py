"""The `graphsvc` command line.

Every setting is also a `GRAPHSVC_*` environment variable; flags win over the environment.
Exit status 0 on success, 1 with a one-line reason on stderr otherwise.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphsvc.config import Backend, Settings
from graphsvc.loaders.load import LoadReport, load_dataset
from graphsvc.loaders.read import FileError
from graphsvc.service import admin_token_path, open_store
from graphsvc.store import StoreError

__all__ = ["app", "main"]

app = typer.Typer(
    help="graphsvc: the graph behind the S&T commissioners programme.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
demo_app = typer.Typer(help="The Guangxi demo dataset.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
plan_app = typer.Typer(
    help="Capacity-constrained plans, written as CSV (docs/planning.md).", no_args_is_help=True
)
app.add_typer(plan_app, name="plan")

out = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="The embedded store's folder [env GRAPHSVC_DATA_DIR].",
        show_default=False,
    ),
]
BackendOpt = Annotated[
    Backend | None,
    typer.Option("--backend", help="memory or neo4j [env GRAPHSVC_BACKEND].", show_default=False),
]
Neo4jUri = Annotated[
    str | None,
    typer.Option(
        "--neo4j-uri", help="Bolt or neo4j:// URI [env GRAPHSVC_NEO4J_URI].", show_default=False
    ),
]


def _settings(**flags: Any) -> Settings:
    return Settings(**{k: v for k, v in flags.items() if v is not None})


def _fail(message: str) -> typer.Exit:
    err.print(f"graphsvc: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(1)


@contextlib.contextmanager
def _progress() -> Iterator[Any]:
    """A progress callback: a live bar on a terminal, plain lines otherwise."""
    if err.is_terminal:
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        )
        tasks: dict[str, Any] = {}

        def advance(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        with bar:
            yield advance
    else:
        started = time.monotonic()

        def line(stage: str, done: int, total: int | None) -> None:
            if total is not None and done >= total:
                print(
                    f"{stage}: {done} done ({time.monotonic() - started:.1f} s)",
                    file=sys.stderr,
                    flush=True,
                )

        yield line


@demo_app.command("generate")
def demo_generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the dataset into.")],
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same files.")
    ] = 2024,
    scale: Annotated[
        float, typer.Option(help="Population multiplier (100: ~1M nodes).", min=0.001)
    ] = 1.0,
) -> None:
    """Write the Guangxi demo dataset (DATA_FORMAT.md) into OUT_DIR."""
    from graphsvc.loaders.demo import generate

    started = time.monotonic()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _progress() as progress:

            def written(name: str, rows: int) -> None:
                progress(f"write {name}", rows, rows)

            counts = generate(out_dir, seed=seed, scale=scale, progress=written)
    except OSError as e:
        raise _fail(f"cannot write {out_dir}: {e.strerror or e}") from None
    table = Table("file", "rows", title=f"demo dataset in {out_dir}")
    for name, rows in counts.items():
        table.add_row(name, str(rows))
    out.print(table)
    out.print(f"{sum(counts.values())} rows in {time.monotonic() - started:.1f} s")


def _print_report(report: LoadReport, report_path: Path | None) -> None:
    table = Table("file", "encoding", "rows", "loaded", "rejected", title="load")
    for f in report.files:
        table.add_row(
            f.file,
            f.encoding,
            str(f.rows),
            str(f.loaded),
            "refused" if f.error else str(f.rejected),
        )
    out.print(table)
    for w in report.warnings:
        err.print(f"warning: {w}", markup=False, highlight=False)
    for f in report.refused_files:
        err.print(f"refused: {f.error}", markup=False, highlight=False)
    for r in report.rejects[:10]:
        err.print(
            f"rejected: {r.file}:{r.line}: {r.column}: {r.reason}", markup=False, highlight=False
        )
    if len(report.rejects) > 10:  # problems, a row may have several
        more = f"; all of them in {report_path}" if report_path else "; --report FILE lists all"
        err.print(f"... {len(report.rejects) - 10} more problems{more}")


@app.command()
def load(
    dataset_dir: Annotated[Path, typer.Argument(help="A dataset folder (DATA_FORMAT.md).")],
    data_dir: DataDir = None,
    backend: BackendOpt = None,
    neo4j_uri: Neo4jUri = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write every rejected row here (.csv; .json for the whole report)."),
    ] = None,
    max_errors: Annotated[
        int | None, typer.Option(help="Load nothing when more rows than this are rejected.", min=0)
    ] = None,
) -> None:
    """Load a dataset folder: every good row lands, every bad one is reported."""
    settings = _settings(data_dir=data_dir, backend=backend, neo4j_uri=neo4j_uri)
    started = time.monotonic()
    try:
        store = open_store(settings)
    except StoreError as e:
        raise _fail(str(e)) from None
    try:
        with _progress() as progress:
            result = load_dataset(store, dataset_dir, max_errors=max_errors, progress=progress)
    except (FileError, StoreError) as e:
        raise _fail(str(e)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted: nothing was loaded") from None
    finally:
        store.close()
    if report is not None:
        result.write(report)
    _print_report(result, report)
    if result.aborted:
        raise _fail(result.aborted)
    out.print(
        f"loaded {result.loaded} rows, rejected {result.rejected} "
        f"in {time.monotonic() - started:.1f} s (graph version {result.version})"
    )


@app.command()
def serve(
    data_dir: DataDir = None,
    backend: BackendOpt = None,
    neo4j_uri: Neo4jUri = None,
    host: Annotated[
        str | None, typer.Option(help="Address to bind [env GRAPHSVC_HOST].", show_default=False)
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port [env GRAPHSVC_PORT].", show_default=False)
    ] = None,
) -> None:
    """Serve GraphQL at /graphql; an empty store is first filled with the demo data."""
    import uvicorn

    from graphsvc.app import create_app

    settings = _settings(
        data_dir=data_dir, backend=backend, neo4j_uri=neo4j_uri, host=host, port=port
    )
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    if settings.admin_token is None:
        out.print(
            f"admin token: `cat {admin_token_path(settings)}` "
            "(created on first start; set GRAPHSVC_ADMIN_TOKEN to choose one)"
        )
    out.print(f"GraphQL: http://{settings.host}:{settings.port}/graphql")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        lifespan="on",
    )


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from graphsvc.schema import sdl

    sys.stdout.write(sdl())


@app.command()
def stats(data_dir: DataDir = None, backend: BackendOpt = None, neo4j_uri: Neo4jUri = None) -> None:
    """Print node and relationship counts of the store."""
    settings = _settings(data_dir=data_dir, backend=backend, neo4j_uri=neo4j_uri)
    try:
        store = open_store(settings)
    except StoreError as e:
        raise _fail(str(e)) from None
    try:
        counts = store.counts()
        table = Table("label", "nodes", title=f"graph version {store.version}")
        for label, n in sorted(counts.nodes.items()):
            table.add_row(label, str(n))
        out.print(table)
        rels = Table("type", "relationships")
        for t, n in sorted(counts.relationships.items()):
            rels.add_row(t, str(n))
        out.print(rels)
    finally:
        store.close()


def main() -> None:
    """Entry point of the `graphsvc` console script."""
    app()


@app.command("push-list")
def push_list_command(
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    data_dir: DataDir = None,
    per_demand: Annotated[int, typer.Option(help="Experts pushed per open demand.", min=1)] = 5,
    max_per_expert: Annotated[
        int, typer.Option(help="Most pushes one expert receives this round.", min=1)
    ] = 10,
) -> None:
    """Push every open demand to its best experts (CSV), with exposure balanced."""
    import csv

    from graphsvc.algorithms.pushlist import push_list
    from graphsvc.algorithms.recommend import build_model

    settings = _settings(data_dir=data_dir)
    started = time.monotonic()
    try:
        store = open_store(settings)
    except StoreError as e:
        raise _fail(str(e)) from None
    try:
        model = build_model(store.view(), version=store.version)
        result = push_list(model, per_demand=per_demand, max_per_expert=max_per_expert)
    finally:
        store.close()
    try:
        with out_file.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(
                [
                    *("demand_key", "enterprise_key", "county_code", "remote", "rank"),
                    *("expert_key", "score", "reason"),
                ]
            )
            for r in result.rows:
                row = (r.demand, r.enterprise, r.county, str(r.remote).lower(), r.rank, r.expert)
                w.writerow((*row, f"{r.score:.4f}", r.reason))
    except OSError as e:
        raise _fail(f"cannot write {out_file}: {e.strerror or e}") from None
    table = Table("spread", "value", title=f"push list in {out_file}")
    for k, v in result.spread().items():
        table.add_row(k.replace("_", " "), str(v))
    out.print(table)
    out.print(f"{len(result.rows)} pushes in {time.monotonic() - started:.1f} s")


@app.command()
def evaluate(
    data_dir: DataDir = None,
    share: Annotated[
        float, typer.Option(help="Share of solved demands whose records are hidden.")
    ] = 0.2,
    seed: Annotated[int, typer.Option(help="Seed choosing the hidden demands.")] = 2024,
    k: Annotated[int, typer.Option(help="Cut-off of Recall and NDCG.", min=1)] = 10,
) -> None:
    """Hide solved service records, recommend without them, score model and baselines."""
    from graphsvc.algorithms.evaluate import evaluate as run_evaluation

    settings = _settings(data_dir=data_dir)
    try:
        store = open_store(settings)
    except StoreError as e:
        raise _fail(str(e)) from None
    try:
        report = run_evaluation(store.view(), share=share, seed=seed, k=k)
    except ValueError as e:
        raise _fail(str(e)) from None
    finally:
        store.close()
    table = Table("method", f"Recall@{k}", f"NDCG@{k}", "MRR", title="evaluation")
    for s in report.scores:
        table.add_row(s.method, f"{s.recall:.3f}", f"{s.ndcg:.3f}", f"{s.mrr:.3f}")
    out.print(table)
    best = report.best_baseline()
    out.print(
        f"{report.demands} hidden demands ({report.removed} relationships removed, seed "
        f"{seed}); model vs best baseline ({best.method}) on Recall@{k}: "
        f"{report.lift():+.1%}"
    )


# -- plans --------------------------------------------------------------------------------------

PlanOut = Annotated[Path, typer.Option("--out", help="CSV file to write.")]
Remove = Annotated[
    list[str] | None, typer.Option("--remove", help="Leave this key out (repeat for more).")
]
Capacity = Annotated[
    list[str] | None,
    typer.Option("--capacity", help="KEY=N: a capacity overriding the graph's (repeatable)."),
]
Preferences = Annotated[
    int | None,
    typer.Option(help="STABLE: candidates each enterprise lists in the first round.", min=1),
]
Explain = Annotated[bool, typer.Option(help="Write each assignment's reasons.")]


def _key_numbers(items: list[str] | None, option: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items or ():
        key, sep, number = item.partition("=")
        if not sep or not key or not number.strip().isdigit():
            raise _fail(f"{option} takes KEY=N with N a whole number >= 0 (got {item!r})")
        out[key.strip()] = int(number)
    return out


def _run_plan(settings: Settings, make: Any, out_file: Path) -> None:
    """Open the store, compute a plan with `make(view, model)`, write it as CSV."""
    import csv

    from graphsvc.algorithms.planning import PlanningError
    from graphsvc.algorithms.planning_solve import SolverError
    from graphsvc.algorithms.recommend import build_model

    started = time.monotonic()
    try:
        store = open_store(settings)
    except StoreError as e:
        raise _fail(str(e)) from None
    try:
        view = store.view()
        plan = make(view, build_model(view, version=store.version))
    except (PlanningError, SolverError) as e:
        raise _fail(str(e)) from None
    finally:
        store.close()
    target = "institution_key" if plan.kind == "pairing" else "expert_key"
    try:
        with out_file.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["status", "enterprise_key", target, "score", "round", "code", "reasons"])
            for a in plan.assignments:
                w.writerow(
                    [
                        "assigned",
                        a.enterprise,
                        a.target,
                        f"{a.score:.4f}",
                        a.round,
                        "",
                        "；".join(a.reasons),
                    ]
                )
            for u in plan.unassigned:
                w.writerow(["unassigned", u.enterprise, "", "", "", u.code, u.reason])
    except OSError as e:
        raise _fail(f"cannot write {out_file}: {e.strerror or e}") from None
    c = plan.coverage
    table = Table("figure", "value", title=f"{plan.kind} plan ({plan.mode}) in {out_file}")
    table.add_row("enterprises", str(c.total))
    table.add_row("covered before", f"{c.before} ({c.share_before:.1%})")
    table.add_row("covered with the plan", f"{c.after} ({c.share_after:.1%})")
    table.add_row("assignments", str(len(plan.assignments)))
    table.add_row("total fit", f"{plan.total_fit:.2f}")
    codes: dict[str, int] = {}
    for u in plan.unassigned:
        codes[u.code] = codes.get(u.code, 0) + 1
    for code, n in sorted(codes.items()):
        table.add_row(f"unassigned: {code}", str(n))
    out.print(table)
    out.print(f"planned in {time.monotonic() - started:.1f} s (graph version {plan.version})")


@plan_app.command("pairing")
def plan_pairing_command(
    out_file: PlanOut,
    data_dir: DataDir = None,
    mode: Annotated[str, typer.Option(help="optimal or stable.")] = "optimal",
    capacity: Capacity = None,
    remove: Remove = None,
    preferences: Preferences = None,
    explain: Explain = True,
) -> None:
    """Pair every unpaired benchmark enterprise with an institution (CSV)."""
    from graphsvc.algorithms.planning import plan_pairing

    capacities = _key_numbers(capacity, "--capacity")
    _run_plan(
        _settings(data_dir=data_dir),
        lambda view, model: plan_pairing(
            view,
            model,
            mode=mode,
            capacities=capacities,
            remove=remove or (),
            preferences=preferences,
            explain=explain,
        ),
        out_file,
    )


@plan_app.command("commissioners")
def plan_commissioners_command(
    out_file: PlanOut,
    data_dir: DataDir = None,
    county: Annotated[
        list[str] | None, typer.Option("--county", help="A county code (repeat; default: all).")
    ] = None,
    start_on: Annotated[
        str | None, typer.Option(help="The term's first day (default: today).")
    ] = None,
    term_years: Annotated[int, typer.Option(help="Length of the term.", min=1)] = 2,
    mode: Annotated[str, typer.Option(help="optimal or stable.")] = "optimal",
    capacity: Capacity = None,
    city_quota: Annotated[
        list[str] | None, typer.Option("--city-quota", help="CODE=N: a city's quota.")
    ] = None,
    subgroup_quota: Annotated[
        list[str] | None, typer.Option("--subgroup-quota", help="KEY=N: a subgroup's quota.")
    ] = None,
    remove: Remove = None,
    preferences: Preferences = None,
    explain: Explain = True,
) -> None:
    """Give county enterprises a commissioner for a term (CSV)."""
    from graphsvc.algorithms.planning import plan_commissioners

    capacities = _key_numbers(capacity, "--capacity")
    city_quotas = _key_numbers(city_quota, "--city-quota")
    subgroup_quotas = _key_numbers(subgroup_quota, "--subgroup-quota")
    _run_plan(
        _settings(data_dir=data_dir),
        lambda view, model: plan_commissioners(
            view,
            model,
            counties=county or None,
            start_on=start_on,
            term_years=term_years,
            mode=mode,
            capacities=capacities,
            city_quotas=city_quotas,
            subgroup_quotas=subgroup_quotas,
            remove=remove or (),
            preferences=preferences,
            explain=explain,
        ),
        out_file,
    )
