"""Turn a plan, possibly edited by a planner, into one store write: PAIRED_WITH or SERVED
relationships, each assignment checked against the graph first.

`commit_batch` is pure: it reads the view and returns the batch and the problems found; the
caller (the `commitPlan` mutation) applies the batch, typically only when there are no
problems, so a plan lands whole or not at all. Committing the same plan again writes
nothing new: an assignment the graph already has is left as it is (PAIRED_WITH has no
identity properties, SERVED is identified by role and start date, see
graphsvc.store.base.rel_key).

Examples
--------
>>> from graphsvc.algorithms.planning import _toy_graph
>>> batch, problems = commit_batch(
...     _toy_graph(),
...     "pairing",
...     [ProposedAssignment("N2", institution="INST-B"), ProposedAssignment("N9", "INST-B")],
...     start_on="2025-07-01",
... )
>>> [op[0] for op in batch.ops]
['P', 'P', 'R']
>>> [(p.field, p.message) for p in problems]
[('assignments[1].enterprise', "no enterprise with key 'N9'")]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from graphsvc.algorithms.planning_rules import (
    NEIGHBOUR_KM,
    TERM_YEARS,
    PlanningError,
    active_in_term,
    commissioner_state,
    conflicts,
    institution_capacity,
    last_day,
    neighbouring_cities,
    term_end,
)
from graphsvc.store.base import Batch, rel_key

__all__ = ["DEFAULT_PROGRAM", "CommitProblem", "ProposedAssignment", "commit_batch"]

Report = Callable[[int, str, str], None]  # (assignment index, field, message)
DEFAULT_PROGRAM = "千企科技创新工程"  # the pairing programme recorded on PAIRED_WITH
CONFLICT_MESSAGES: Mapping[str, str] = {
    "failed": "an earlier service of the expert there failed or was rated poorly",
    "deal": "the enterprise has a deal with the expert or for the expert's achievement",
    "employer": "the expert's institution has a deal with the enterprise or shares an "
    "achievement with it",
    "declared": "the pair is declared in conflict",
}


@dataclass(frozen=True)
class ProposedAssignment:
    """One assignment to commit: the enterprise and its institution (pairing) or expert
    (commissioners), by natural key."""

    enterprise: str
    institution: str | None = None
    expert: str | None = None


@dataclass(frozen=True)
class CommitProblem:
    """Why an assignment (at `index`, None for the whole input) cannot be committed;
    `field` names the input field, as the mutation's `errors { field message }`."""

    index: int | None
    field: str
    message: str


def commit_batch(
    view: nx.MultiDiGraph,
    kind: str,
    assignments: Sequence[ProposedAssignment],
    *,
    start_on: str,
    term_years: int = TERM_YEARS,
    program: str = DEFAULT_PROGRAM,
    capacities: Mapping[str, int] | None = None,
    city_quotas: Mapping[str, int] | None = None,
    subgroup_quotas: Mapping[str, int] | None = None,
    declared_conflicts: Collection[tuple[str, str]] = (),
    neighbour_km: float = NEIGHBOUR_KM,
) -> tuple[Batch, list[CommitProblem]]:
    """The write that commits `assignments`, and the problems found.

    Checks for every assignment: the enterprise and its institution or expert exist, no
    enterprise twice; pairing: the institution stays within its capacity counting its
    existing pairings; commissioners: the expert is a commissioner, within reach (same or
    neighbouring city), not in conflict, within capacity counting services in the term, the
    enterprise has no other commissioner or team in the term, city and subgroup quotas hold
    counting the term's services. The batch holds the assignments without problems (and
    requires their nodes to still exist when it is applied); assignments the graph already
    has add nothing. The term is [start_on, start_on + term_years); SERVED records end on
    its last day.
    """
    problems: list[CommitProblem] = []
    batch = Batch()
    try:
        end = term_end(start_on, term_years)
    except PlanningError as e:
        return batch, [CommitProblem(None, "startOn", str(e))]
    if kind not in ("pairing", "commissioners"):
        return batch, [
            CommitProblem(None, "kind", f"kind must be pairing or commissioners (got {kind!r})")
        ]
    nodes = view._node

    def problem(i: int, field: str, message: str) -> None:
        problems.append(CommitProblem(i, f"assignments[{i}].{field}", message))

    seen: set[str] = set()
    valid: list[tuple[int, ProposedAssignment]] = []
    target_label, target_field = (
        ("Institution", "institution") if kind == "pairing" else ("Expert", "expert")
    )
    other_field = "expert" if kind == "pairing" else "institution"
    for i, a in enumerate(assignments):
        target = a.institution if kind == "pairing" else a.expert
        ok = True
        if f"Enterprise:{a.enterprise}" not in nodes:
            problem(i, "enterprise", f"no enterprise with key {a.enterprise!r}")
            ok = False
        elif a.enterprise in seen:
            problem(i, "enterprise", f"enterprise {a.enterprise} is assigned twice")
            ok = False
        if target is None:
            problem(i, target_field, f"a {kind} assignment names an {target_field}")
            ok = False
        elif f"{target_label}:{target}" not in nodes:
            problem(i, target_field, f"no {target_field} with key {target!r}")
            ok = False
        if (a.expert if kind == "pairing" else a.institution) is not None:
            problem(i, other_field, f"a {kind} assignment names no {other_field}")
            ok = False
        seen.add(a.enterprise)
        if ok:
            valid.append((i, a))
    if kind == "pairing":
        good = _check_pairing(view, valid, capacities, problem)
        for _, a in good:
            inst = a.institution or ""
            if "PAIRED_WITH" in view._succ[f"Institution:{inst}"].get(
                f"Enterprise:{a.enterprise}", {}
            ):
                continue  # the graph has it: keep its programme and date
            batch.require("Institution", inst, None, True)
            batch.require("Enterprise", a.enterprise, None, True)
            batch.upsert_rel(
                "PAIRED_WITH",
                ("Institution", inst),
                ("Enterprise", a.enterprise),
                {"program": program, "since": start_on},
            )
        return batch, sorted(problems, key=lambda p: p.index if p.index is not None else -1)
    good = _check_commissioners(
        view,
        valid,
        start_on,
        end,
        capacities,
        city_quotas,
        subgroup_quotas,
        declared_conflicts,
        neighbour_km,
        problem,
    )
    props = {"role": "commissioner", "start_on": start_on, "end_on": last_day(end)}
    key = rel_key("SERVED", props)
    for _, a in good:
        expert = a.expert or ""
        edges = view._succ[f"Expert:{expert}"].get(f"Enterprise:{a.enterprise}", {})
        if key in edges:
            continue
        batch.require("Expert", expert, None, True)
        batch.require("Enterprise", a.enterprise, None, True)
        batch.upsert_rel("SERVED", ("Expert", expert), ("Enterprise", a.enterprise), dict(props))
    return batch, sorted(problems, key=lambda p: p.index if p.index is not None else -1)


