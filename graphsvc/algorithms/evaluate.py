"""Offline evaluation of expert recommendations: hide solved service records, recommend on the
graph without them, and score the model and simple baselines on who really solved each
demand.

Hiding a demand's records removes, from a copy of the graph, every ADDRESSED relationship to
it, every SERVED record that names it (`demand_key`), and the service-team collaboration
ties its experts gained from that service (same start date): nothing the model sees says who
served the hidden demands.

Examples
--------
>>> recall_at([3, 1, 2], {1, 9}, 2), round(ndcg_at([3, 1, 2], {1, 9}, 2), 4), mrr([3, 1], {1})
(0.5, 0.3869, 0.5)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import numpy.typing as npt

from graphsvc.algorithms.recommend import (
    FEATURES,
    Model,
    RecommendFilter,
    _demand_source,
    _rank_experts,
    build_model,
    recommend_experts,
)

__all__ = [
    "EVALUATION_FILTER",
    "Holdout",
    "MethodScore",
    "Report",
    "evaluate",
    "fit_weights",
    "hold_out",
    "mrr",
    "ndcg_at",
    "recall_at",
]

# Historical matches are judged without today's constraints (capacity, ongoing service);
# the diversity rule stays on, as in production.
EVALUATION_FILTER = RecommendFilter(include_at_capacity=True, exclude_serving=False)
DEPTH = 100  # ranks looked at for MRR


def recall_at(ranked: Sequence[object], relevant: set[object] | frozenset[object], k: int) -> float:
    """Share of the relevant items in the first k."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg_at(ranked: Sequence[object], relevant: set[object] | frozenset[object], k: int) -> float:
    """Normalised discounted cumulative gain at k with binary gains."""
    dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(ranked[:k]) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def mrr(ranked: Sequence[object], relevant: set[object] | frozenset[object]) -> float:
    """Reciprocal rank of the first relevant item (0 when none is ranked)."""
    for i, x in enumerate(ranked):
        if x in relevant:
            return 1.0 / (i + 1)
    return 0.0


@dataclass(frozen=True)
class Holdout:
    """The graph without the hidden records, and who solved each hidden demand."""

    graph: nx.MultiDiGraph
    targets: Mapping[str, frozenset[str]]
    removed: int  # relationships removed


def hold_out(view: nx.MultiDiGraph, *, share: float = 0.2, seed: int = 2024) -> Holdout:
    """Hide `share` of the demands that have a solved service record (chosen with `seed`).

    Raises
    ------
    ValueError
        When `share` is not in (0, 1) or no demand has a solved record.
    """
    if not 0 < share < 1:
        raise ValueError(f"share must be in (0, 1), got {share}")
    solved: dict[str, set[str]] = {}
    for u, v, k, attrs in view.edges(keys=True, data=True):
        if k.partition("|")[0] == "ADDRESSED" and attrs.get("outcome") == "solved":
            solved.setdefault(v.partition(":")[2], set()).add(u.partition(":")[2])
    if not solved:
        raise ValueError("no demand has a solved service record to hide")
    keys = sorted(solved)
    hidden = sorted(random.Random(seed).sample(keys, max(1, round(len(keys) * share))))
    hidden_set = set(hidden)
    g = nx.MultiDiGraph()
    g.add_nodes_from(view.nodes(data=True))
    g.add_edges_from(view.edges(keys=True, data=True))
    doomed: list[tuple[str, str, str]] = []
    starts: dict[str, set[str]] = {}  # expert -> start dates of hidden records
    experts_of: dict[str, set[str]] = {}
    for d in hidden:
        dnode = f"Demand:{d}"
        for u, _, k in view.in_edges(dnode, keys=True):
            if k.partition("|")[0] == "ADDRESSED":
                doomed.append((u, dnode, k))
                experts_of.setdefault(d, set()).add(u)
    for u, v, k, attrs in view.edges(keys=True, data=True):
        if k.partition("|")[0] == "SERVED" and attrs.get("demand_key") in hidden_set:
            doomed.append((u, v, k))
            experts_of.setdefault(str(attrs["demand_key"]), set()).add(u)
            starts.setdefault(u, set()).add(str(attrs.get("start_on")))
    for team in experts_of.values():
        for a in team:
            for b in team:
                for k, attrs in view.get_edge_data(a, b, default={}).items():
                    if (
                        k.partition("|")[0] == "COLLABORATES_WITH"
                        and attrs.get("kind") == "service_team"
                        and str(attrs.get("since")) in starts.get(a, set()) | starts.get(b, set())
                    ):
                        doomed.append((a, b, k))
    unique = sorted(set(doomed))
    g.remove_edges_from(unique)
    targets = {d: frozenset(solved[d]) for d in hidden}
    return Holdout(nx.freeze(g), targets, len(unique))


Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class MethodScore:
    """Mean metrics of one method over the hidden demands."""

    method: str
    recall: float
    ndcg: float
    mrr: float


@dataclass(frozen=True)
class Report:
    """What `evaluate` measured."""

    k: int
    share: float
    seed: int
    demands: int
    removed: int
    scores: tuple[MethodScore, ...]
    seconds: Mapping[str, float] = field(default_factory=dict)

    def best_baseline(self) -> MethodScore:
        """The baseline with the highest Recall@k."""
        return max((s for s in self.scores if s.method != "model"), key=lambda s: s.recall)

    def model(self) -> MethodScore:
        """The model's row."""
        return next(s for s in self.scores if s.method == "model")

    def lift(self) -> float:
        """The model's Recall@k relative to the best baseline's, minus one."""
        best = self.best_baseline().recall
        return self.model().recall / best - 1.0 if best > 0 else math.inf

    def markdown(self) -> str:
        """The table as Markdown."""
        lines = [
            f"| method | Recall@{self.k} | NDCG@{self.k} | MRR |",
            "|---|---:|---:|---:|",
        ]
        for s in self.scores:
            lines.append(f"| {s.method} | {s.recall:.3f} | {s.ndcg:.3f} | {s.mrr:.3f} |")
        return "\n".join(lines)


