"""Capacity-constrained plans: every unpaired benchmark enterprise paired with an institution,
and county enterprises given a commissioner for a term; what-if comparisons.

A plan is computed from a read-only view and the recommender of the same version, and
changes nothing; `graphsvc.algorithms.planning_commit.commit_batch` turns a (possibly
edited) plan into a write. docs/planning.md explains the model.

- The fit of a pair is the recommender's score (graphsvc.algorithms.fit): for institutions,
  exactly `recommend_institutions`' score; for experts, `recommend_experts`' score without
  its per-query searches. Only pairs with real evidence of fit (an industry, keyword,
  achievement or past service in common) are candidates.
- ``OPTIMAL``: the most enterprises covered, then the largest total fit, within capacity
  (and quotas): exact (graphsvc.algorithms.planning_solve).
- ``STABLE``: enterprises propose down their lists (best fit first; the first
  `preferences` candidates, or all), institutions or experts keep the best fits among their
  proposals (deferred acceptance); a supplementary round then re-plans only the enterprises
  left unmatched, with what capacity is left and their whole candidate lists.
- Existing pairings (and commissioner services within the term) are kept and use capacity;
  `remove` takes institutions or experts out, with their pairings or services, as a what-if.

Examples
--------
>>> from graphsvc.algorithms.recommend import build_model
>>> from graphsvc.algorithms.planning import _toy_graph
>>> g = _toy_graph()
>>> plan = plan_pairing(g, build_model(g, today="2025-06-01"))
>>> [(a.enterprise, a.institution) for a in plan.assignments]
[('N2', 'INST-B')]
>>> [(u.enterprise, u.code) for u in plan.unassigned]
[('N3', 'NO_CANDIDATE')]
>>> plan.coverage.before, plan.coverage.after, plan.coverage.total
(1, 2, 3)
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from graphsvc.algorithms.fit import expert_fit, institution_fit
from graphsvc.algorithms.graph_index import GraphIndex
from graphsvc.algorithms.planning_rules import (
    CONFLICT_WORDS,
    NEIGHBOUR_KM,
    TERM_YEARS,
    PlanningError,
    PlanTooLargeError,
    check_capacities,
    check_plan_size,
    commissioner_state,
    conflicts,
    institution_capacity,
    neighbouring_cities,
    term_end,
)
from graphsvc.algorithms.planning_solve import (
    Quota,
    assign,
    deferred_acceptance,
)
from graphsvc.algorithms.recommend import (
    Model,
    Path,
    RecommendError,
    explain_pair,
    recommend_institutions,
)
from graphsvc.ontology import LABELS

__all__ = [
    "Assignment",
    "GroupCoverage",
    "GroupDelta",
    "Mode",
    "Plan",
    "PlanComparison",
    "PlanCoverage",
    "PlanKind",
    "PlanTooLargeError",
    "PlanningError",
    "Unassigned",
    "compare_plans",
    "explain_assignments",
    "plan_commissioners",
    "plan_pairing",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Mode(StrEnum):
    """How a plan is chosen."""

    OPTIMAL = "optimal"  # most enterprises covered, then the largest total fit
    STABLE = "stable"  # deferred acceptance from both sides' preferences


class PlanKind(StrEnum):
    """What a plan assigns."""

    PAIRING = "pairing"  # institutions to benchmark enterprises (PAIRED_WITH)
    COMMISSIONERS = "commissioners"  # commissioner experts to enterprises (SERVED)


@dataclass(frozen=True)
class Assignment:
    """One planned pair: the enterprise and its institution or expert, the fit, and (when
    explained) the recommender's reasons and paths. `round` is 2 for the supplementary
    round of a STABLE plan."""

    enterprise: str
    institution: str | None
    expert: str | None
    score: float
    reasons: tuple[str, ...] = ()
    paths: tuple[Path, ...] = ()
    round: int = 1

    @property
    def target(self) -> str:
        """The institution's or the expert's key."""
        return self.institution or self.expert or ""


@dataclass(frozen=True)
class Unassigned:
    """An enterprise the plan leaves without an institution or commissioner, and why.

    Codes: ``NO_CANDIDATE`` (nobody fits it), ``OUT_OF_REACH`` (nobody who fits it in its
    city or a neighbouring one), ``CONFLICT`` (every one within reach is in conflict),
    ``NO_CAPACITY`` (every candidate was full before the plan), ``QUOTA`` (its city's or
    its candidates' subgroup quota is used up), ``CAPACITY_USED`` (the candidates' places
    went to other enterprises)."""

    enterprise: str
    code: str
    reason: str


@dataclass(frozen=True)
class GroupCoverage:
    """Coverage within one county or industry: enterprises, and how many are covered before
    and after the plan."""

    code: str
    name: str
    total: int
    before: int
    after: int


@dataclass(frozen=True)
class PlanCoverage:
    """Enterprises covered (paired, or with a commissioner in the term) before and after."""

    total: int
    before: int
    after: int
    counties: tuple[GroupCoverage, ...] = field(repr=False)
    industries: tuple[GroupCoverage, ...] = field(repr=False)

    @property
    def share_before(self) -> float:
        """Covered before, as a share of `total`."""
        return self.before / self.total if self.total else 0.0

    @property
    def share_after(self) -> float:
        """Covered after, as a share of `total`."""
        return self.after / self.total if self.total else 0.0


@dataclass(frozen=True)
class Plan:
    """A plan: what it assigns, how, to whom, why the rest is left, and its coverage."""

    kind: PlanKind
    mode: Mode
    version: int
    assignments: tuple[Assignment, ...]
    unassigned: tuple[Unassigned, ...]
    coverage: PlanCoverage
    kept: int  # existing pairings or services in the term that the plan keeps
    start_on: str | None = None  # commissioners: the term [start_on, term_end)
    term_end: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def total_fit(self) -> float:
        """The sum of the assignments' scores."""
        return round(sum(a.score for a in self.assignments), 4)


