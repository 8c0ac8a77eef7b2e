"""The push list of a round: for every open demand, the experts to notify, with exposure
balanced across experts and remote counties served first.

Each open demand's best `depth` experts (by `recommend_experts`) are candidates; pushes are
then handed out in rounds: in round r every demand that still needs a push gets its best
candidate that has received fewer than `max_per_expert` pushes, demands of poverty
(remote) counties first, then demands with fewer candidates, then by key. So no expert gets
more than `max_per_expert` pushes, and a demand goes without only when every one of its
candidates is used up.

Examples
--------
>>> from graphsvc.algorithms.recommend import _demo_graph, build_model
>>> result = push_list(build_model(_demo_graph(), today="2025-01-01"), per_demand=2)
>>> [(r.demand, r.rank, r.expert) for r in result.rows]
[('D1', 1, 'E1')]
>>> result.spread()["demands_without"]
0
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from graphsvc.algorithms.recommend import (
    Model,
    RecommendFilter,
    explain_pairs,
    recommend_experts,
)

__all__ = ["Push", "PushList", "push_list"]


@dataclass(frozen=True)
class Push:
    """One push: a demand, the rank of the push for it, the expert, score and main reason."""

    demand: str
    enterprise: str
    county: str
    remote: bool
    rank: int
    expert: str
    score: float
    reason: str


@dataclass(frozen=True)
class PushList:
    """The pushes of a round, and what was asked."""

    rows: tuple[Push, ...]
    demands: tuple[str, ...]  # every open demand
    remote: frozenset[str]  # open demands of poverty counties
    per_demand: int
    max_per_expert: int

    def spread(self) -> dict[str, Any]:
        """How the pushes spread: per expert and per demand."""
        per_expert = Counter(r.expert for r in self.rows)
        per_demand = Counter(r.demand for r in self.rows)
        counts = sorted(per_expert.values())
        remote_served = sum(1 for d in self.remote if per_demand.get(d))
        return {
            "pushes": len(self.rows),
            "open_demands": len(self.demands),
            "demands_without": sum(1 for d in self.demands if not per_demand.get(d)),
            "demands_short": sum(1 for d in self.demands if per_demand.get(d, 0) < self.per_demand),
            "remote_demands": len(self.remote),
            "remote_with_pushes": remote_served,
            "experts_pushed": len(per_expert),
            "pushes_per_expert_max": counts[-1] if counts else 0,
            "pushes_per_expert_median": statistics.median(counts) if counts else 0,
            "pushes_per_expert_mean": round(statistics.fmean(counts), 2) if counts else 0.0,
        }


def push_list(
    model: Model,
    *,
    per_demand: int = 5,
    max_per_expert: int = 10,
    depth: int = 30,
    filter: RecommendFilter | None = None,
) -> PushList:
    """Compute the balanced push list of every open demand.

    Parameters
    ----------
    model : Model
        From `build_model`.
    per_demand : int
        Pushes wanted per demand.
    max_per_expert : int
        No expert gets more pushes than this in the round.
    depth : int
        Candidates considered per demand.
    filter : RecommendFilter, optional
        Constraints on the experts (default: respect capacity, skip experts serving the
        enterprise; no diversity cap, balancing does that).

    Raises
    ------
    ValueError
        When a count is not positive.
    """
    if per_demand < 1 or max_per_expert < 1 or depth < per_demand:
        raise ValueError("per_demand and max_per_expert must be positive, depth >= per_demand")
    flt = filter or RecommendFilter(max_per_institution=None)
    index = model.index
    demands = index.table("Demand")
    open_keys = tuple(k for i, k in enumerate(demands.keys) if index.demand_status[i] == "open")
    candidates: dict[str, list[tuple[str, float]]] = {}
    where: dict[str, tuple[str, str, bool]] = {}
    for key in open_keys:
        d = demands.pos[key]
        items = recommend_experts(model, demand=key, first=depth, filter=flt, explain=False)
        candidates[key] = [(r.key, r.score) for r in items]
        ent = int(index.demand_enterprise[d])
        county = int(index.enterprise_county[ent]) if ent >= 0 else -1
        remote = county >= 0 and bool(index.props("County", county).get("poverty_county"))
        where[key] = (
            index.table("Enterprise").keys[ent] if ent >= 0 else "",
            index.table("County").keys[county] if county >= 0 else "",
            remote,
        )
    order = sorted(open_keys, key=lambda k: (not where[k][2], len(candidates[k]), k))
    used: Counter[str] = Counter()
    given: dict[str, list[tuple[str, float]]] = {k: [] for k in open_keys}
    nxt = dict.fromkeys(open_keys, 0)
    for _ in range(per_demand):
        for key in order:
            cands = candidates[key]
            i = nxt[key]
            while i < len(cands) and used[cands[i][0]] >= max_per_expert:
                i += 1
            if i < len(cands):
                expert, score = cands[i]
                given[key].append((expert, score))
                used[expert] += 1
                i += 1
            nxt[key] = i
    rows = []
    for key in open_keys:
        ent_key, county_key, remote = where[key]
        explained = explain_pairs(model, demand=key, experts=[e for e, _ in given[key]])
        for rank, ((expert, score), item) in enumerate(zip(given[key], explained, strict=True), 1):
            reason = item.reasons[0] if item.reasons else ""
            rows.append(Push(key, ent_key, county_key, remote, rank, expert, score, reason))
    remote_set = frozenset(k for k in open_keys if where[k][2])
    return PushList(tuple(rows), open_keys, remote_set, per_demand, max_per_expert)
