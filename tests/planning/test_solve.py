"""The solvers against brute force on small seeded random instances, and stability checked
pair by pair."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from graphsvc.algorithms.planning_solve import (
    Quota,
    assign,
    assign_with_quotas,
    deferred_acceptance,
    is_stable,
)

SEEDS = range(150)


def instance(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 5), rng.randint(1, 3)
    weight = np.asarray(
        [[float(rng.randint(0, 9)) for _ in range(cols)] for _ in range(rows)], dtype=np.float64
    )
    allowed = np.asarray([[rng.random() < 0.7 for _ in range(cols)] for _ in range(rows)])
    capacity = np.asarray([rng.randint(0, 2) for _ in range(cols)], dtype=np.int64)
    return weight, allowed, capacity


def feasible(match, allowed, capacity, quotas=()) -> bool:
    used = np.zeros(len(capacity), dtype=np.int64)
    for r, c in enumerate(match):
        if c >= 0:
            if not allowed[r, c]:
                return False
            used[c] += 1
    if (used > capacity).any():
        return False
    for q in quotas:
        n = sum(
            1
            for r, c in enumerate(match)
            if c >= 0 and (q.rows is None or q.rows[r]) and (q.cols is None or q.cols[c])
        )
        if n > q.limit:
            return False
    return True


def value(match, weight, coverage_first: bool) -> tuple[float, ...]:
    total = round(sum(weight[r, c] for r, c in enumerate(match) if c >= 0), 6)
    covered = sum(1 for c in match if c >= 0)
    return (covered, total) if coverage_first else (total,)


def brute_force(weight, allowed, capacity, quotas=(), coverage_first=True) -> tuple[float, ...]:
    rows, cols = weight.shape
    best: tuple[float, ...] | None = None
    for match in itertools.product(range(-1, cols), repeat=rows):
        if feasible(match, allowed, capacity, quotas):
            v = value(match, weight, coverage_first)
            best = v if best is None or v > best else best
    assert best is not None  # leaving everyone out is always feasible
    return best


@pytest.mark.parametrize("coverage_first", [True, False])
def test_assign_is_optimal(coverage_first: bool) -> None:
    for seed in SEEDS:
        weight, allowed, capacity = instance(seed)
        match = assign(weight, allowed, capacity, coverage_first=coverage_first)
        assert feasible(match, allowed, capacity), seed
        assert value(match, weight, coverage_first) == brute_force(
            weight, allowed, capacity, coverage_first=coverage_first
        ), seed


def separable_quotas(seed: int, rows: int, cols: int) -> list[Quota]:
    """A row quota over some rows, a column quota over some columns (disjoint groups)."""
    rng = random.Random(seed * 7 + 1)
    row_group = np.asarray([rng.random() < 0.6 for _ in range(rows)])
    col_group = np.asarray([rng.random() < 0.5 for _ in range(cols)])
    return [Quota(rng.randint(0, 2), rows=row_group), Quota(rng.randint(0, 2), cols=col_group)]


def test_assign_with_separable_quotas_is_optimal() -> None:
    for seed in SEEDS:
        weight, allowed, capacity = instance(seed)
        quotas = separable_quotas(seed, *weight.shape)
        match = assign(weight, allowed, capacity, quotas)
        assert feasible(match, allowed, capacity, quotas), seed
        assert value(match, weight, True) == brute_force(weight, allowed, capacity, quotas), seed


def test_overlapping_quotas_are_solved_exactly_by_the_linear_program() -> None:
    for seed in SEEDS[:60]:
        weight, allowed, capacity = instance(seed)
        rows, cols = weight.shape
        rng = random.Random(seed)
        # two column quotas sharing columns, and one on rows and columns at once
        quotas = [
            Quota(rng.randint(0, 2), cols=np.ones(cols, dtype=np.bool_)),
            Quota(rng.randint(0, 2), cols=np.asarray([c % 2 == 0 for c in range(cols)])),
            Quota(
                rng.randint(0, 2),
                rows=np.asarray([r % 2 == 1 for r in range(rows)]),
                cols=np.ones(cols, dtype=np.bool_),
            ),
        ]
        for match in (
            assign(weight, allowed, capacity, quotas),
            assign_with_quotas(weight, allowed, capacity, quotas),
        ):
            assert feasible(match, allowed, capacity, quotas), seed
            assert value(match, weight, True) == brute_force(weight, allowed, capacity, quotas), (
                seed
            )


def lists(weight: np.ndarray, allowed: np.ndarray, length: int | None = None) -> list[list[int]]:
    out = []
    for r in range(weight.shape[0]):
        cols = [c for c in range(weight.shape[1]) if allowed[r, c]]
        cols.sort(key=lambda c: (-weight[r, c], c))
        out.append(cols[:length])
    return out


def test_deferred_acceptance_is_stable_pair_by_pair() -> None:
    for seed in range(300):
        rng = random.Random(seed)
        rows, cols = rng.randint(1, 12), rng.randint(1, 5)
        enterprise_side = np.asarray([[rng.random() for _ in range(cols)] for _ in range(rows)])
        column_side = np.asarray([[rng.random() for _ in range(cols)] for _ in range(rows)])
        allowed = np.asarray([[rng.random() < 0.7 for _ in range(cols)] for _ in range(rows)])
        capacity = np.asarray([rng.randint(0, 3) for _ in range(cols)], dtype=np.int64)
        for length in (None, 1, 2):
            prefs = lists(enterprise_side, allowed, length)
            match = deferred_acceptance(prefs, column_side, capacity)
            assert feasible(match, allowed, capacity), seed
            for r, c in enumerate(match.tolist()):
                assert c == -1 or c in prefs[r]
            assert is_stable(match, prefs, column_side, capacity) == [], seed


def test_the_checker_finds_blocking_pairs() -> None:
    scores = np.asarray([[1.0, 2.0], [2.0, 1.0]])
    prefs = [[1, 0], [0, 1]]
    # both would rather have the other column, and each column the other row
    assert is_stable(np.asarray([0, 1]), prefs, scores, np.asarray([1, 1])) == [(0, 1), (1, 0)]


def test_deferred_acceptance_never_exceeds_quotas() -> None:
    for seed in range(200):
        rng = random.Random(seed)
        rows, cols = rng.randint(1, 12), rng.randint(1, 5)
        score = np.asarray([[rng.random() for _ in range(cols)] for _ in range(rows)])
        allowed = np.asarray([[rng.random() < 0.8 for _ in range(cols)] for _ in range(rows)])
        capacity = np.asarray([rng.randint(0, 3) for _ in range(cols)], dtype=np.int64)
        quotas = [
            Quota(rng.randint(0, 3), rows=np.asarray([rng.random() < 0.5 for _ in range(rows)])),
            Quota(rng.randint(0, 3), cols=np.asarray([rng.random() < 0.5 for _ in range(cols)])),
        ]
        match = deferred_acceptance(lists(score, allowed), score, capacity, quotas)
        assert feasible(match, allowed, capacity, quotas), seed


def test_infeasible_instances_leave_everyone_out() -> None:
    weight = np.ones((3, 2))
    nobody = np.zeros((3, 2), dtype=np.bool_)
    assert assign(weight, nobody, np.asarray([2, 2])).tolist() == [-1, -1, -1]
    assert assign(weight, ~nobody, np.asarray([0, 0])).tolist() == [-1, -1, -1]
    assert assign(np.zeros((0, 2)), np.zeros((0, 2), np.bool_), np.asarray([1, 1])).size == 0
    assert deferred_acceptance([[0], [1], []], weight, np.asarray([0, 0])).tolist() == [-1] * 3
    zero = [Quota(0, cols=np.ones(2, dtype=np.bool_))]
    assert assign(weight, ~nobody, np.asarray([2, 2]), zero).tolist() == [-1, -1, -1]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="capacities"):
        assign(np.ones((1, 1)), np.ones((1, 1), np.bool_), np.asarray([-1]))
    with pytest.raises(ValueError, match="negative"):
        assign(-np.ones((1, 1)), np.ones((1, 1), np.bool_), np.asarray([1]))
    with pytest.raises(ValueError, match="one shape"):
        assign(np.ones((1, 2)), np.ones((1, 1), np.bool_), np.asarray([1]))