# -- the shared problem --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Problem:
    rows: IntArray  # local enterprises planned
    cols: IntArray  # local institutions or experts
    score: FloatArray
    evidence: BoolArray  # real fit (before travel, conflicts, capacity)
    allowed: BoolArray
    remaining: IntArray
    quotas: tuple[Quota, ...] = ()


def _solve(
    p: _Problem,
    mode: Mode,
    preferences: int | None,
    supplementary: bool,
    coverage_first: bool,
) -> tuple[IntArray, IntArray]:
    """Column per row (-1: none) and the round it was assigned in."""
    rounds = np.zeros(len(p.rows), dtype=np.int64)
    if mode is Mode.OPTIMAL:
        match = assign(p.score, p.allowed, p.remaining, p.quotas, coverage_first=coverage_first)
        rounds[match >= 0] = 1
        return match, rounds
    lists = _preference_lists(p.score, p.allowed)
    short = [lst[:preferences] for lst in lists] if preferences is not None else lists
    match = deferred_acceptance(short, p.score, p.remaining, p.quotas)
    rounds[match >= 0] = 1
    if supplementary:
        left = np.flatnonzero(match < 0)
        if len(left):
            used = np.bincount(match[match >= 0], minlength=len(p.cols))
            room = np.maximum(p.remaining - used, 0)
            quotas = tuple(_quota_left(q, match) for q in p.quotas)
            again = deferred_acceptance(
                [lists[r] for r in left.tolist()],
                p.score[left],
                room,
                tuple(
                    Quota(q.limit, None if q.rows is None else q.rows[left], q.cols) for q in quotas
                ),
            )
            got = again >= 0
            match[left[got]] = again[got]
            rounds[left[got]] = 2
    return match, rounds


def _quota_left(q: Quota, match: IntArray) -> Quota:
    rows = np.flatnonzero(match >= 0)
    member = np.ones(len(rows), dtype=np.bool_)
    if q.rows is not None:
        member &= q.rows[rows]
    if q.cols is not None:
        member &= q.cols[match[rows]]
    return Quota(q.limit - int(member.sum()), q.rows, q.cols)


def _preference_lists(score: FloatArray, allowed: BoolArray) -> list[list[int]]:
    """Each row's allowed columns, best score first (ties: the lower column)."""
    out = []
    for r in range(score.shape[0]):
        cols = np.flatnonzero(allowed[r])
        order = np.lexsort((cols, -score[r, cols]))
        out.append(cols[order].tolist())
    return out


