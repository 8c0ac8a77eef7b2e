"""The solvers behind the plans: capacitated assignment (exact), with quotas (exact, by MILP),
and many-to-one deferred acceptance (stable).

Rows are enterprises (each takes at most one column), columns are institutions or experts
(column ``c`` takes at most ``capacity[c]`` rows); ``allowed[r, c]`` says which pairs may be
made and ``weight[r, c] >= 0`` is their fit. A result gives each row its column, or -1.

- `assign` maximises, among assignments within capacity, first the number of rows assigned
  (with ``coverage_first``, the programme's goal) and then the total weight. Each column is
  expanded into as many identical slots as it can use (its capacity, at most the rows that may
  take it) and the rectangular assignment problem is solved by
  `scipy.optimize.linear_sum_assignment` (shortest augmenting paths, exact). Unassigned is
  worth 0, so a row left on a slot it may not take is simply unassigned. With
  ``coverage_first`` every allowed pair is worth ``weight + bonus`` where the bonus exceeds
  the largest total weight any assignment can reach, so one more row assigned always beats
  any gain in weight.
- Quotas limit groups of pairs (a city's enterprises, a subgroup's experts). Quotas that
  do not overlap stay an assignment problem (absorbing rows and columns, see `assign`);
  overlapping ones (an expert in two subgroups with quotas) make `assign_with_quotas`
  solve a 0/1 linear program by HiGHS (`scipy.optimize.milp`) with a relative gap of 0,
  which can take long on large instances.
- `deferred_acceptance` is the rows-proposing deferred acceptance of the hospital/resident
  problem with capacities (Gale and Shapley; Roth): rows propose down their preference lists,
  each column keeps its best proposals up to its capacity (by its own scores) and rejects the
  rest. The result is stable: no row and column that both prefer each other to what they got.

Examples
--------
>>> w = np.asarray([[5.0, 1.0], [3.0, 0.0]])
>>> ok = np.asarray([[True, True], [True, False]])
>>> assign(w, ok, np.asarray([1, 1])).tolist()  # both covered: 1 + 3 beats 5 alone
[1, 0]
>>> assign(w, ok, np.asarray([1, 1]), coverage_first=False).tolist()  # 5 beats 1 + 3
[0, -1]
>>> deferred_acceptance([[0, 1], [0]], w, np.asarray([1, 1])).tolist()
[0, -1]
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

__all__ = [
    "MAX_CELLS",
    "Quota",
    "SolverError",
    "assign",
    "assign_with_quotas",
    "deferred_acceptance",
    "is_stable",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_CELLS = 60_000_000  # rows x slots beyond which `assign` uses the linear program
MILP_TIME_LIMIT = 60.0  # seconds


class SolverError(RuntimeError):
    """The solver could not produce a plan (e.g. out of time); the message says why."""


@dataclass(frozen=True)
class Quota:
    """At most `limit` assigned pairs whose row is in `rows` and whose column is in `cols`
    (None: any)."""

    limit: int
    rows: BoolArray | None = None
    cols: BoolArray | None = None


def _check(weight: FloatArray, allowed: BoolArray, capacity: IntArray) -> None:
    if weight.shape != allowed.shape or weight.ndim != 2:
        raise ValueError("weight and allowed must be matrices of one shape")
    if capacity.shape != (weight.shape[1],):
        raise ValueError("one capacity per column")
    if (capacity < 0).any():
        raise ValueError("capacities must not be negative")
    if (weight[allowed] < 0).any():
        raise ValueError("weights of allowed pairs must not be negative")


def _bonus(weight: FloatArray, allowed: BoolArray, coverage_first: bool) -> float:
    """More than any assignment's total weight (0 without coverage_first)."""
    if not coverage_first:
        return 0.0
    best = np.where(allowed, weight, 0.0).max(axis=1, initial=0.0)
    return float(best.sum()) + 1.0


