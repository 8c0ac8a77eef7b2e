"""Plans on the small Guangxi demo: existing pairings kept, capacity, travel, conflicts and
quotas never broken, scores from the recommender, real paths, reasons for the rest, and
bad input refused."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest

from graphsvc.algorithms.coverage import coverage
from graphsvc.algorithms.fit import institution_fit
from graphsvc.algorithms.planning import (
    Mode,
    Plan,
    PlanningError,
    PlanTooLargeError,
    compare_plans,
    explain_assignments,
    plan_commissioners,
    plan_pairing,
)
from graphsvc.algorithms.planning_rules import (
    active_in_term,
    commissioner_state,
    conflicts,
    institution_capacity,
    neighbouring_cities,
    term_end,
)
from graphsvc.algorithms.recommend import Model, recommend_institutions
from tests.planning.conftest import TODAY, check_paths

CODES = {"NO_CANDIDATE", "OUT_OF_REACH", "CONFLICT", "NO_CAPACITY", "QUOTA", "CAPACITY_USED"}


@pytest.fixture(scope="module")
def pairing(view: nx.MultiDiGraph, model: Model) -> Plan:
    return plan_pairing(view, model, explain=False)


@pytest.fixture(scope="module")
def commissioners(view: nx.MultiDiGraph, model: Model) -> Plan:
    return plan_commissioners(view, model, start_on=TODAY, explain=False)


def paired_with(view: nx.MultiDiGraph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for u, v, k in view.edges(keys=True):
        if k == "PAIRED_WITH":
            out.setdefault(v.partition(":")[2], set()).add(u.partition(":")[2])
    return out


def test_pairing_keeps_existing_pairings_and_capacity(view: nx.MultiDiGraph, pairing: Plan) -> None:
    existing = paired_with(view)
    benchmark = {n.partition(":")[2] for n, p in view.nodes(data=True) if p.get("benchmark")}
    planned = {a.enterprise for a in pairing.assignments}
    assert not planned & set(existing)  # only unpaired enterprises are planned
    assert planned | {u.enterprise for u in pairing.unassigned} == benchmark - set(existing)
    assert pairing.kept == len(benchmark & set(existing))
    # the coverage the plan starts from is coverage.py's
    before = coverage(view)
    assert (pairing.coverage.total, pairing.coverage.before) == (
        before.benchmark_total,
        before.benchmark_paired,
    )
    assert pairing.coverage.after == pairing.coverage.before + len(pairing.assignments)
    load = Counter(i for insts in existing.values() for i in insts)
    new = Counter(a.target for a in pairing.assignments)
    for inst, n in new.items():
        cap = institution_capacity(view.nodes[f"Institution:{inst}"])
        assert load[inst] + n <= cap, inst
    assert len(pairing.assignments) > 0.8 * len(benchmark - set(existing))
    assert set(u.code for u in pairing.unassigned) <= CODES
    assert all(u.reason for u in pairing.unassigned)


def test_pairing_scores_are_the_recommenders(model: Model, pairing: Plan) -> None:
    for a in pairing.assignments[::25]:
        rec = recommend_institutions(
            model, enterprise=a.enterprise, first=100, exclude_paired=False
        )
        assert a.score == pytest.approx(next(r.score for r in rec if r.key == a.institution))
    assert pairing.total_fit == pytest.approx(sum(a.score for a in pairing.assignments))


def test_optimal_beats_stable_on_coverage_then_fit(
    view: nx.MultiDiGraph, model: Model, pairing: Plan
) -> None:
    stable = plan_pairing(view, model, mode=Mode.STABLE, explain=False)
    assert pairing.coverage.after >= stable.coverage.after
    if pairing.coverage.after == stable.coverage.after:
        assert pairing.total_fit >= stable.total_fit - 1e-6


def test_stable_pairing_has_no_blocking_pair(view: nx.MultiDiGraph, model: Model) -> None:
    index = model.index
    existing = Counter(i for s in paired_with(view).values() for i in s)
    # one free place per institution: enterprises compete for them
    tight = {k: existing[k] + 1 for k in index.table("Institution").keys}
    plan = plan_pairing(view, model, mode="stable", capacities=tight, explain=False)
    ents, insts = index.table("Enterprise"), index.table("Institution")
    rows = np.asarray(
        [
            ents.pos[k]
            for k in sorted(
                {a.enterprise for a in plan.assignments} | {u.enterprise for u in plan.unassigned}
            )
        ]
    )
    fit = institution_fit(model, rows)
    room = {k: tight[k] - existing[k] for k in insts.keys}
    match = {a.enterprise: a.target for a in plan.assignments}
    held: dict[str, list[float]] = {}
    row_of = {ents.keys[n]: i for i, n in enumerate(rows.tolist())}
    for e, i in match.items():
        held.setdefault(i, []).append(fit.score[row_of[e], insts.pos[i]])
    checked = 0
    for e, r in row_of.items():
        mine = fit.score[r, insts.pos[match[e]]] if e in match else -1.0
        for j in np.flatnonzero(fit.evidence[r]).tolist():
            better = fit.score[r, j] > mine
            if not better:
                continue
            inst = insts.keys[j]
            got = held.get(inst, [])
            # the institution is full, and of ones it likes at least as much
            assert len(got) >= room[inst], (e, inst)
            assert not got or min(got) >= fit.score[r, j] - 1e-9, (e, inst)
            checked += 1
    assert checked > 50


def test_short_lists_then_a_supplementary_round(view: nx.MultiDiGraph, model: Model) -> None:
    existing = Counter(i for s in paired_with(view).values() for i in s)
    tight = {k: existing[k] + 2 for k in model.index.table("Institution").keys}

    def stable(**kw: object) -> Plan:
        return plan_pairing(view, model, mode="stable", capacities=tight, explain=False, **kw)  # type: ignore[arg-type]

    full, short, none = stable(), stable(preferences=1), stable(preferences=1, supplementary=False)
    assert {a.round for a in short.assignments} == {1, 2}
    assert {a.round for a in none.assignments} == {1}
    # round two only re-plans those round one left out
    first = {a.enterprise: a.institution for a in none.assignments}
    assert all(first[a.enterprise] == a.institution for a in short.assignments if a.round == 1)
    assert not {a.enterprise for a in short.assignments if a.round == 2} & set(first)
    assert len(short.assignments) > len(none.assignments)
    assert len(full.assignments) >= len(none.assignments)


def test_explanations_are_real_paths(
    view: nx.MultiDiGraph, model: Model, pairing: Plan, commissioners: Plan
) -> None:
    some = explain_assignments(model, pairing, range(0, len(pairing.assignments), 10))
    explained = [a for a in some.assignments if a.reasons]
    assert len(explained) >= len(pairing.assignments) // 10
    assert check_paths(view, tuple(explained)) > 50
    some = explain_assignments(model, commissioners, range(0, len(commissioners.assignments), 10))
    explained = [a for a in some.assignments if a.reasons]
    assert explained and check_paths(view, tuple(explained)) > 50


def test_what_if_an_institution_leaves(view: nx.MultiDiGraph, model: Model, pairing: Plan) -> None:
    busiest = Counter(i for s in paired_with(view).values() for i in s).most_common(1)[0][0]
    variant = plan_pairing(view, model, remove=[busiest], explain=False)
    assert busiest not in {a.institution for a in variant.assignments}
    assert variant.kept < pairing.kept  # its pairings no longer count
    d = compare_plans(pairing, variant)
    assert d.change == variant.coverage.after - pairing.coverage.after
    assert sum(c.change for c in d.counties) == d.change
    assert d.moved > 0 and all(c.change != 0 for c in d.counties)
    closed = plan_pairing(view, model, capacities={busiest: 0}, explain=False)
    assert busiest not in {a.institution for a in closed.assignments}


def test_infeasible_pairing_is_reported(view: nx.MultiDiGraph, model: Model) -> None:
    zero = {k: 0 for k in model.index.table("Institution").keys}
    plan = plan_pairing(view, model, capacities=zero, explain=False)
    assert plan.assignments == () and plan.unassigned
    assert {u.code for u in plan.unassigned} <= {"NO_CAPACITY", "NO_CANDIDATE"}
    assert plan.coverage.after == plan.coverage.before


def test_commissioners_respect_every_rule(
    view: nx.MultiDiGraph, model: Model, commissioners: Plan
) -> None:
    plan = commissioners
    state = commissioner_state(view, TODAY, term_end(TODAY, 2))
    near = neighbouring_cities(view)
    bad = conflicts(view)
    assert plan.assignments and plan.start_on == TODAY and plan.term_end == "2026-06-30"
    counts = Counter(a.enterprise for a in plan.assignments)
    assert max(counts.values()) == 1
    new = Counter(a.target for a in plan.assignments)
    for a in plan.assignments:
        expert = a.expert or ""
        assert view.nodes[f"Expert:{expert}"].get("commissioner")
        assert not state.covered.get(a.enterprise)  # one commissioner per enterprise
        assert (expert, a.enterprise) not in bad
        here = state.city_of_enterprise[a.enterprise]
        assert state.city_of_expert[expert] in near[here]
    for expert, n in new.items():
        cap = view.nodes[f"Expert:{expert}"].get("capacity", 3)
        assert len(state.load.get(expert, ())) + n <= cap
    assert plan.kept == sum(
        1 for n in view if n.startswith("Enterprise:") and state.covered.get(n.partition(":")[2])
    )
    assert set(u.code for u in plan.unassigned) <= CODES


def test_conflicts_are_never_assigned(
    view: nx.MultiDiGraph, model: Model, commissioners: Plan
) -> None:
    bad = conflicts(view)
    assert {"failed", "deal", "employer"} <= set(bad.values())
    # declare the plan's own pairs in conflict: none of them may come back
    declared = [(a.expert or "", a.enterprise) for a in commissioners.assignments[:30]]
    again = plan_commissioners(
        view, model, start_on=TODAY, declared_conflicts=declared, explain=False
    )
    assert not set(declared) & {(a.expert, a.enterprise) for a in again.assignments}


def test_quotas_are_never_exceeded(
    view: nx.MultiDiGraph, model: Model, commissioners: Plan
) -> None:
    state = commissioner_state(view, TODAY, term_end(TODAY, 2))
    by_city = Counter(state.city_of_enterprise[a.enterprise] for a in commissioners.assignments)
    city = by_city.most_common(1)[0][0]
    used_city = state.city_used()[city]
    sub_used = state.subgroup_used()
    groups = Counter(
        s for a in commissioners.assignments for s in state.subgroups_of.get(a.expert or "", ())
    )
    sub = groups.most_common(1)[0][0]
    for mode in Mode:
        plan = plan_commissioners(
            view,
            model,
            start_on=TODAY,
            mode=mode,
            city_quotas={city: used_city + by_city[city] // 2},
            subgroup_quotas={sub: sub_used[sub] + groups[sub] // 3},
            explain=False,
        )
        got_city = sum(
            1 for a in plan.assignments if state.city_of_enterprise[a.enterprise] == city
        )
        got_sub = sum(
            1 for a in plan.assignments if sub in state.subgroups_of.get(a.expert or "", ())
        )
        assert got_city <= by_city[city] // 2, mode
        assert got_sub <= groups[sub] // 3, mode
        assert "QUOTA" in {u.code for u in plan.unassigned} or got_city < by_city[city]


def test_removing_an_expert_frees_their_enterprises(
    view: nx.MultiDiGraph, model: Model, commissioners: Plan
) -> None:
    state = commissioner_state(view, TODAY, term_end(TODAY, 2))
    busy = next(
        x
        for x, ents in state.load.items()
        if ents
        and any(x in state.covered.get(e, ()) for e in ents)
        and view.nodes[f"Expert:{x}"].get("commissioner")
    )
    variant = plan_commissioners(view, model, start_on=TODAY, remove=[busy], explain=False)
    assert busy not in {a.expert for a in variant.assignments}
    assert variant.kept <= commissioners.kept
    d = compare_plans(commissioners, variant)
    assert d.change == variant.coverage.after - commissioners.coverage.after


def test_scope_by_county(view: nx.MultiDiGraph, model: Model) -> None:
    county = next(n.partition(":")[2] for n in view if n.startswith("County:"))
    plan = plan_commissioners(view, model, counties=[county], start_on=TODAY, explain=True)
    inside = {
        u.partition(":")[2]
        for u, v, k in view.edges(keys=True)
        if k == "LOCATED_IN" and v == f"County:{county}"
    }
    assert plan.coverage.total == len(inside)
    assert {a.enterprise for a in plan.assignments} <= inside
    assert [c.code for c in plan.coverage.counties] == [county]
    assert all(a.reasons for a in plan.assignments)
    check_paths(view, plan.assignments)


def test_services_in_the_term_count(view: nx.MultiDiGraph) -> None:
    assert active_in_term({"start_on": "2026-01-01"}, "2025-01-01", "2027-01-01")
    assert not active_in_term({"start_on": "2027-01-01"}, "2025-01-01", "2027-01-01")
    assert not active_in_term({"end_on": "2024-12-31"}, "2025-01-01", "2027-01-01")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda v, m: plan_pairing(v, m, mode="best"), "mode"),
        (lambda v, m: plan_pairing(v, m, remove=["INST-NOPE"]), "INST-NOPE"),
        (lambda v, m: plan_pairing(v, m, capacities={"INST-001": -1}), ">= 0"),
        (lambda v, m: plan_pairing(v, m, enterprises=["ENT-NOPE"]), "ENT-NOPE"),
        (lambda v, m: plan_pairing(v, m, preferences=0), "preferences"),
        (lambda v, m: plan_commissioners(v, m, counties=["999999"]), "999999"),
        (lambda v, m: plan_commissioners(v, m, start_on="2025-13-01"), "startOn"),
        (lambda v, m: plan_commissioners(v, m, term_years=0), "termYears"),
        (lambda v, m: plan_commissioners(v, m, city_quotas={"450100": -2}), ">= 0"),
        (lambda v, m: plan_commissioners(v, m, subgroup_quotas={"SG-X": 1}), "SG-X"),
        (lambda v, m: plan_commissioners(v, m, declared_conflicts=[("X", "Y")]), "'X'"),
    ],
)
def test_bad_input_is_refused(view: nx.MultiDiGraph, model: Model, call, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        call(view, model)


def test_a_plan_past_max_pairs_is_refused(
    view: nx.MultiDiGraph, model: Model, commissioners: Plan
) -> None:
    commissioner_keys = [
        n for n, d in view.nodes(data=True) if n.startswith("Expert:") and d.get("commissioner")
    ]
    rows = len(commissioners.assignments) + len(commissioners.unassigned)
    with pytest.raises(PlanTooLargeError) as refused:
        plan_commissioners(view, model, start_on=TODAY, explain=False, max_pairs=rows)
    message = str(refused.value)
    assert f"{rows:,} enterprises × {len(commissioner_keys):,} commissioners" in message
    assert f"= {rows * len(commissioner_keys):,} pairs, more than the {rows:,}" in message
    at_the_limit = plan_commissioners(
        view, model, start_on=TODAY, explain=False, max_pairs=rows * len(commissioner_keys)
    )
    assert at_the_limit.assignments == commissioners.assignments
    with pytest.raises(PlanTooLargeError, match="institutions"):
        plan_pairing(view, model, explain=False, max_pairs=1)


def test_conflicts_of_some_enterprises_are_those_of_all(view: nx.MultiDiGraph) -> None:
    every = conflicts(view, [("E-X", "ENT-Y")])
    some = sorted({ent for _, ent in every})[::3]
    picked = {pair: kind for pair, kind in every.items() if pair[1] in some or kind == "declared"}
    assert set(picked.values()) == {"failed", "deal", "employer", "declared"}
    assert conflicts(view, [("E-X", "ENT-Y")], [*some, "ENT-NOT-THERE"]) == picked