def _check_mode(mode: Mode | str, preferences: int | None) -> Mode:
    try:
        m = Mode(mode)
    except ValueError:
        raise PlanningError(f"mode must be optimal or stable (got {mode!r})") from None
    if preferences is not None and preferences < 1:
        raise PlanningError(f"preferences must be at least 1 (got {preferences})")
    return m


def _locals(index: GraphIndex, label: str, keys: Collection[str], what: str) -> list[int]:
    table = index.table(label)
    out = []
    for k in keys:
        pos = table.pos.get(k)
        if pos is None:
            raise PlanningError(f"{what}: no {label.lower()} with {LABELS[label].key} {k!r}")
        out.append(pos)
    return out


def _coverage(
    index: GraphIndex,
    universe: IntArray,
    before: BoolArray,
    after: BoolArray,
) -> PlanCoverage:
    """Coverage overall, per county and per industry the enterprises are directly in."""
    county_t, industry_t = index.table("County"), index.table("Industry")
    by_county: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_industry: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    ind = index.rel("IN_INDUSTRY", "Enterprise", "Industry").fwd
    for n, b, a in zip(universe.tolist(), before.tolist(), after.tolist(), strict=True):
        groups = [by_county[int(index.enterprise_county[n])]] if len(county_t) else []
        groups += [by_industry[int(i)] for i in ind.indices[ind.indptr[n] : ind.indptr[n + 1]]]
        for g in groups:
            g[0] += 1
            g[1] += int(b)
            g[2] += int(a)

    def rows(table_label: str, d: Mapping[int, list[int]]) -> tuple[GroupCoverage, ...]:
        t = index.table(table_label)
        out = []
        for i, (total, b, a) in d.items():
            if i < 0:
                continue
            props = index.props(table_label, i)
            out.append(GroupCoverage(t.keys[i], str(props.get("name") or t.keys[i]), total, b, a))
        return tuple(sorted(out, key=lambda g: g.code))

    return PlanCoverage(
        total=len(universe),
        before=int(before.sum()),
        after=int(after.sum()),
        counties=rows("County", by_county),
        industries=rows("Industry", by_industry) if len(industry_t) else (),
    )


# -- pairing -------------------------------------------------------------------------------