def _check_pairing(
    view: nx.MultiDiGraph,
    valid: list[tuple[int, ProposedAssignment]],
    capacities: Mapping[str, int] | None,
    report: Report,
) -> list[tuple[int, ProposedAssignment]]:
    new: Counter[str] = Counter()
    good = []
    for i, a in valid:
        inst = a.institution or ""
        node = f"Institution:{inst}"
        succ = view._succ[node]
        if "PAIRED_WITH" in succ.get(f"Enterprise:{a.enterprise}", {}):
            good.append((i, a))
            continue
        cap = (capacities or {}).get(inst, institution_capacity(view._node[node]))
        has = sum(1 for keyed in succ.values() if "PAIRED_WITH" in keyed)
        if has + new[inst] + 1 > cap:
            report(
                i,
                "institution",
                f"{inst} can pair with {cap} enterprises at once: it has {has} and this plan "
                f"adds more than {new[inst]}",
            )
            continue
        new[inst] += 1
        good.append((i, a))
    return good


def _check_commissioners(
    view: nx.MultiDiGraph,
    valid: list[tuple[int, ProposedAssignment]],
    start: str,
    end: str,
    capacities: Mapping[str, int] | None,
    city_quotas: Mapping[str, int] | None,
    subgroup_quotas: Mapping[str, int] | None,
    declared: Collection[tuple[str, str]],
    neighbour_km: float,
    report: Report,
) -> list[tuple[int, ProposedAssignment]]:
    state = commissioner_state(view, start, end)
    near = neighbouring_cities(view, neighbour_km)
    in_conflict = conflicts(view, declared, [a.enterprise for _, a in valid])
    city_used = Counter(state.city_used())
    sub_used = Counter(state.subgroup_used())
    load = {x: len(ents) for x, ents in state.load.items()}
    good = []
    for i, a in valid:
        expert, ent = a.expert or "", a.enterprise
        attrs = view._node[f"Expert:{expert}"]
        edges = view._succ[f"Expert:{expert}"].get(f"Enterprise:{ent}", {})
        if any(
            k.startswith("SERVED")
            and e.get("role") in ("commissioner", "team")
            and active_in_term(e, start, end)
            for k, e in edges.items()
        ):
            good.append((i, a))  # it serves there in the term already: nothing to add
            continue
        if not attrs.get("commissioner"):
            report(i, "expert", f"{expert} is not a commissioner")
            continue
        others = state.covered.get(ent, set()) - {expert}
        if others:
            report(
                i,
                "enterprise",
                f"{ent} already has a commissioner or team in the term: "
                + ", ".join(sorted(others)),
            )
            continue
        kind = in_conflict.get((expert, ent))
        if kind is not None:
            report(i, "expert", f"{expert} must not serve {ent}: {CONFLICT_MESSAGES[kind]}")
            continue
        ent_city, exp_city = state.city_of_enterprise.get(ent), state.city_of_expert.get(expert)
        if ent_city is None or exp_city is None or exp_city not in near.get(ent_city, set()):
            report(
                i,
                "expert",
                f"{expert} is based in {exp_city or 'no known city'}, not in {ent}'s city "
                f"({ent_city or 'unknown'}) or a neighbouring one",
            )
            continue
        cap = (capacities or {}).get(expert)
        if cap is None:
            raw = attrs.get("capacity")
            cap = raw if isinstance(raw, int) and not isinstance(raw, bool) else 3
        if load.get(expert, 0) + 1 > cap:
            report(
                i,
                "expert",
                f"{expert} serves {load.get(expert, 0)} enterprises in the term: capacity {cap}",
            )
            continue
        limit = (city_quotas or {}).get(ent_city)
        if limit is not None and city_used[ent_city] + 1 > limit:
            report(i, "enterprise", f"the quota of city {ent_city} ({limit}) is used up")
            continue
        full = [
            s
            for s in state.subgroups_of.get(expert, ())
            if s in (subgroup_quotas or {}) and sub_used[s] + 1 > (subgroup_quotas or {})[s]
        ]
        if full:
            report(i, "expert", f"the quota of subgroup {full[0]} is used up")
            continue
        load[expert] = load.get(expert, 0) + 1
        city_used[ent_city] += 1
        for s in state.subgroups_of.get(expert, ()):
            sub_used[s] += 1
        good.append((i, a))
    return good
