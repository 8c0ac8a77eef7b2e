"""Fit of many enterprises with every institution or expert at once, from the recommender.

The planners (graphsvc.algorithms.planning) need the fit of every (enterprise, institution)
and (enterprise, expert) pair, not the top ten of one enterprise. These functions compute
the recommender's own features (graphsvc.algorithms.recommend) for a whole block of
enterprises with a few sparse products, so a plan optimises the scores the recommendations
show:

- `institution_fit` is exactly `recommend_institutions`' score (experts in the industry,
  skills matching the enterprise's demands, achievements in its industries, past service,
  proximity, and the personalized PageRank from the enterprise);
- `expert_fit` is `recommend_experts`' score for an enterprise without its three per-query
  searches (the PageRank walk, the TF-IDF text channel and the collaborator bonus), which
  would cost a search per enterprise: the channels (skills, industry, division, own
  achievements, similar solved demands, past service, subgroup, related skills, focus, work
  profile), proximity, activity and rating.

`evidence` marks the pairs with real evidence of fit (an industry, keyword, achievement or
service in common), as opposed to nearness or an expert's record alone.

Examples
--------
>>> from graphsvc.algorithms.recommend import _demo_graph, build_model
>>> model = build_model(_demo_graph(), today="2025-01-01")
>>> fit = expert_fit(model, np.asarray([0]), np.asarray([0, 1]))
>>> fit.score.round(2).tolist(), fit.evidence.tolist()
([[10.83, 0.47]], [[True, False]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from graphsvc.algorithms.recommend import (
    INSTITUTION_WEIGHTS,
    PROXIMITY_KM,
    Model,
    _label_values,
    _lookup,
    demand_rows,
    walk_ppr,
)

__all__ = [
    "EXPERT_EVIDENCE",
    "EXPERT_FIT_FEATURES",
    "INSTITUTION_EVIDENCE",
    "Fit",
    "enterprise_vectors",
    "expert_fit",
    "institution_fit",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The recommender's expert features a plan uses (the per-query searches left out).
EXPERT_FIT_FEATURES = (
    "skill",
    "industry",
    "division",
    "achievement",
    "similar",
    "served",
    "proximity",
    "subgroup",
    "related",
    "focus",
    "profile",
    "activity",
    "rating",
)
# Features that are evidence of fit (not nearness, not an expert's record).
EXPERT_EVIDENCE = frozenset(
    {"skill", "industry", "division", "achievement", "similar", "served", "focus", "profile"}
)
INSTITUTION_EVIDENCE = frozenset({"experts", "skill", "achievements", "served"})
_KEYWORD_CHANNELS = ("skill", "achievement", "similar", "related", "profile")


@dataclass(frozen=True, eq=False)
class Fit:
    """Scores of enterprises (rows) with institutions or experts (columns).

    `score[i, j]` is the recommender's score of the pair, `evidence[i, j]` says whether it
    rests on real evidence of fit (see the module)."""

    enterprises: IntArray  # local enterprise positions (rows)
    targets: IntArray  # local institution or expert positions (columns)
    score: FloatArray
    evidence: BoolArray


def _binary(m: sp.spmatrix) -> sp.csr_matrix:
    out = sp.csr_matrix(m, dtype=np.float64, copy=True)
    out.data = np.ones_like(out.data)
    return out


def _row_max(groups: sp.csr_matrix, rows: sp.csr_matrix) -> sp.csr_matrix:
    """Per group (row of `groups`, a 0/1 membership over the rows of `rows`), the
    elementwise maximum of its members' rows."""
    g = groups.tocoo()
    if g.nnz == 0:
        return sp.csr_matrix((groups.shape[0], rows.shape[1]), dtype=np.float64)
    order = np.argsort(g.row, kind="stable")
    grp, member = g.row[order], g.col[order]
    starts, ends = rows.indptr[member], rows.indptr[member + 1]
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return sp.csr_matrix((groups.shape[0], rows.shape[1]), dtype=np.float64)
    at = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
    r = np.repeat(grp, lens).astype(np.int64)
    c = rows.indices[at].astype(np.int64)
    v = rows.data[at]
    key = r * rows.shape[1] + c
    order = np.lexsort((-v, key))
    key, v = key[order], v[order]
    first = np.ones(len(key), dtype=np.bool_)
    first[1:] = key[1:] != key[:-1]
    key, v = key[first], v[first]
    return sp.csr_matrix(
        (v, (key // rows.shape[1], key % rows.shape[1])),
        shape=(groups.shape[0], rows.shape[1]),
    )


def enterprise_vectors(model: Model, enterprises: IntArray) -> dict[str, sp.csr_matrix]:
    """Each channel's source vectors for these enterprises (rows), as the recommender builds
    them for one enterprise: its industries (and those below them), its division, its
    industries for the subgroup channel, itself for past service, and for keyword channels
    the strongest mention among its demands."""
    index = model.index
    n_ent = len(index.table("Enterprise"))
    ind = _binary(index.rel("IN_INDUSTRY", "Enterprise", "Industry").fwd)[enterprises]
    posted = _binary(index.rel("POSTED", "Enterprise", "Demand").fwd)[enterprises]
    below = _binary(ind @ model.descendants)
    out: dict[str, sp.csr_matrix] = {}
    for name, channel in model.channels.items():
        if name == "served":
            out[name] = sp.csr_matrix(
                (np.ones(len(enterprises)), (np.arange(len(enterprises)), enterprises)),
                shape=(len(enterprises), n_ent),
            )
        elif name in ("industry", "focus"):
            out[name] = below
        elif name == "division":
            out[name] = _binary(ind @ model.divisions)
        elif name == "subgroup":
            out[name] = ind
        else:
            used = np.unique(posted.indices).astype(np.int64)
            out[name] = _row_max(sp.csr_matrix(posted[:, used]), demand_rows(channel, used))
    return out


def _squash(values: FloatArray, how: str) -> FloatArray:
    if how == "cap1":
        return np.minimum(values, 1.0)
    if how == "log1p":
        return np.log1p(values)
    return values


def _proximity(model: Model, enterprises: IntArray, xy: FloatArray) -> FloatArray:
    """exp(-km / PROXIMITY_KM) between each enterprise's county seat (rows) and each place
    (columns); 0 where either is unknown."""
    sx = model.enterprise_xy[enterprises, 0][:, None]
    sy = model.enterprise_xy[enterprises, 1][:, None]
    lat = np.radians((xy[None, :, 1] + sy) / 2)
    dx = np.radians(xy[None, :, 0] - sx) * np.cos(lat)
    dy = np.radians(xy[None, :, 1] - sy)
    km = 6371.0 * np.hypot(dx, dy)
    return np.asarray(np.where(np.isnan(km), 0.0, np.exp(-km / PROXIMITY_KM)), dtype=np.float64)


def expert_fit(model: Model, enterprises: IntArray, experts: IntArray) -> Fit:
    """The plan's fit of each enterprise with each expert (local positions).

    The weighted sum of `EXPERT_FIT_FEATURES` with the model's weights: what
    `recommend_experts(enterprise=...)` scores, less its per-query PageRank, text and
    collaborator parts.
    """
    enterprises = np.asarray(enterprises, dtype=np.int64)
    experts = np.asarray(experts, dtype=np.int64)
    vectors = enterprise_vectors(model, enterprises)
    shape = (len(enterprises), len(experts))
    score = np.zeros(shape)
    evidence = np.zeros(shape, dtype=np.bool_)
    values: dict[str, FloatArray] = {}
    for name, channel in model.channels.items():
        product = sp.csr_matrix(vectors[name] @ channel.expert_t[:, experts])
        product.data = _squash(product.data, channel.squash)  # squash(0) = 0 for each
        values[name] = np.asarray(product.todense(), dtype=np.float64)
    values["division"] = np.where(values["industry"] > 0, 0.0, values["division"])
    values["proximity"] = _proximity(model, enterprises, model.expert_xy[experts])
    values["activity"] = np.broadcast_to(model.activity[experts], shape)
    values["rating"] = np.broadcast_to(model.rating_prior[experts], shape)
    for name in EXPERT_FIT_FEATURES:
        w = model.weights.get(name, 0.0)
        v = values[name]
        if w:
            score += w * v
        if name in EXPERT_EVIDENCE:
            evidence |= v > 0
    return Fit(enterprises, experts, score, evidence)


def institution_fit(model: Model, enterprises: IntArray, *, pagerank: bool = True) -> Fit:
    """The fit of each enterprise with every institution: `recommend_institutions`' score.

    `pagerank=False` leaves out the PageRank part (one search per enterprise)."""
    index = model.index
    enterprises = np.asarray(enterprises, dtype=np.int64)
    insts = np.arange(len(index.table("Institution")), dtype=np.int64)
    shape = (len(enterprises), len(insts))
    if len(insts) == 0 or len(enterprises) == 0:
        return Fit(enterprises, insts, np.zeros(shape), np.zeros(shape, dtype=np.bool_))
    vectors = enterprise_vectors(model, enterprises)
    aff = index.rel("AFFILIATED_WITH", "Expert", "Institution").fwd  # experts x institutions
    industry = vectors["industry"]  # ents x industries
    exp_ind = (industry @ model.channels["industry"].expert_t).minimum(1.0)  # ents x experts
    exp_skill = vectors["skill"] @ model.channels["skill"].expert_t
    served = index.service.served[:, enterprises].T  # ents x experts
    owns = _binary(index.rel("OWNS", "Institution", "Achievement").fwd)
    applies = _binary(index.rel("APPLIES_TO", "Achievement", "Industry").fwd)

    def dense(m: sp.spmatrix) -> FloatArray:
        return np.asarray(sp.csr_matrix(m).todense(), dtype=np.float64)

    feats = {
        "experts": np.log1p(dense(exp_ind @ aff)),
        "skill": np.log1p(dense(exp_skill @ aff)),
        "served": np.log1p(dense(served @ aff)),
        "achievements": np.log1p(dense(industry @ (owns @ applies).T)),
    }
    city = index.institution_city
    xy = index.city_xy[np.maximum(city, 0)] if len(index.city_xy) else np.full((len(city), 2), 0.0)
    prox = _proximity(model, enterprises, xy)
    feats["proximity"] = np.where(city[None, :] < 0, 0.0, prox)
    ppr = np.zeros(shape)
    if pagerank:
        w = index.walk
        gids = index.table("Enterprise").gid[enterprises]
        for row, g in enumerate(gids.tolist()):
            nodes, vals = walk_ppr(w, {g: 1.0})
            pv = _lookup(*_label_values(model, nodes, vals, "Institution"), insts)
            ppr[row] = pv / max(float(pv.max()) if len(pv) else 0.0, 1e-12)
    feats["ppr"] = ppr
    score = np.zeros(shape)
    for name, v in feats.items():
        score += INSTITUTION_WEIGHTS[name] * v
    evidence = np.zeros(shape, dtype=np.bool_)
    for name in INSTITUTION_EVIDENCE:
        evidence |= feats[name] > 0
    return Fit(enterprises, insts, score, evidence)