def plan_pairing(
    view: nx.MultiDiGraph,
    model: Model,
    *,
    capacities: Mapping[str, int] | None = None,
    mode: Mode | str = Mode.OPTIMAL,
    remove: Collection[str] = (),
    enterprises: Collection[str] | None = None,
    preferences: int | None = None,
    supplementary: bool = True,
    coverage_first: bool = True,
    explain: bool = True,
    max_pairs: int | None = None,
) -> Plan:
    """Pair every unpaired benchmark enterprise with an institution (see the module).

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The store's read-only view, of the version `model` was built from.
    model : Model
        The recommender (`build_model`).
    capacities : mapping, optional
        Institution key -> enterprises it can pair with at once, overriding its `capacity`
        property (or the default for its size, see planning_rules.SIZE_CAPACITY).
    mode : Mode
        ``OPTIMAL`` or ``STABLE``.
    remove : collection of str
        Institutions left out (what-if), their existing pairings with them.
    enterprises : collection of str, optional
        Plan for these enterprises (default: every benchmark enterprise).
    preferences : int, optional
        STABLE: how many institutions each enterprise lists in the first round.
    supplementary : bool
        STABLE: re-plan the enterprises left unmatched with the capacity left.
    coverage_first : bool
        OPTIMAL: cover the most enterprises first (else: the largest total fit only).
    explain : bool
        Give every assignment its reasons and paths (`explain_assignments` does it later).
    max_pairs : int, optional
        The most enterprise × candidate pairs the plan may score (None: no limit).

    Raises
    ------
    PlanningError
        An unknown key, a negative capacity, a bad mode.
    PlanTooLargeError
        More than `max_pairs` pairs to score.
    """
    m = _check_mode(mode, preferences)
    index = model.index
    insts = index.table("Institution")
    ents = index.table("Enterprise")
    removed = np.zeros(len(insts), dtype=np.bool_)
    removed[_locals(index, "Institution", remove, "remove")] = True
    check_capacities(capacities, insts.keys, "institution")
    cap = np.asarray(
        [
            (capacities or {}).get(k, institution_capacity(view._node.get(f"Institution:{k}", {})))
            for k in insts.keys
        ],
        dtype=np.int64,
    )
    if enterprises is not None:
        universe = np.asarray(sorted(set(_locals(index, "Enterprise", enterprises, "enterprises"))))
    else:
        universe = np.asarray(
            [
                i
                for i, k in enumerate(ents.keys)
                if view._node.get(f"Enterprise:{k}", {}).get("benchmark")
            ],
            dtype=np.int64,
        )
    universe = universe.astype(np.int64)
    paired = index.rel("PAIRED_WITH", "Institution", "Enterprise")
    load = (
        np.asarray((paired.fwd > 0).sum(axis=1), dtype=np.int64).ravel()
        if len(insts)
        else np.zeros(0, dtype=np.int64)
    )
    remaining = np.where(removed, 0, np.maximum(cap - load, 0))

    def partners(n: int) -> IntArray:
        b = paired.bwd
        return np.asarray(b.indices[b.indptr[n] : b.indptr[n + 1]], dtype=np.int64)

    before = np.asarray([len(partners(n)) > 0 for n in universe.tolist()], dtype=np.bool_)
    kept_rows = np.asarray(
        [bool((~removed[partners(n)]).any()) for n in universe.tolist()], dtype=np.bool_
    )
    rows = universe[~kept_rows]
    check_plan_size(len(rows), len(insts), "institutions", max_pairs)
    fit = institution_fit(model, rows)
    allowed = fit.evidence & ~removed[None, :]
    problem = _Problem(rows, fit.targets, fit.score, fit.evidence, allowed, remaining)
    match, rounds = _solve(problem, m, preferences, supplementary, coverage_first)

    assignments = []
    unassigned = []
    for i, n in enumerate(rows.tolist()):
        c = int(match[i])
        if c >= 0:
            assignments.append(
                Assignment(
                    ents.keys[n],
                    insts.keys[c],
                    None,
                    round(float(fit.score[i, c]), 4),
                    round=int(rounds[i]),
                )
            )
            continue
        cands = np.flatnonzero(allowed[i])
        if len(cands) == 0:
            unassigned.append(
                Unassigned(
                    ents.keys[n],
                    "NO_CANDIDATE",
                    "没有机构的专家、成果或服务经历覆盖其行业与需求",
                )
            )
        elif (remaining[cands] == 0).all():
            unassigned.append(
                Unassigned(
                    ents.keys[n],
                    "NO_CAPACITY",
                    f"覆盖其行业的 {len(cands)} 家机构已无剩余结对名额",
                )
            )
        else:
            words = "匹配度更高" if m is Mode.OPTIMAL else "优先录取"
            unassigned.append(
                Unassigned(
                    ents.keys[n],
                    "CAPACITY_USED",
                    f"覆盖其行业的 {len(cands)} 家机构名额已分给{words}的企业",
                )
            )
    after = kept_rows.copy()
    planned = {a.enterprise for a in assignments}
    after |= np.asarray([ents.keys[n] in planned for n in universe.tolist()], dtype=np.bool_)
    plan = Plan(
        kind=PlanKind.PAIRING,
        mode=m,
        version=index.version,
        assignments=tuple(sorted(assignments, key=lambda a: a.enterprise)),
        unassigned=tuple(sorted(unassigned, key=lambda u: u.enterprise)),
        coverage=_coverage(index, universe, before, after),
        kept=int(kept_rows.sum()),
        parameters={
            "capacities": dict(capacities or {}),
            "remove": sorted(remove),
            "preferences": preferences,
            "supplementary": supplementary,
            "coverage_first": coverage_first,
        },
    )
    return explain_assignments(model, plan) if explain else plan


# -- commissioners -----------------------------------------------------------------------------


