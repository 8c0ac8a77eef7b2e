"""benchmarks/planning.py: its steps, its bounds and its section, on a small demo (the docs
are not written)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from benchmarks import planning as bench
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.store import MemoryStore


def test_steps_run_bounded_plans_first_and_highs_last() -> None:
    for scale, scope in ((1.0, "all"), (10.0, "sample")):
        steps = bench.steps_for(scale)
        ids = [s.id for s in steps]
        assert len(ids) == len(set(ids))
        assert {p.id for p in bench.PLANS} <= set(ids)
        assert ids[0] == "pairing-sample-optimal"
        assert ids[-1] == "solver-commissioners-milp"
        assert ids.index("commissioners-sample-optimal") < ids.index("commissioners-city-optimal")
        assert max(ids.index(p.id) for p in bench.PLANS if p.scope != "all") < min(
            ids.index(p.id) for p in bench.PLANS if p.scope == "all"
        )
        assert {s.scope for s in steps if s.solver} == {scope}


def test_too_big_says_how_big() -> None:
    assert bench.too_big(1000, 57, held=1.0, max_rss=6) is None
    reason = bench.too_big(50_000, 8_729, held=1.3, max_rss=5.5)
    assert reason is not None
    assert "50,000 × 8,729 = 436,450,000 pairs" in reason
    assert "4.2 GiB left under --max-rss 5.5" in reason


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench-plan")
    generate(folder / "data", seed=2024, scale=0.05)
    store = MemoryStore(folder / "graph")
    try:
        load_dataset(store, folder / "data")
    finally:
        store.close()
    return folder / "graph"


def test_children_measure_every_step_and_the_section_shows_them(
    small_store: Path, tmp_path: Path
) -> None:
    args = argparse.Namespace(scale=1.0, repeat=1, timeout=300.0, max_rss=8.0)
    opened, found = bench.run_children(small_store, args, tmp_path)
    assert set(found) == {s.id for s in bench.steps_for(1.0)}
    assert opened["institutions"] == 57
    assert len(opened["samples"]["pairing-sample"]) == 50  # every benchmark enterprise
    for p in bench.PLANS:
        assert "not_measured" not in found[p.id], found[p.id]
        assert found[p.id]["assigned"] <= found[p.id]["rows"]
    # the bounded pairing is the whole one at this scale
    assert found["pairing-sample-optimal"]["total_fit"] == found["pairing-all-optimal"]["total_fit"]

    figures: dict[str, Any] = {"scale": 1.0, "repeat": 1, "max_rss": 8.0, "timeout": 300.0}
    for key in ("model_s", "nodes", "edges", "institutions", "commissioners", "scopes"):
        figures[key] = opened[key]
    figures.update(bench.collect(found, 1.0))
    # a larger scale where the whole-province commissioner plan was refused
    large = {**figures, "scale": 10.0, "nodes": 10 * figures["nodes"]}
    large["plans"] = [
        {**r, "not_measured": "too big"} if r["id"] == "commissioners-all-optimal" else r
        for r in figures["plans"]
    ]
    text = bench.render({"1.0": figures, "10.0": large})
    assert text.startswith("## Planning")
    assert "### Scale 1 (" in text and "### Scale 10 (" in text
    assert "commissioners OPTIMAL, all counties" in text
    assert ": not measured: too big." in text
    assert "### How the cost grows with the scale" in text
    assert "| linear_sum_assignment (graphsvc) |" in text


def test_old_layout_is_left_out_of_the_section() -> None:
    old = {"scale": 1.0, "plans": [{"what": "pairing OPTIMAL", "s": 0.6}]}
    assert bench.render({"1.0": old}) == bench.HEADING