def assign(
    weight: FloatArray,
    allowed: BoolArray,
    capacity: IntArray,
    quotas: Sequence[Quota] = (),
    *,
    coverage_first: bool = True,
) -> IntArray:
    """The optimal assignment of rows to columns within capacity and quotas (see the
    module).

    Quotas on rows only, none sharing a row, and quotas on columns only, none sharing a
    column, keep it an assignment problem: a row quota of limit q over n rows becomes
    n - q absorbing columns that only its rows may take, a column quota over s slots
    becomes s - q absorbing rows that only its slots may take, each worth more than any
    plan, so the solver fills them all and leaves at most q real places. Other quotas go
    to `assign_with_quotas`. Ties are broken by the solver, deterministically.
    """
    weight = np.asarray(weight, dtype=np.float64)
    allowed = np.asarray(allowed, dtype=np.bool_)
    capacity = np.asarray(capacity, dtype=np.int64)
    _check(weight, allowed, capacity)
    if not _separable(quotas, weight.shape):
        return assign_with_quotas(weight, allowed, capacity, quotas, coverage_first=coverage_first)
    out = np.full(weight.shape[0], -1, dtype=np.int64)
    slots = np.minimum(capacity, allowed.sum(axis=0))
    if weight.shape[0] == 0 or slots.sum() == 0:
        return out
    # rows that may take nothing only matter to row quotas (as absorbers)
    live = allowed.any(axis=1)
    for q in quotas:
        if q.rows is not None:
            live |= q.rows
    live_rows = np.flatnonzero(live)
    weight, allowed = weight[live_rows], allowed[live_rows]
    quotas = [Quota(q.limit, None if q.rows is None else q.rows[live_rows], q.cols) for q in quotas]
    n_rows = len(live_rows)
    used = np.flatnonzero(slots > 0)
    col_of_slot = np.repeat(used, slots[used])
    absorb_cols = [
        np.repeat(q.rows[None, :], max(int(q.rows.sum()) - max(q.limit, 0), 0), axis=0)
        for q in quotas
        if q.rows is not None
    ]
    absorb_rows = [
        np.repeat(
            q.cols[col_of_slot][None, :],
            max(int(slots[q.cols].sum()) - max(q.limit, 0), 0),
            axis=0,
        )
        for q in quotas
        if q.cols is not None
    ]
    extra_cols = np.concatenate(absorb_cols, axis=0).T if absorb_cols else None  # rows x k
    extra_rows = np.concatenate(absorb_rows, axis=0) if absorb_rows else None  # k x slots
    size = (n_rows + (0 if extra_rows is None else len(extra_rows))) * (
        len(col_of_slot) + (0 if extra_cols is None else extra_cols.shape[1])
    )
    if size > MAX_CELLS:
        return assign_with_quotas(weight, allowed, capacity, quotas, coverage_first=coverage_first)
    bonus = _bonus(weight, allowed, coverage_first)
    value = np.where(allowed, weight + bonus, 0.0)[:, col_of_slot]
    absorb = 2.0 * (float(value.max(initial=0.0)) + 1.0)
    if extra_cols is not None:
        value = np.hstack([value, np.where(extra_cols, absorb, 0.0)])
    if extra_rows is not None:
        pad = np.zeros((len(extra_rows), value.shape[1] - len(col_of_slot)))
        value = np.vstack([value, np.hstack([np.where(extra_rows, absorb, 0.0), pad])])
    rows, cols = linear_sum_assignment(value, maximize=True)
    real = (rows < n_rows) & (cols < len(col_of_slot))
    if int((value[rows, cols] >= absorb).sum()) != value.shape[0] + value.shape[1] - (
        n_rows + len(col_of_slot)
    ):
        raise SolverError("a quota could not be honoured")  # cannot happen: n - q <= n
    rows, cols = rows[real], cols[real]
    chosen = col_of_slot[cols]
    ok = allowed[rows, chosen]
    out[live_rows[rows[ok]]] = chosen[ok]
    return out


def _separable(quotas: Sequence[Quota], shape: tuple[int, ...]) -> bool:
    """Quotas on rows only or columns only, no two sharing a row or a column."""
    rows = np.zeros(shape[0], dtype=np.int64)
    cols = np.zeros(shape[1], dtype=np.int64)
    for q in quotas:
        if (q.rows is None) == (q.cols is None):
            return False
        if q.rows is not None:
            rows += q.rows
        if q.cols is not None:
            cols += q.cols
    return bool((rows <= 1).all() and (cols <= 1).all())


def assign_with_quotas(
    weight: FloatArray,
    allowed: BoolArray,
    capacity: IntArray,
    quotas: Sequence[Quota],
    *,
    coverage_first: bool = True,
    time_limit: float = MILP_TIME_LIMIT,
) -> IntArray:
    """The optimal assignment within capacity and quotas, by HiGHS (see the module).

    Raises
    ------
    SolverError
        When HiGHS finds no proven optimum within `time_limit` seconds.
    """
    weight = np.asarray(weight, dtype=np.float64)
    allowed = np.asarray(allowed, dtype=np.bool_)
    capacity = np.asarray(capacity, dtype=np.int64)
    _check(weight, allowed, capacity)
    n_rows, n_cols = weight.shape
    out = np.full(n_rows, -1, dtype=np.int64)
    pr, pc = np.nonzero(allowed & (capacity[None, :] > 0))
    if len(pr) == 0:
        return out
    bonus = _bonus(weight, allowed, coverage_first)
    n = len(pr)
    var = np.arange(n)
    blocks = [
        sp.csr_matrix((np.ones(n), (pr, var)), shape=(n_rows, n)),
        sp.csr_matrix((np.ones(n), (pc, var)), shape=(n_cols, n)),
    ]
    upper = [np.ones(n_rows), capacity.astype(np.float64)]
    for q in quotas:
        member = np.ones(n, dtype=np.bool_)
        if q.rows is not None:
            member &= q.rows[pr]
        if q.cols is not None:
            member &= q.cols[pc]
        blocks.append(sp.csr_matrix(member.astype(np.float64)[None, :]))
        upper.append(np.asarray([float(max(q.limit, 0))]))
    a = sp.vstack(blocks, format="csr")
    result = milp(
        c=-(weight[pr, pc] + bonus),
        constraints=LinearConstraint(a, -np.inf, np.concatenate(upper)),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True},
    )
    if result.x is None or result.status not in (0,):
        raise SolverError(f"the solver found no optimal plan: {result.message}")
    take = result.x > 0.5
    out[pr[take]] = pc[take]
    return out