def plan_commissioners(
    view: nx.MultiDiGraph,
    model: Model,
    *,
    counties: Collection[str] | None = None,
    enterprises: Collection[str] | None = None,
    start_on: str | None = None,
    term_years: int = TERM_YEARS,
    capacities: Mapping[str, int] | None = None,
    city_quotas: Mapping[str, int] | None = None,
    subgroup_quotas: Mapping[str, int] | None = None,
    mode: Mode | str = Mode.OPTIMAL,
    remove: Collection[str] = (),
    declared_conflicts: Collection[tuple[str, str]] = (),
    preferences: int | None = None,
    supplementary: bool = True,
    coverage_first: bool = True,
    neighbour_km: float = NEIGHBOUR_KM,
    explain: bool = True,
    max_pairs: int | None = None,
) -> Plan:
    """Give enterprises a commissioner for a term (see the module).

    Parameters
    ----------
    counties, enterprises : collection of str, optional
        The enterprises located in these counties (codes), and these enterprises (keys);
        neither: every enterprise.
    start_on : str, optional
        First day of the term (default: the model's `today`); `term_years` long.
    capacities : mapping, optional
        Expert key -> enterprises served at once, overriding the expert's `capacity`.
    city_quotas, subgroup_quotas : mapping, optional
        City code -> most enterprises of the city with a commissioner in the term;
        subgroup key -> most services of its members in the term. Both count what the
        graph already has.
    remove : collection of str
        Experts left out (what-if), with their services in the term.
    declared_conflicts : collection of (expert, enterprise)
        Pairs the planner declares in conflict, beyond those the graph shows.
    neighbour_km : float
        Cities are neighbours when their nearest county seats are this close.

    Other parameters as `plan_pairing`.

    Raises
    ------
    PlanningError
        An unknown key or code, a negative capacity or quota, a bad date or mode.
    PlanTooLargeError
        More than `max_pairs` pairs to score.
    """
    m = _check_mode(mode, preferences)
    index = model.index
    ents, experts_t = index.table("Enterprise"), index.table("Expert")
    start = start_on or index.today
    end = term_end(start, term_years)
    if neighbour_km < 0:
        raise PlanningError(f"neighbourKm must not be negative (got {neighbour_km})")
    gone = set(remove)
    _locals(index, "Expert", gone, "remove")
    check_capacities(capacities, experts_t.keys, "expert")
    for what, label, given in (
        ("cityQuotas", "City", city_quotas),
        ("subgroupQuotas", "Subgroup", subgroup_quotas),
    ):
        _locals(index, label, (given or {}).keys(), what)
        for k, v in (given or {}).items():
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise PlanningError(f"{what}: {k} must be a whole number >= 0 (got {v!r})")
    for expert_key, enterprise_key in declared_conflicts:
        _locals(index, "Expert", [expert_key], "conflicts")
        _locals(index, "Enterprise", [enterprise_key], "conflicts")

    state = commissioner_state(view, start, end)
    if counties is None and enterprises is None:
        scope = set(range(len(ents)))
    else:
        scope = set(_locals(index, "Enterprise", enterprises or (), "enterprises"))
        wanted = set(_locals(index, "County", counties or (), "counties"))
        scope |= {
            n for n, c in enumerate(index.enterprise_county.tolist()) if c >= 0 and c in wanted
        }
    universe = np.asarray(sorted(scope), dtype=np.int64)
    before = np.asarray([bool(state.covered.get(ents.keys[n])) for n in universe.tolist()])
    kept_rows = np.asarray(
        [bool(state.covered.get(ents.keys[n], set()) - gone) for n in universe.tolist()],
        dtype=np.bool_,
    )
    rows = universe[~kept_rows] if len(universe) else universe
    cols = np.asarray(
        [
            x
            for x in np.flatnonzero(index.expert_commissioner).tolist()
            if experts_t.keys[x] not in gone
        ],
        dtype=np.int64,
    )
    check_plan_size(len(rows), len(cols), "commissioners", max_pairs)
    fit = expert_fit(model, rows, cols)
    col_keys = [experts_t.keys[x] for x in cols.tolist()]
    cap = np.asarray(
        [
            (capacities or {}).get(k, int(index.expert_capacity[x]))
            for k, x in zip(col_keys, cols.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    load = np.asarray([len(state.load.get(k, ())) for k in col_keys], dtype=np.int64)
    remaining = np.maximum(cap - load, 0)

    # travel: the expert's city is the enterprise's or a neighbour of it
    near = neighbouring_cities(view, neighbour_km)
    cities = index.table("City")
    ent_city = [state.city_of_enterprise.get(ents.keys[n]) for n in rows.tolist()]
    exp_city = [state.city_of_expert.get(k) for k in col_keys]
    city_ids = {c: i for i, c in enumerate(cities.keys)}
    adj = np.zeros((len(cities) + 1, len(cities) + 1), dtype=np.bool_)  # last: unknown
    for here, around in near.items():
        for other in around:
            if here in city_ids and other in city_ids:
                adj[city_ids[here], city_ids[other]] = True
    unknown = len(cities)
    ec = np.asarray([city_ids.get(e, unknown) if e else unknown for e in ent_city], np.int64)
    xc = np.asarray([city_ids.get(e, unknown) if e else unknown for e in exp_city], np.int64)
    reach = adj[ec][:, xc] if len(rows) and len(cols) else np.zeros(fit.score.shape, np.bool_)

    conflict_kind = conflicts(view, declared_conflicts, [ents.keys[n] for n in rows.tolist()])
    col_pos = {k: j for j, k in enumerate(col_keys)}
    row_pos = {ents.keys[n]: i for i, n in enumerate(rows.tolist())}
    in_conflict = np.zeros(fit.score.shape, dtype=np.bool_)
    for xk, nk in conflict_kind:
        if xk in col_pos and nk in row_pos:
            in_conflict[row_pos[nk], col_pos[xk]] = True

    quotas: list[Quota] = []
    quota_rows_full = np.zeros(len(rows), dtype=np.bool_)
    city_used = state.city_used(gone)
    for city, limit in (city_quotas or {}).items():
        member = np.asarray([c == city for c in ent_city], dtype=np.bool_)
        left = max(limit - city_used.get(city, 0), 0)
        quotas.append(Quota(left, rows=member))
        if left == 0:
            quota_rows_full |= member
    sub_used = state.subgroup_used(gone)
    quota_cols_full = np.zeros(len(cols), dtype=np.bool_)
    for sg, limit in (subgroup_quotas or {}).items():
        member = np.asarray([sg in state.subgroups_of.get(k, ()) for k in col_keys], np.bool_)
        left = max(limit - sub_used.get(sg, 0), 0)
        quotas.append(Quota(left, cols=member))
        if left == 0:
            quota_cols_full |= member
    allowed = fit.evidence & reach & ~in_conflict & (remaining > 0)[None, :]
    allowed &= ~quota_rows_full[:, None] & ~quota_cols_full[None, :]
    problem = _Problem(rows, cols, fit.score, fit.evidence, allowed, remaining, tuple(quotas))
    match, rounds = _solve(problem, m, preferences, supplementary, coverage_first)

    assignments = []
    unassigned = []
    for i, n in enumerate(rows.tolist()):
        c = int(match[i])
        key = ents.keys[n]
        if c >= 0:
            assignments.append(
                Assignment(
                    key, None, col_keys[c], round(float(fit.score[i, c]), 4), round=int(rounds[i])
                )
            )
            continue
        unassigned.append(
            _commissioner_reason(
                key,
                fit.evidence[i],
                reach[i],
                in_conflict[i],
                remaining,
                bool(quota_rows_full[i]),
                quota_cols_full,
                allowed[i],
                m,
                functools.partial(_kind_of, conflict_kind, col_keys, key),
            )
        )
    after = kept_rows.copy()
    planned = {a.enterprise for a in assignments}
    after |= np.asarray([ents.keys[n] in planned for n in universe.tolist()], dtype=np.bool_)
    plan = Plan(
        kind=PlanKind.COMMISSIONERS,
        mode=m,
        version=index.version,
        assignments=tuple(sorted(assignments, key=lambda a: a.enterprise)),
        unassigned=tuple(sorted(unassigned, key=lambda u: u.enterprise)),
        coverage=_coverage(index, universe, before.astype(np.bool_), after),
        kept=int(kept_rows.sum()),
        start_on=start,
        term_end=end,
        parameters={
            "capacities": dict(capacities or {}),
            "city_quotas": dict(city_quotas or {}),
            "subgroup_quotas": dict(subgroup_quotas or {}),
            "remove": sorted(gone),
            "declared_conflicts": sorted(declared_conflicts),
            "term_years": term_years,
            "neighbour_km": neighbour_km,
            "preferences": preferences,
            "supplementary": supplementary,
            "coverage_first": coverage_first,
        },
    )
    return explain_assignments(model, plan) if explain else plan


def _kind_of(
    kinds: Mapping[tuple[str, str], str], col_keys: Sequence[str], enterprise: str, j: int
) -> str:
    """The conflict kind of candidate column j with the enterprise ("" when none)."""
    return kinds.get((col_keys[j], enterprise), "")


def _commissioner_reason(
    key: str,
    evidence: BoolArray,
    reach: BoolArray,
    conflict: BoolArray,
    remaining: IntArray,
    city_full: bool,
    subgroup_full: BoolArray,
    allowed: BoolArray,
    mode: Mode,
    kind_of: Callable[[int], str],
) -> Unassigned:
    if not evidence.any():
        return Unassigned(key, "NO_CANDIDATE", "没有专长与其行业或需求对口的科技特派员")
    near = evidence & reach
    if not near.any():
        return Unassigned(key, "OUT_OF_REACH", "专长对口的科技特派员都不在本市或邻市")
    free = near & ~conflict
    if not free.any():
        found = {CONFLICT_WORDS[k] for j in np.flatnonzero(near).tolist() if (k := kind_of(j))}
        why = "；".join(sorted(found))
        return Unassigned(key, "CONFLICT", f"本市及邻市对口的特派员均需回避（{why}）")
    if not (free & (remaining > 0)).any():
        return Unassigned(
            key, "NO_CAPACITY", f"本市及邻市对口的 {int(free.sum())} 位特派员服务名额已满"
        )
    if city_full:
        return Unassigned(key, "QUOTA", "所在市本期特派员名额已用完")
    if not allowed.any() and (free & (remaining > 0) & subgroup_full).any():
        return Unassigned(key, "QUOTA", "对口特派员所在分团本期名额已用完")
    words = "匹配度更高" if mode is Mode.OPTIMAL else "优先录取"
    n = int((free & (remaining > 0)).sum())
    return Unassigned(key, "CAPACITY_USED", f"本市及邻市对口的 {n} 位特派员名额已分给{words}的企业")


# -- explanations ----------------------------------------------------------------------------


def explain_assignments(model: Model, plan: Plan, which: Collection[int] | None = None) -> Plan:
    """The plan with reasons and paths for its assignments (or those at `which`), from the
    recommender's explanation of each pair (`recommend_institutions`, `explain_pair`)."""
    chosen = set(range(len(plan.assignments))) if which is None else set(which)
    out = list(plan.assignments)
    for i in sorted(chosen):
        a = out[i]
        reasons, paths = explain_one(model, a)
        extra = ("补充轮安排",) if a.round == 2 else ()
        out[i] = replace(a, reasons=reasons + extra, paths=paths)
    return replace(plan, assignments=tuple(out))


def explain_one(model: Model, a: Assignment) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    """The reasons and paths of one planned pair."""
    try:
        if a.institution is not None:
            found = recommend_institutions(
                model, enterprise=a.enterprise, first=1, exclude_paired=False, only=[a.institution]
            )
            if not found:
                return (), ()
            return found[0].reasons, found[0].paths
        rec = explain_pair(model, enterprise=a.enterprise, expert=a.expert or "")
    except RecommendError:
        return (), ()
    return rec.reasons, rec.paths


# -- what-if -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupDelta:
    """A county's or industry's coverage after two plans."""

    code: str
    name: str
    total: int
    base: int
    variant: int

    @property
    def change(self) -> int:
        """variant - base."""
        return self.variant - self.base


@dataclass(frozen=True)
class PlanComparison:
    """How a variant plan's coverage differs from a base plan's."""

    base_covered: int
    variant_covered: int
    total: int
    base_fit: float
    variant_fit: float
    counties: tuple[GroupDelta, ...]  # changed ones only, largest loss first
    industries: tuple[GroupDelta, ...]
    moved: int  # enterprises whose institution or expert differs

    @property
    def change(self) -> int:
        """Enterprises covered: variant - base."""
        return self.variant_covered - self.base_covered


def compare_plans(base: Plan, variant: Plan) -> PlanComparison:
    """The change in coverage, per county and per industry, from `base` to `variant`
    (e.g. the same plan with an institution removed or quotas changed).

    Raises
    ------
    PlanningError
        When the plans are not of the same kind.
    """
    if base.kind != variant.kind:
        raise PlanningError("only plans of the same kind can be compared")

    def deltas(a: Sequence[GroupCoverage], b: Sequence[GroupCoverage]) -> tuple[GroupDelta, ...]:
        left = {g.code: g for g in a}
        right = {g.code: g for g in b}
        out = []
        for code in sorted(set(left) | set(right)):
            g1, g2 = left.get(code), right.get(code)
            g = g1 or g2
            assert g is not None
            d = GroupDelta(code, g.name, g.total, g1.after if g1 else 0, g2.after if g2 else 0)
            if d.change:
                out.append(d)
        return tuple(sorted(out, key=lambda d: (d.change, d.code)))

    targets = {a.enterprise: a.target for a in base.assignments}
    moved = sum(1 for a in variant.assignments if targets.get(a.enterprise, a.target) != a.target)
    moved += sum(1 for e in targets if e not in {a.enterprise for a in variant.assignments})
    return PlanComparison(
        base_covered=base.coverage.after,
        variant_covered=variant.coverage.after,
        total=base.coverage.total,
        base_fit=base.total_fit,
        variant_fit=variant.total_fit,
        counties=deltas(base.coverage.counties, variant.coverage.counties),
        industries=deltas(base.coverage.industries, variant.coverage.industries),
        moved=moved,
    )


# -- a tiny graph for doctests -------------------------------------------------------------------


def _toy_graph() -> nx.MultiDiGraph:
    """Three benchmark enterprises in 八步区: N1 paired with INST-A already; N2 in 3099,
    which INST-B's expert covers; N3 in an industry nobody covers."""
    g = nx.MultiDiGraph()
    nodes: dict[str, dict[str, Any]] = {
        "City:451100": {"code": "451100", "name": "贺州市", "longitude": 111.57, "latitude": 24.40},
        "County:451102": {
            "code": "451102",
            "name": "八步区",
            "longitude": 111.55,
            "latitude": 24.41,
        },
        "Industry:3099": {"code": "3099", "name": "其他非金属矿物制品制造"},
        "Industry:1511": {"code": "1511", "name": "酒精制造"},
        "Institution:INST-A": {"key": "INST-A", "name": "甲大学", "kind": "university"},
        "Institution:INST-B": {"key": "INST-B", "name": "贺州学院", "kind": "university"},
        "Expert:E1": {"key": "E1", "name": "李明", "commissioner": True, "capacity": 2},
        "Enterprise:N1": {"key": "N1", "name": "一号公司", "benchmark": True},
        "Enterprise:N2": {"key": "N2", "name": "贺州钙业", "benchmark": True},
        "Enterprise:N3": {"key": "N3", "name": "三号酒厂", "benchmark": True},
    }
    for nid, attrs in nodes.items():
        g.add_node(nid, **attrs)
    for u, v, k in (
        ("County:451102", "City:451100", "IN_CITY"),
        ("Institution:INST-B", "City:451100", "LOCATED_IN"),
        ("Expert:E1", "Institution:INST-B", "AFFILIATED_WITH"),
        ("Expert:E1", "City:451100", "BASED_IN"),
        ("Expert:E1", "Industry:3099", "EXPERT_IN"),
        ("Enterprise:N1", "County:451102", "LOCATED_IN"),
        ("Enterprise:N2", "County:451102", "LOCATED_IN"),
        ("Enterprise:N3", "County:451102", "LOCATED_IN"),
        ("Enterprise:N1", "Industry:3099", "IN_INDUSTRY"),
        ("Enterprise:N2", "Industry:3099", "IN_INDUSTRY"),
        ("Enterprise:N3", "Industry:1511", "IN_INDUSTRY"),
        ("Institution:INST-A", "Enterprise:N1", "PAIRED_WITH"),
    ):
        g.add_edge(u, v, k)
    return nx.freeze(g)