def _baselines(model: Model) -> dict[str, Ranker]:
    index = model.index
    experts = index.table("Expert")
    keys = np.asarray(experts.keys, dtype=object)
    activity = index.service.records.astype(np.float64)
    # most active first, ties by key (keys are in table order; sort them)
    key_rank = np.argsort(np.argsort(keys.astype(str)))
    by_activity = np.lexsort((key_rank, -activity))
    popular = [str(keys[i]) for i in by_activity[:DEPTH]]
    industry = model.channels["industry"]
    skill = model.channels["skill"]

    def ranked_by(values: npt.NDArray[np.float64]) -> list[str]:
        order = np.lexsort((key_rank, -activity, -values))[:DEPTH]
        return [str(keys[i]) for i in order]

    def most_active(demand: str) -> list[str]:
        return popular

    def same_industry(demand: str) -> list[str]:
        d = index.table("Demand").pos[demand]
        vec = np.asarray(industry.demand[d].todense()).ravel()
        return ranked_by(np.minimum(industry.expert @ vec, 1.0))

    def keyword_overlap(demand: str) -> list[str]:
        d = index.table("Demand").pos[demand]
        vec = (np.asarray(skill.demand[d].todense()).ravel() > 0).astype(np.float64)
        return ranked_by(skill.expert @ vec)

    return {
        "most-active": most_active,
        "same-industry": same_industry,
        "keyword-overlap": keyword_overlap,
    }


def evaluate(
    view: nx.MultiDiGraph,
    *,
    share: float = 0.2,
    seed: int = 2024,
    k: int = 10,
    today: str | None = None,
    weights: Mapping[str, float] | None = None,
    holdout: Holdout | None = None,
) -> Report:
    """Hide, recommend, and score the model against the baselines.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The full graph (it is not changed).
    share, seed : float, int
        The share of solved demands hidden and the seed that picks them.
    k : int
        The cut-off of Recall and NDCG.
    today : str, optional
        ISO date for ongoing services (does not change the ranking under
        `EVALUATION_FILTER`).
    weights : mapping, optional
        Model weights (default: the shipped ones).
    holdout : Holdout, optional
        A hold-out made before (then `share` and `seed` only label the report).
    """
    import time

    started = time.perf_counter()
    h = holdout if holdout is not None else hold_out(view, share=share, seed=seed)
    model = build_model(h.graph, today=today, weights=weights)
    built = time.perf_counter()
    rankers: dict[str, Ranker] = {
        "model": lambda d: [
            r.key
            for r in recommend_experts(
                model, demand=d, first=DEPTH, filter=EVALUATION_FILTER, explain=False
            )
        ],
        **_baselines(model),
    }
    scores = []
    seconds = {"build": built - started}
    for name, rank in rankers.items():
        t0 = time.perf_counter()
        rs, ns, ms = [], [], []
        for d, relevant in sorted(h.targets.items()):
            ranked = rank(d)
            rs.append(recall_at(ranked, relevant, k))
            ns.append(ndcg_at(ranked, relevant, k))
            ms.append(mrr(ranked, relevant))
        seconds[name] = time.perf_counter() - t0
        scores.append(MethodScore(name, float(np.mean(rs)), float(np.mean(ns)), float(np.mean(ms))))
    return Report(k, share, seed, len(h.targets), h.removed, tuple(scores), seconds)


def fit_weights(
    view: nx.MultiDiGraph,
    *,
    share: float = 0.3,
    seed: int = 7,
    today: str | None = None,
    l2: float = 1e-3,
) -> dict[str, float]:
    """Fit the feature weights by conditional-logit maximum likelihood on hidden records.

    For each hidden demand, the model's candidates compete in a softmax of ``w . features``
    and the experts who solved it should win; weights are kept non-negative. Fit on a
    dataset (or seed) other than the one you evaluate on.
    """
    from scipy.optimize import minimize

    h = hold_out(view, share=share, seed=seed)
    model = build_model(h.graph, today=today)
    blocks: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]] = []
    for d, relevant in sorted(h.targets.items()):
        source = _demand_source(model, d)
        cands, _, feats, _ = _rank_experts(model, source)
        keys = model.index.table("Expert").keys
        positive = np.asarray([keys[c] in relevant for c in cands.tolist()], dtype=np.bool_)
        if positive.any():
            blocks.append((np.stack([feats[f] for f in FEATURES], axis=1), positive))

    def loss(w: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        total = 0.0
        grad = np.zeros_like(w)
        for x, pos in blocks:
            s = x @ w
            m = float(s.max())
            e = np.exp(s - m)
            z = float(e.sum())
            p = e / z
            total -= float((s[pos] - m - math.log(z)).mean())
            grad -= x[pos].mean(axis=0) - p @ x
        n = max(len(blocks), 1)
        return total / n + l2 * float(w @ w), grad / n + 2 * l2 * w

    w0 = np.asarray([1.0] * len(FEATURES))
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * len(FEATURES))
    return {f: round(float(v), 3) for f, v in zip(FEATURES, res.x, strict=True)}
