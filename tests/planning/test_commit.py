"""commit_batch: a plan becomes one write; committing it again adds nothing; every
assignment is checked against the graph first."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.algorithms.planning import plan_commissioners, plan_pairing
from graphsvc.algorithms.planning_commit import ProposedAssignment, commit_batch
from graphsvc.algorithms.planning_rules import commissioner_state, conflicts, term_end
from graphsvc.algorithms.recommend import build_model
from graphsvc.store import MemoryStore
from tests.planning.conftest import TODAY


@pytest.fixture
def store(tmp_path: Path, plan_store: MemoryStore) -> Iterator[MemoryStore]:
    """A writable copy of the demo store."""
    folder = tmp_path / "graph"
    shutil.copytree(plan_store.data_dir, folder, ignore=shutil.ignore_patterns("LOCK"))
    copy = MemoryStore(folder)
    yield copy
    copy.close()


def counts(store: MemoryStore) -> dict[str, int]:
    return store.counts().relationships


def test_pairing_commits_once(store: MemoryStore) -> None:
    view = store.view()
    plan = plan_pairing(view, build_model(view, version=store.version), explain=False)
    proposed = [
        ProposedAssignment(a.enterprise, institution=a.institution) for a in plan.assignments
    ]
    batch, problems = commit_batch(view, "pairing", proposed, start_on="2025-07-01")
    assert problems == []
    before = counts(store)["PAIRED_WITH"]
    store.apply(batch)
    assert counts(store)["PAIRED_WITH"] == before + len(proposed)
    # again: nothing new to write, nothing duplicated
    again, problems = commit_batch(store.view(), "pairing", proposed, start_on="2025-07-02")
    assert problems == [] and not [op for op in again.ops if op[0] == "R"]
    store.apply(again)
    assert counts(store)["PAIRED_WITH"] == before + len(proposed)
    edge = store.view()["Institution:" + (proposed[0].institution or "")][
        "Enterprise:" + proposed[0].enterprise
    ]["PAIRED_WITH"]
    assert edge["since"] == "2025-07-01"  # the first commit's date stays
    # the next plan keeps them
    view = store.view()
    replan = plan_pairing(view, build_model(view, version=store.version), explain=False)
    assert not {a.enterprise for a in replan.assignments} & {p.enterprise for p in proposed}
    assert replan.coverage.before == plan.coverage.after


def test_commissioners_commit_once(store: MemoryStore) -> None:
    view = store.view()
    model = build_model(view, version=store.version, today=TODAY)
    plan = plan_commissioners(view, model, start_on=TODAY, explain=False)
    proposed = [ProposedAssignment(a.enterprise, expert=a.expert) for a in plan.assignments]
    batch, problems = commit_batch(view, "commissioners", proposed, start_on=TODAY)
    assert problems == []
    before = counts(store)["SERVED"]
    store.apply(batch)
    assert counts(store)["SERVED"] == before + len(proposed)
    served = store.view()["Expert:" + (proposed[0].expert or "")][
        "Enterprise:" + proposed[0].enterprise
    ]
    assert served[f"SERVED|commissioner|{TODAY}"]["end_on"] == "2026-06-29"
    again, problems = commit_batch(store.view(), "commissioners", proposed, start_on=TODAY)
    assert problems == [] and len(again) == 0
    store.apply(again)
    assert counts(store)["SERVED"] == before + len(proposed)
    view = store.view()
    replan = plan_commissioners(
        view, build_model(view, version=store.version, today=TODAY), start_on=TODAY, explain=False
    )
    assert not {a.enterprise for a in replan.assignments} & {p.enterprise for p in proposed}


def test_problems_name_the_assignment_and_field(plan_store: MemoryStore) -> None:
    view = plan_store.view()
    insts = sorted(n.partition(":")[2] for n in view if n.startswith("Institution:"))
    ents = sorted(n.partition(":")[2] for n in view if n.startswith("Enterprise:"))
    _, problems = commit_batch(
        view,
        "pairing",
        [
            ProposedAssignment(ents[0], institution=insts[0]),
            ProposedAssignment("ENT-NOPE", institution=insts[0]),
            ProposedAssignment(ents[1], institution="INST-NOPE"),
            ProposedAssignment(ents[0], institution=insts[1]),
            ProposedAssignment(ents[2]),
            ProposedAssignment(ents[3], institution=insts[0], expert="EXP-1"),
        ],
        start_on="2025-01-01",
    )
    assert [(p.index, p.field) for p in problems] == [
        (1, "assignments[1].enterprise"),
        (2, "assignments[2].institution"),
        (3, "assignments[3].enterprise"),
        (4, "assignments[4].institution"),
        (5, "assignments[5].expert"),
    ]
    _, problems = commit_batch(view, "merger", [], start_on="2025-01-01")
    assert problems[0].field == "kind"
    _, problems = commit_batch(view, "pairing", [], start_on="01/02/2025")
    assert problems[0].field == "startOn"


def test_capacity_counts_what_the_graph_has(plan_store: MemoryStore) -> None:
    view = plan_store.view()
    model = build_model(view, version=plan_store.version)
    plan = plan_pairing(view, model, explain=False)
    inst = plan.assignments[0].institution or ""
    mine = [a for a in plan.assignments if a.institution == inst]
    has = sum(1 for _ in view.successors(f"Institution:{inst}") if _.startswith("Enterprise:"))
    proposed = [ProposedAssignment(a.enterprise, institution=inst) for a in mine]
    batch, problems = commit_batch(
        view, "pairing", proposed, start_on="2025-07-01", capacities={inst: has + 1}
    )
    assert len(problems) == len(mine) - 1 and "can pair with" in problems[0].message
    assert len([op for op in batch.ops if op[0] == "R"]) == 1


def test_commissioner_rules_are_checked(plan_store: MemoryStore) -> None:
    view = plan_store.view()
    start = TODAY
    state = commissioner_state(view, start, term_end(start, 2))
    bad = conflicts(view)
    (expert, ent), kind = next(iter(bad.items()))
    experts = {n.partition(":")[2]: p for n, p in view.nodes(data=True) if n.startswith("Expert:")}
    plain = next(k for k, p in experts.items() if not p.get("commissioner"))
    covered = next(e for e, xs in state.covered.items() if xs)
    commissioner = next(
        k for k, p in experts.items() if p.get("commissioner") and k not in state.covered[covered]
    )
    _, problems = commit_batch(
        view,
        "commissioners",
        [
            ProposedAssignment(ent, expert=plain),
            ProposedAssignment(covered, expert=commissioner),
        ],
        start_on=start,
    )
    messages = [p.message for p in problems]
    assert "is not a commissioner" in messages[0]
    assert "already has a commissioner" in messages[1]
    if experts[expert].get("commissioner") and not state.covered.get(ent):
        _, problems = commit_batch(
            view, "commissioners", [ProposedAssignment(ent, expert=expert)], start_on=start
        )
        assert "must not serve" in problems[0].message, kind
    later = commissioner_state(view, "2035-01-01", "2037-01-01")
    free = next(e for e in sorted(later.city_of_enterprise) if not later.covered.get(e))
    _, problems = commit_batch(
        view,
        "commissioners",
        [ProposedAssignment(free, expert=commissioner)],
        start_on="2035-01-01",
        declared_conflicts=[(commissioner, free)],
    )
    assert "declared in conflict" in problems[0].message