def deferred_acceptance(
    preferences: Sequence[Sequence[int]],
    column_score: FloatArray,
    capacity: IntArray,
    quotas: Sequence[Quota] = (),
) -> IntArray:
    """Rows propose down `preferences` (columns, best first); column c prefers rows with a
    higher ``column_score[r, c]`` (ties: the lower row). Quotas reject the group's weakest
    held pair (lowest column score) when exceeded.

    >>> s = np.asarray([[2.0], [3.0], [1.0]])
    >>> deferred_acceptance([[0], [0], [0]], s, np.asarray([2])).tolist()
    [0, 0, -1]
    """
    n_rows = len(preferences)
    capacity = np.asarray(capacity, dtype=np.int64)
    room = capacity
    match = np.full(n_rows, -1, dtype=np.int64)
    nxt = np.zeros(n_rows, dtype=np.int64)
    # heaps of (score, row): the weakest held proposal on top; stale entries skipped
    held: list[list[tuple[float, int]]] = [[] for _ in range(len(capacity))]
    held_n = np.zeros(len(capacity), dtype=np.int64)
    group_heaps: list[list[tuple[float, int, int]]] = [[] for _ in quotas]
    group_n = [0] * len(quotas)
    free = list(range(n_rows - 1, -1, -1))

    def groups_of(r: int, c: int) -> list[int]:
        return [
            g
            for g, q in enumerate(quotas)
            if (q.rows is None or q.rows[r]) and (q.cols is None or q.cols[c])
        ]

    def release(r: int) -> None:
        c = int(match[r])
        match[r] = -1
        held_n[c] -= 1
        for g in groups_of(r, c):
            group_n[g] -= 1
        free.append(r)

    def weakest(heap: list[tuple[float, int]], c: int) -> int:
        while heap:
            _, neg_r = heap[0]
            r = -neg_r
            if match[r] == c:
                return r
            heapq.heappop(heap)
        raise AssertionError("no held proposal")

    while free:
        r = free.pop()
        prefs = preferences[r]
        if nxt[r] >= len(prefs):
            continue
        c = int(prefs[nxt[r]])
        nxt[r] += 1
        if room[c] <= 0:
            free.append(r)
            continue
        score = float(column_score[r, c])
        match[r] = c
        held_n[c] += 1
        heapq.heappush(held[c], (score, -r))
        for g in groups_of(r, c):
            group_n[g] += 1
            heapq.heappush(group_heaps[g], (score, -r, c))
        if held_n[c] > room[c]:
            release(weakest(held[c], c))
        for g, q in enumerate(quotas):
            while group_n[g] > max(q.limit, 0):
                heap = group_heaps[g]
                _s, neg_r, gc = heapq.heappop(heap)
                if match[-neg_r] == gc:
                    release(-neg_r)
    return match


def is_stable(
    match: IntArray,
    preferences: Sequence[Sequence[int]],
    column_score: FloatArray,
    capacity: IntArray,
) -> list[tuple[int, int]]:
    """The blocking pairs of a matching (empty when it is stable): a row r and a column c
    on r's list that r prefers to its match, where c has room or holds a row it likes less.

    >>> s = np.asarray([[2.0], [3.0]])
    >>> is_stable(np.asarray([0, -1]), [[0], [0]], s, np.asarray([1]))
    [(1, 0)]
    """
    blocking = []
    held: dict[int, list[int]] = {}
    for r, c in enumerate(match.tolist()):
        if c >= 0:
            held.setdefault(c, []).append(r)
    for r, prefs in enumerate(preferences):
        for c in prefs:
            if c == match[r]:
                break
            rows = held.get(int(c), [])
            if len(rows) < capacity[c]:
                blocking.append((r, int(c)))
                continue
            if not rows:
                continue  # no room at all
            worst = min(rows, key=lambda x: (column_score[x, c], -x))
            if (column_score[r, c], -r) > (column_score[worst, c], -worst):
                blocking.append((r, int(c)))
    return blocking
