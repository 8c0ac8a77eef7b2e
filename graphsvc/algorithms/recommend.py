"""Explainable, path-based recommendations: experts for a demand or an enterprise, institutions
for an enterprise, achievements for a demand, open demands for an expert (the push list) and
team-mates for an expert.

The model (documented with its weights in docs/recommendations.md) scores a pair
(demand or enterprise, expert) as a weighted sum of evidence, each kind following typed paths
in the graph:

- ``skill``: demand -MENTIONS-> keyword <-HAS_SKILL- expert (IDF- and term-weighted);
- ``industry``: demand -CONCERNS-> industry (<-SUBCLASS_OF- sub-industry)* <-EXPERT_IN- expert;
- ``division``: the same GB/T 4754 division, through SUBCLASS_OF up and down;
- ``focus``: the share of the expert's skills that belong (through demands and achievements)
  to the demand's industries, shown along the industry path;
- ``profile``: cosine of the demand's keywords with the expert's work profile (skills, own
  achievements, solved demands, served enterprises' demands), along those paths;
- ``related``: the expert's skills that co-occur with the demand's keywords, through a node
  that mentions both;
- ``achievement``: demand -MENTIONS-> keyword <-MENTIONS- achievement <-OWNS- expert;
- ``similar``: demand -MENTIONS-> keyword <-MENTIONS- solved demand <-ADDRESSED- expert;
- ``text``: the demand's text ~ an achievement's text (TF-IDF cosine), shown along the real
  path that anchors it (a shared keyword or industry), to the achievement's owner;
- ``served``: demand <-POSTED- enterprise <-SERVED- expert, weighted by the ratings given;
- ``proximity``: exp(-km / 150) between the enterprise's county and the expert's city
  (demand <-POSTED- enterprise -LOCATED_IN-> county -IN_CITY-> city <-BASED_IN- expert);
- ``subgroup``: the expert's subgroup COVERS the demand's industry;
- ``ppr``: personalized PageRank from the source over the typed walk
  (graphsvc.algorithms.graph_index.WALK_SHARES), by local forward push;
- ``collaborator``: COLLABORATES_WITH a strong candidate;
- ``activity`` and ``rating``: the expert's service record and mean rating (no path).

Each item's score is split over its paths: a path's share is the part of the score its
evidence contributes (the PageRank part split over the item's paths by their walk
probabilities); the priors (activity, rating) have no path, so the shares of an item may sum
to less than one.

Examples
--------
>>> from graphsvc.algorithms.recommend import _demo_graph
>>> model = build_model(_demo_graph(), today="2025-01-01")
>>> [(r.key, r.score) for r in recommend_experts(model, demand="D1")]
[('E1', 11.1497)]
>>> recommend_experts(model, demand="D1")[0].reasons[:3]
('专业领域 非金属矿物制品', '工作方向与需求吻合', '擅长 碳酸钙表面改性')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from graphsvc.algorithms.graph_index import GraphIndex, Walk, build_index, distance_km
from graphsvc.algorithms.ppr import forward_push

__all__ = [
    "ACHIEVEMENT_WEIGHTS",
    "COLLABORATOR_WEIGHTS",
    "DEFAULT_WEIGHTS",
    "FEATURES",
    "INSTITUTION_WEIGHTS",
    "InvalidFilterError",
    "Model",
    "Path",
    "RecommendError",
    "RecommendFilter",
    "Recommendation",
    "UnknownSourceError",
    "build_model",
    "expert_features",
    "explain_pair",
    "explain_pairs",
    "node_name",
    "recommend_achievements",
    "recommend_collaborators",
    "recommend_demands",
    "recommend_experts",
    "recommend_institutions",
    "walk_ppr",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FEATURES = (
    "skill",
    "industry",
    "division",
    "achievement",
    "similar",
    "text",
    "served",
    "proximity",
    "subgroup",
    "related",
    "focus",
    "profile",
    "ppr",
    "collaborator",
    "activity",
    "rating",
)
# Fitted by conditional-logit maximum likelihood on held-out service records of a demo
# dataset generated with another seed (see graphsvc.algorithms.evaluate.fit_weights and
# docs/recommendations.md), rounded; non-negative so every share is a share.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "skill": 1.0,
    "industry": 3.9,
    "division": 0.9,
    "achievement": 0.2,  # fit 0.05: floor
    "similar": 0.33,
    "text": 0.8,
    "served": 0.3,  # fit 0: floor
    "proximity": 1.0,
    "subgroup": 1.1,
    "related": 0.2,  # fit 0: floor
    "focus": 0.46,
    "profile": 3.9,
    "ppr": 0.32,
    "collaborator": 0.2,  # fit 0: floor
    "activity": 0.26,
    "rating": 0.77,
}
PROXIMITY_KM = 150.0  # proximity = exp(-distance / PROXIMITY_KM)
PPR_ALPHA = 0.25  # restart probability of the walk
PPR_EPS = 1e-5  # forward-push threshold per unit of degree
# A push that settles less of the walk's mass than this goes on at a threshold ten times
# lower, at most PPR_REFINEMENTS times: a large graph spreads the mass thin (scale 100: 42 %
# at 1e-5, 62 % at 1e-6 in 10-20 ms; a second refinement would cost ~170 ms). On the Guangxi
# demo 4 pushes of 11,500 (from experts) are refined.
PPR_SETTLE = 0.7
PPR_REFINEMENTS = 1
TEXT_CANDIDATES = 300  # most similar achievements whose owners are considered
PPR_CANDIDATES = 200  # experts with the highest PageRank that become candidates
# Experts that one keyword, industry, enterprise... of the source makes candidates: its
# strongest (then most active and best rated). Bounds a query's cost as the graph grows;
# no entry of the Guangxi demo has more.
CANDIDATES_PER_ENTRY = 500
MAX_PATHS = 5  # paths returned per item
TOP_FOR_COLLABORATORS = 20  # strong candidates whose collaborators become candidates
MIN_REASON_SHARE = 0.01  # evidence below this share of the score gives no reason
MAX_REASONS = 10
DEFAULT_MAX_PER_INSTITUTION = 3


class RecommendError(ValueError):
    """A recommendation cannot be made as asked; the message says why."""


class UnknownSourceError(RecommendError):
    """The demand, enterprise or expert to recommend for does not exist."""


class InvalidFilterError(RecommendError):
    """A filter names something that does not exist or is out of range."""


@dataclass(frozen=True)
class Path:
    """A path in the graph from the source to the recommended node.

    `rels[i]` links `nodes[i]` and `nodes[i + 1]`: `(type, forward)` where forward means
    the relationship points from `nodes[i]` to `nodes[i + 1]`. `share` is the part of the
    item's score this path carries."""

    nodes: tuple[str, ...]
    rels: tuple[tuple[str, bool], ...]
    share: float


@dataclass(frozen=True)
class Recommendation:
    """One recommended node: its label and key, score, reasons (Chinese) and paths."""

    label: str
    key: str
    score: float
    reasons: tuple[str, ...]
    paths: tuple[Path, ...]
    contributions: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RecommendFilter:
    """Constraints on recommended experts.

    Attributes
    ----------
    include_at_capacity
        Also recommend experts whose ongoing services (distinct enterprises with a SERVED
        record without end_on or ending today or later) reach their capacity.
    city, county, radius_km
        Experts based in the city (a county: its city), or within `radius_km` of its seat.
    subgroup
        Members of this subgroup (key).
    institution_kind
        Affiliated with an institution of this kind.
    exclude_serving
        Leave out experts serving the enterprise right now.
    exclude_institutions
        Leave out experts affiliated with these institutions (conflicts of interest).
    max_per_institution
        Diversity: at most this many experts of one institution (None: no limit).
    commissioners_only
        Only dispatched S&T commissioners.
    """

    include_at_capacity: bool = False
    city: str | None = None
    county: str | None = None
    radius_km: float | None = None
    subgroup: str | None = None
    institution_kind: str | None = None
    exclude_serving: bool = True
    exclude_institutions: tuple[str, ...] = ()
    max_per_institution: int | None = DEFAULT_MAX_PER_INSTITUTION
    commissioners_only: bool = False


# -- the model: channel matrices over the graph index -------------------------------------


@dataclass(frozen=True, eq=False)
class _Channel:
    """Bilinear evidence: value(d, e) = squash(D[d] E . X[e]) over a shared middle space, where
    E (`expand`, middle x middle) is the identity unless given. E is applied to one query's
    vector, never stored multiplied out: D E would be dense (every co-occurring keyword)."""

    name: str
    demand: sp.csr_matrix  # demands x middle (before `expand`)
    expert: sp.csr_matrix  # experts x middle
    expert_t: sp.csr_matrix  # middle x experts
    demand_t: sp.csr_matrix  # middle x demands
    squash: str  # "cap1", "log1p" or "linear"
    generates: bool  # reaching an expert through it makes the expert a candidate
    generator: sp.csr_matrix  # expert_t, each row cut to its CANDIDATES_PER_ENTRY strongest
    demand_generator: sp.csr_matrix  # demand_t, open demands only, rows cut the same way
    expand: sp.csr_matrix | None = None
    expand_t: sp.csr_matrix | None = None  # its transpose (for the expert side)


@dataclass(frozen=True, eq=False)
class _Achievements:
    """What `recommend_achievements` reads, built once per model."""

    mentions: sp.csr_matrix  # achievements x keywords, 1 per keyword
    applies: sp.csr_matrix  # achievements x industries
    by_keyword: sp.csr_matrix  # keywords x achievements, rows cut to CANDIDATES_PER_ENTRY
    by_industry: sp.csr_matrix  # industries x achievements, rows cut the same way
    maturity: FloatArray  # its technology readiness level (1-9; 1 when not given)


@dataclass(frozen=True, eq=False)
class Model:
    """The graph index plus the recommender's derived matrices, for one graph version."""

    index: GraphIndex
    channels: Mapping[str, _Channel]
    expert_stack: sp.csr_matrix  # experts x (every channel's middle space, side by side)
    demand_stack: sp.csr_matrix  # demands x the same
    offsets: Mapping[str, int]  # channel -> its first column in the stacks
    weights: Mapping[str, float]
    demand_xy: FloatArray  # demand -> its enterprise's county seat
    enterprise_xy: FloatArray
    expert_xy: FloatArray  # expert -> its city's seat
    activity: FloatArray  # log1p(service records)
    rating_prior: FloatArray  # shrunk mean rating in [0, 1]
    collab: sp.csr_matrix  # experts x experts, symmetric, 1 per tie
    descendants: sp.csr_matrix  # industries x industries: self and every sub-industry
    divisions: sp.csr_matrix  # industries x industries: the 2-digit division above
    expert_achievements: sp.csr_matrix  # experts x achievements (OWNS)
    achievement_experts: sp.csr_matrix  # achievements x experts
    subgroup_members: sp.csr_matrix  # subgroups x experts
    keyword_weight: FloatArray  # idf per keyword, scaled to at most 1
    cooccurrence: sp.csr_matrix  # keywords x keywords: P(k2 | k1) among holders
    serving: sp.csr_matrix  # enterprises x experts with an ongoing service
    open_demands: npt.NDArray[np.bool_]  # per demand: status open
    served_by: sp.csr_matrix  # enterprises x experts: number of SERVED records
    achievements: _Achievements

    @property
    def version(self) -> int:
        """The graph version the model belongs to."""
        return self.index.version


def _csr(m: Any) -> sp.csr_matrix:
    out = sp.csr_matrix(m, dtype=np.float64)
    out.sum_duplicates()
    out.sort_indices()
    return out


def _rownorm(m: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit length (empty rows stay empty)."""
    m = _csr(m)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return _csr(sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ m)


def _binary(m: sp.csr_matrix) -> sp.csr_matrix:
    out = m.copy()
    out.data = np.ones_like(out.data)
    return out


def build_model(
    view: nx.MultiDiGraph | GraphIndex,
    *,
    version: int = 0,
    today: str | None = None,
    weights: Mapping[str, float] | None = None,
    tokenize: Callable[[str], Iterable[str]] | None = None,
) -> Model:
    """Build the recommender for one version of the graph (or from a built index).

    Parameters
    ----------
    view : networkx.MultiDiGraph or GraphIndex
        The store's read-only view, or an index built from it.
    version : int
        The store version (ignored when an index is given).
    today : str, optional
        ISO date deciding which services are ongoing (default: today).
    weights : mapping, optional
        Feature weights (default `DEFAULT_WEIGHTS`; missing features weigh 0).
    tokenize : callable, optional
        Terms of texts for the text channel (default: CJK bigrams and latin words).
    """
    index = (
        view
        if isinstance(view, GraphIndex)
        else build_index(view, version=version, today=today, tokenize=tokenize)
    )
    t = index.table
    n_ind = len(t("Industry"))
    n_exp = len(t("Expert"))
    n_dem = len(t("Demand"))

    # industry hierarchy: descendants (self included) and divisions
    rows: list[int] = []
    cols: list[int] = []
    for j in range(n_ind):
        cur, steps = j, 0
        while cur >= 0 and steps < 8:
            rows.append(cur)
            cols.append(j)
            cur, steps = int(index.industry_parent[cur]), steps + 1
    desc = _binary(_csr(sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_ind, n_ind))))
    has_div = index.industry_division >= 0
    div_rows = np.flatnonzero(has_div)
    divisions = _csr(
        sp.coo_matrix(
            (np.ones(len(div_rows)), (div_rows, index.industry_division[has_div])),
            shape=(n_ind, n_ind),
        )
    )

    kw_idf = index.keyword_idf
    kw_weight = kw_idf / max(float(kw_idf.max()) if len(kw_idf) else 1.0, 1e-9)
    mentions_d = index.rel("MENTIONS", "Demand", "Keyword").fwd
    mentions_a = index.rel("MENTIONS", "Achievement", "Keyword").fwd
    mentions_d = _csr(mentions_d.minimum(1.0))
    mentions_a = _csr(mentions_a.minimum(1.0))
    d_kw = _csr(mentions_d @ sp.diags(kw_weight))
    x_kw = _binary(index.rel("HAS_SKILL", "Expert", "Keyword").fwd)
    x_ind = _binary(index.rel("EXPERT_IN", "Expert", "Industry").fwd)
    d_ind = _binary(index.rel("CONCERNS", "Demand", "Industry").fwd)
    owns = _binary(index.rel("OWNS", "Expert", "Achievement").fwd)
    x_ach_kw = _csr(owns @ mentions_a)
    x_sim_kw = _csr(index.service.addressed @ mentions_d)
    x_served = index.service.strength
    d_ent = _csr(
        sp.coo_matrix(
            (
                np.ones(int((index.demand_enterprise >= 0).sum())),
                (
                    np.flatnonzero(index.demand_enterprise >= 0),
                    index.demand_enterprise[index.demand_enterprise >= 0],
                ),
            ),
            shape=(n_dem, len(t("Enterprise"))),
        )
    )
    member = _binary(index.rel("MEMBER_OF", "Expert", "Subgroup").fwd)
    covers = _binary(index.rel("COVERS", "Subgroup", "Industry").fwd)
    x_sub_ind = _binary(_csr(member @ covers))
    # keyword co-occurrence among holders (experts, achievements, demands): P(k2 | k1)
    holders = sp.vstack([x_kw, _binary(mentions_a), _binary(mentions_d)]).tocsr()
    co = _csr(holders.T @ holders)
    co.setdiag(0)
    co.eliminate_zeros()
    rowsum = np.asarray(co.sum(axis=1)).ravel()
    cond = _csr(sp.diags(1.0 / np.maximum(rowsum, 1.0)) @ co)
    # what an expert works on: skills, own achievements, solved demands, served enterprises
    posted_kw = _csr(index.rel("POSTED", "Enterprise", "Demand").fwd @ _binary(mentions_d))
    profile = (
        _rownorm(x_kw)
        + 0.5 * _rownorm(x_ach_kw)
        + 0.5 * _rownorm(x_sim_kw)
        + 0.3 * _rownorm(_csr(_binary(index.service.served) @ posted_kw))
    )
    profile = _csr(_rownorm(_csr(profile)) @ sp.diags(kw_weight))
    # keyword -> industry association, and each expert's share of skills per industry
    a_ind = _binary(index.rel("APPLIES_TO", "Achievement", "Industry").fwd)
    kw_ind = _csr(_binary(mentions_d).T @ d_ind + _binary(mentions_a).T @ a_ind)
    kw_ind = _csr(sp.diags(1.0 / np.maximum(np.asarray(kw_ind.sum(axis=1)).ravel(), 1.0)) @ kw_ind)
    x_prof = _csr(x_kw @ kw_ind)
    x_prof = _csr(sp.diags(1.0 / np.maximum(np.asarray(x_prof.sum(axis=1)).ravel(), 1e-9)) @ x_prof)

    svc = index.service
    rated_n = np.asarray(svc.rating_n.sum(axis=1)).ravel()
    rating_sum = np.asarray(svc.rating_sum.sum(axis=1)).ravel()
    prior = np.clip(((rating_sum + 3.0 * 2.0) / (rated_n + 2.0) - 1.0) / 4.0, 0.0, 1.0)
    activity = np.log1p(svc.records.astype(np.float64))
    w = weights if weights is not None else DEFAULT_WEIGHTS
    standing = w.get("activity", 0.0) * activity + w.get("rating", 0.0) * prior
    open_demands = np.asarray([s == "open" for s in index.demand_status], dtype=np.bool_)
    only_open = sp.diags(open_demands.astype(np.float64))
    no_standing = np.zeros(n_dem)

    def channel(
        name: str,
        d: sp.csr_matrix,
        x: sp.csr_matrix,
        squash: str,
        generates: bool,
        expand: sp.csr_matrix | None = None,
    ) -> _Channel:
        d, x = _csr(d), _csr(x)
        x_t, d_t = _csr(x.T), _csr(d.T)
        expand_t = None if expand is None else _csr(expand.T)
        x_gen, d_gen = x_t, d_t
        if generates:
            open_t = _csr(d_t @ only_open)
            open_t.eliminate_zeros()
            x_gen = _strongest(x_t, standing, CANDIDATES_PER_ENTRY)
            d_gen = _strongest(open_t, no_standing, CANDIDATES_PER_ENTRY)
        return _Channel(name, d, x, x_t, d_t, squash, generates, x_gen, d_gen, expand, expand_t)

    channels = {
        c.name: c
        for c in (
            channel("skill", d_kw, x_kw, "linear", True),
            channel("industry", d_ind @ desc, x_ind, "cap1", True),
            channel("division", d_ind @ divisions, x_ind @ divisions, "cap1", False),
            channel("achievement", d_kw, x_ach_kw, "log1p", True),
            channel("similar", d_kw, x_sim_kw, "log1p", True),
            channel("served", d_ent, x_served, "linear", True),
            channel("subgroup", d_ind, x_sub_ind, "cap1", False),
            channel(
                "related",
                d_kw,
                sp.diags(1.0 / np.maximum(np.asarray(x_kw.sum(axis=1)).ravel(), 1.0)) @ x_kw,
                "linear",
                False,
                expand=_csr(cond + sp.identity(cond.shape[0], format="csr")),
            ),
            channel("focus", d_ind @ desc, x_prof, "cap1", False),
            channel("profile", _rownorm(d_kw), _rownorm(profile), "linear", False),
        )
    }

    def seat(county: int) -> tuple[float, float]:
        return index.xy_of_county(county) if county >= 0 else (math.nan, math.nan)

    ent_xy = np.asarray([seat(int(c)) for c in index.enterprise_county], dtype=np.float64).reshape(
        -1, 2
    )
    dem_xy = np.full((n_dem, 2), np.nan)
    has = index.demand_enterprise >= 0
    dem_xy[has] = ent_xy[index.demand_enterprise[has]]
    exp_xy = np.full((n_exp, 2), np.nan)
    has = index.expert_city >= 0
    exp_xy[has] = index.city_xy[index.expert_city[has]]

    collab_m = index.rel("COLLABORATES_WITH", "Expert", "Expert").fwd
    collab = _binary(_csr(collab_m + collab_m.T))
    collab.setdiag(0)
    collab.eliminate_zeros()
    offsets: dict[str, int] = {}
    at = 0
    for name, c in channels.items():
        offsets[name] = at
        at += c.expert.shape[1]
    return Model(
        index=index,
        channels=channels,
        expert_stack=_csr(sp.hstack([c.expert for c in channels.values()], format="csr")),
        demand_stack=_csr(sp.hstack([c.demand for c in channels.values()], format="csr")),
        offsets=offsets,
        weights=dict(weights if weights is not None else DEFAULT_WEIGHTS),
        demand_xy=dem_xy,
        enterprise_xy=ent_xy,
        expert_xy=exp_xy,
        activity=activity,
        rating_prior=prior,
        collab=_csr(collab),
        descendants=desc,
        divisions=divisions,
        expert_achievements=owns,
        achievement_experts=_csr(owns.T),
        subgroup_members=_csr(member.T),
        keyword_weight=kw_weight,
        cooccurrence=cond,
        serving=_csr(index.service.ongoing.T),
        open_demands=open_demands,
        served_by=_csr(index.service.served.T),
        achievements=_achievements(index, mentions_a, a_ind),
    )


def _achievements(
    index: GraphIndex, mentions: sp.csr_matrix, applies: sp.csr_matrix
) -> _Achievements:
    table = index.table("Achievement")
    maturity = np.asarray(
        [float(index.props("Achievement", a).get("maturity") or 1) for a in range(len(table))],
        dtype=np.float64,
    )
    return _Achievements(
        mentions=mentions,
        applies=applies,
        by_keyword=_strongest(_csr(mentions.T), maturity, CANDIDATES_PER_ENTRY),
        by_industry=_strongest(_csr(applies.T), maturity, CANDIDATES_PER_ENTRY),
        maturity=maturity,
    )


# -- sources -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Source:
    """What a query starts from, as vectors over each channel's middle space."""

    label: str  # Demand | Enterprise
    local: int
    gid: int
    node: str
    enterprise: int  # local enterprise or -1
    demands: tuple[int, ...]  # the demands whose keywords it carries
    vectors: Mapping[str, FloatArray]  # channel -> dense middle vector
    xy: tuple[float, float]
    text: tuple[IntArray, FloatArray]
    memo: dict[str, Any] = field(default_factory=dict)  # per-query results of explanations


def _squash(values: FloatArray, how: str) -> FloatArray:
    if how == "cap1":
        return np.minimum(values, 1.0)
    if how == "log1p":
        return np.log1p(values)
    return values


def _dense_row(m: sp.csr_matrix, i: int) -> FloatArray:
    out = np.zeros(m.shape[1])
    lo, hi = m.indptr[i], m.indptr[i + 1]
    out[m.indices[lo:hi]] = m.data[lo:hi]
    return out


def demand_vector(channel: _Channel, d: int) -> FloatArray:
    """Demand `d`'s vector in the channel's middle space (expanded)."""
    v = _dense_row(channel.demand, d)
    return v if channel.expand is None else _times_rows(v, channel.expand)


def demand_rows(channel: _Channel, demands: IntArray) -> sp.csr_matrix:
    """The vectors of these demands (rows), expanded."""
    rows = channel.demand[demands]
    return rows if channel.expand is None else _csr(rows @ channel.expand)


def _expanded(channel: _Channel, expert_vector: FloatArray) -> FloatArray:
    if channel.expand_t is None:
        return expert_vector
    return _times_rows(expert_vector, channel.expand_t)


def _times_rows(v: FloatArray, m: sp.csr_matrix) -> FloatArray:
    """v @ m for a sparse-in-practice dense vector: only the rows where v is not 0."""
    out = np.zeros(m.shape[1])
    for i in np.flatnonzero(v).tolist():
        lo, hi = m.indptr[i], m.indptr[i + 1]
        out[m.indices[lo:hi]] += v[i] * m.data[lo:hi]
    return out


def _demand_source(model: Model, key: str) -> _Source:
    index = model.index
    d = index.table("Demand").pos.get(key)
    if d is None:
        raise UnknownSourceError(f"no demand with key {key!r}")
    ent = int(index.demand_enterprise[d])
    vectors = {name: demand_vector(c, d) for name, c in model.channels.items()}
    return _Source(
        "Demand",
        d,
        int(index.table("Demand").gid[d]),
        f"Demand:{key}",
        ent,
        (d,),
        vectors,
        (float(model.demand_xy[d, 0]), float(model.demand_xy[d, 1])),
        index.text.row("Demand", d),
    )


def _enterprise_source(model: Model, key: str) -> _Source:
    index = model.index
    n = index.table("Enterprise").pos.get(key)
    if n is None:
        raise UnknownSourceError(f"no enterprise with key {key!r}")
    posted = index.rel("POSTED", "Enterprise", "Demand").fwd
    demands = tuple(int(d) for d in posted.indices[posted.indptr[n] : posted.indptr[n + 1]])
    vectors: dict[str, FloatArray] = {}
    industries = _dense_row(_binary(index.rel("IN_INDUSTRY", "Enterprise", "Industry").fwd), n)
    for name, c in model.channels.items():
        if name == "served":
            v = np.zeros(c.demand.shape[1])
            v[n] = 1.0
        elif name in ("industry", "focus"):
            v = np.minimum(model.descendants.T @ industries, 1.0)
        elif name == "division":
            v = np.minimum(model.divisions.T @ industries, 1.0)
        elif name == "subgroup":
            v = industries.copy()
        else:  # keyword channels: the strongest mention among its demands
            v = np.zeros(c.demand.shape[1])
            for d in demands:
                v = np.maximum(v, demand_vector(c, d))
        vectors[name] = v
    # text: its name, plus the texts of its demands
    idx, val = index.text.row("Enterprise", n)
    parts = [(idx, val)] + [index.text.row("Demand", d) for d in demands]
    acc: dict[int, float] = {}
    for pi, pv in parts:
        for i, v in zip(pi.tolist(), pv.tolist(), strict=True):
            acc[i] = acc.get(i, 0.0) + v
    ti = np.asarray(sorted(acc), dtype=np.int64)
    tv = np.asarray([acc[i] for i in ti.tolist()], dtype=np.float64)
    norm = float(np.sqrt(tv @ tv)) if len(tv) else 0.0
    return _Source(
        "Enterprise",
        n,
        int(index.table("Enterprise").gid[n]),
        f"Enterprise:{key}",
        n,
        demands,
        vectors,
        (float(model.enterprise_xy[n, 0]), float(model.enterprise_xy[n, 1])),
        (ti, tv / norm if norm > 0 else tv),
    )


# -- features ------------------------------------------------------------------------------


def _strongest(postings: sp.csr_matrix, standing: FloatArray, kept: int) -> sp.csr_matrix:
    """Each row's `kept` entries with the highest value, ties by the column's `standing`.

    >>> m = sp.csr_matrix(np.array([[1.0, 1.0, 1.0], [0.0, 2.0, 0.5]]))
    >>> _strongest(m, np.array([0.3, 0.1, 0.9]), 2).toarray().tolist()
    [[1.0, 0.0, 1.0], [0.0, 2.0, 0.5]]
    """
    lens = np.diff(postings.indptr)
    long = np.flatnonzero(lens > kept)
    if len(long) == 0:
        return postings
    out = postings.copy()
    for row in long.tolist():
        lo, hi = out.indptr[row], out.indptr[row + 1]
        order = np.lexsort((-standing[out.indices[lo:hi]], -out.data[lo:hi]))
        out.data[lo + order[kept:]] = 0.0
    out.eliminate_zeros()
    return out


def _gather(m: sp.csr_matrix, rows: IntArray, weights: FloatArray | None = None) -> IntArray:
    """The distinct columns of the given rows (weights > 0 only)."""
    if weights is not None:
        rows = rows[weights[rows] > 0] if len(weights) == m.shape[0] else rows
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = m.indptr[rows]
    lens = m.indptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    gather = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
    return np.unique(m.indices[gather]).astype(np.int64)


def _text_owner_scores(
    model: Model, q: tuple[IntArray, FloatArray]
) -> tuple[IntArray, FloatArray, IntArray]:
    """Per expert owning a similar achievement: (experts, best similarity, its achievement)."""
    achs, sims = model.index.text.scores("Achievement", q)
    if len(achs) > TEXT_CANDIDATES:
        top = np.argpartition(-sims, TEXT_CANDIDATES)[:TEXT_CANDIDATES]
        top.sort()
        achs, sims = achs[top], sims[top]
    if len(achs) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty
    m = model.achievement_experts
    starts = m.indptr[achs]
    lens = m.indptr[achs + 1] - starts
    total = int(lens.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty
    gather = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
    experts = m.indices[gather].astype(np.int64)
    s = np.repeat(sims, lens)
    a = np.repeat(achs, lens)
    order = np.lexsort((-s, experts))
    experts, s, a = experts[order], s[order], a[order]
    first = np.ones(len(experts), dtype=np.bool_)
    first[1:] = experts[1:] != experts[:-1]
    return experts[first], s[first], a[first]


def _ppr(model: Model, seed: int) -> tuple[IntArray, FloatArray]:
    return walk_ppr(model.index.walk, {seed: 1.0})


def walk_ppr(walk: Walk, seeds: Mapping[int, float]) -> tuple[IntArray, FloatArray]:
    """The recommenders' personalized PageRank from `seeds` over `walk`: a forward push
    (compiled when numba imports) at `PPR_EPS`, refined where it settles too little mass.

    Returns the nodes with a positive estimate, sorted, and their estimates.

    >>> model = build_model(_demo_graph())
    >>> seed = model.index.gid("Demand", "D1")
    >>> nodes, values = walk_ppr(model.index.walk, {seed: 1.0})
    >>> bool(0.75 < values.sum() <= 1.0)
    True
    """
    from graphsvc.algorithms import ppr_numba

    push = ppr_numba.forward_push if ppr_numba.AVAILABLE else forward_push
    return push(
        walk.indptr,
        walk.indices,
        walk.data,
        seeds,
        alpha=PPR_ALPHA,
        eps=PPR_EPS,
        settle=PPR_SETTLE,
        refinements=PPR_REFINEMENTS,
    )


def _label_values(
    model: Model, nodes: IntArray, values: FloatArray, label: str
) -> tuple[IntArray, FloatArray]:
    """The PageRank estimates of one label's nodes, as local positions (sorted)."""
    index = model.index
    if label not in index.labels:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    code = index.label_code[nodes] == index.labels.index(label)
    local, vals = index.local_of[nodes[code]], values[code]
    order = np.argsort(local)
    return local[order], vals[order]


def _lookup(keys: IntArray, values: FloatArray, wanted: IntArray) -> FloatArray:
    """values[keys == w] for each w in wanted (0 where absent); `keys` sorted."""
    out = np.zeros(len(wanted))
    if len(keys) == 0:
        return out
    at = np.searchsorted(keys, wanted)
    at = np.minimum(at, len(keys) - 1)
    hit = keys[at] == wanted
    out[hit] = values[at[hit]]
    return out


def _channel_values(
    model: Model, stack: sp.csr_matrix, vectors: Mapping[str, FloatArray], rows: IntArray
) -> dict[str, FloatArray]:
    """Every channel's value for the given rows of a stack, in one sparse product."""
    names = list(model.channels)
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    which: list[IntArray] = []
    for j, name in enumerate(names):
        vec = vectors[name]
        nz = np.flatnonzero(vec)
        cols.append(nz + model.offsets[name])
        vals.append(vec[nz])
        which.append(np.full(len(nz), j, dtype=np.int64))
    v = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(cols), np.concatenate(which))),
        shape=(stack.shape[1], len(names)),
    )
    if len(rows):
        dense = np.asarray((stack[rows] @ v).todense(), dtype=np.float64)
    else:
        dense = np.zeros((0, len(names)))
    return {name: _squash(dense[:, j], model.channels[name].squash) for j, name in enumerate(names)}


def expert_features(
    model: Model,
    source: _Source,
    experts: IntArray,
    ppr: tuple[IntArray, FloatArray],
    text: tuple[IntArray, FloatArray, IntArray] | None = None,
) -> dict[str, FloatArray]:
    """The evidence of each candidate expert for the source (collaborator excluded)."""
    out = _channel_values(model, model.expert_stack, source.vectors, experts)
    ind = out["industry"] > 0
    out["division"] = np.where(ind, 0.0, out["division"])
    t_exp, t_sim, _ = text if text is not None else _text_owner_scores(model, source.text)
    out["text"] = _lookup(t_exp, t_sim, experts)
    xy = model.expert_xy[experts]
    sx, sy = source.xy
    if math.isnan(sx):
        out["proximity"] = np.zeros(len(experts))
    else:
        lat = np.radians((xy[:, 1] + sy) / 2)
        dx = np.radians(xy[:, 0] - sx) * np.cos(lat)
        dy = np.radians(xy[:, 1] - sy)
        km = 6371.0 * np.hypot(dx, dy)
        out["proximity"] = np.where(np.isnan(km), 0.0, np.exp(-km / PROXIMITY_KM))
    p_exp, p_val = ppr
    pv = _lookup(p_exp, p_val, experts)
    top = float(p_val.max()) if len(p_val) else 0.0
    out["ppr"] = pv / top if top > 0 else pv
    out["activity"] = model.activity[experts]
    out["rating"] = model.rating_prior[experts]
    out["collaborator"] = np.zeros(len(experts))
    return out


def _score(model: Model, feats: Mapping[str, FloatArray]) -> FloatArray:
    total: FloatArray | None = None
    for name, values in feats.items():
        w = model.weights.get(name, 0.0)
        if w:
            total = w * values if total is None else total + w * values
    if total is None:
        return np.zeros(len(next(iter(feats.values()))) if feats else 0)
    return total


def _expert_candidates(
    model: Model,
    source: _Source,
    ppr: tuple[IntArray, FloatArray],
    text: tuple[IntArray, FloatArray, IntArray],
) -> IntArray:
    parts = []
    for name, c in model.channels.items():
        if not c.generates:
            continue
        vec = source.vectors[name]
        mids = np.flatnonzero(vec > 0)
        parts.append(_gather(c.generator, mids.astype(np.int64)))
    parts.append(text[0])
    if len(ppr[0]) > PPR_CANDIDATES:
        parts.append(ppr[0][np.argpartition(-ppr[1], PPR_CANDIDATES)[:PPR_CANDIDATES]])
    else:
        parts.append(ppr[0])
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(parts)).astype(np.int64)


# -- filters -------------------------------------------------------------------------------


def _expert_mask(
    model: Model, experts: IntArray, flt: RecommendFilter, enterprise: int
) -> npt.NDArray[np.bool_]:
    index = model.index
    keep = np.ones(len(experts), dtype=np.bool_)
    svc = index.service
    if not flt.include_at_capacity:
        keep &= svc.ongoing_enterprises[experts] < index.expert_capacity[experts]
    if flt.exclude_serving and enterprise >= 0:
        serving, _ = _row(model.serving, enterprise)
        keep &= ~np.isin(experts, serving)
    if flt.commissioners_only:
        keep &= index.expert_commissioner[experts]
    if flt.exclude_institutions:
        insts = index.table("Institution")
        bad = []
        for k in flt.exclude_institutions:
            if k not in insts.pos:
                raise InvalidFilterError(f"no institution with key {k!r}")
            bad.append(insts.pos[k])
        keep &= ~np.isin(index.expert_institution[experts], np.asarray(bad, dtype=np.int64))
    if flt.institution_kind is not None:
        kinds = np.asarray([*index.institution_kind, ""], dtype=object)
        inst = index.expert_institution[experts]
        keep &= kinds[np.where(inst >= 0, inst, len(kinds) - 1)] == flt.institution_kind
    if flt.subgroup is not None:
        s = index.table("Subgroup").pos.get(flt.subgroup)
        if s is None:
            raise InvalidFilterError(f"no subgroup with key {flt.subgroup!r}")
        members = model.subgroup_members
        ids = members.indices[members.indptr[s] : members.indptr[s + 1]].astype(np.int64)
        keep &= np.isin(experts, ids)
    if flt.city is not None or flt.county is not None:
        keep &= _place_mask(model, experts, flt)
    elif flt.radius_km is not None:
        raise InvalidFilterError("radiusKm needs a city or a county as its centre")
    return keep


def _place_mask(model: Model, experts: IntArray, flt: RecommendFilter) -> npt.NDArray[np.bool_]:
    index = model.index
    if flt.county is not None:
        c = index.table("County").pos.get(flt.county)
        if c is None:
            raise InvalidFilterError(f"no county with code {flt.county!r}")
        city = int(index.county_city[c])
        centre = index.xy_of_county(c)
    else:
        assert flt.city is not None
        found = index.table("City").pos.get(flt.city)
        if found is None:
            raise InvalidFilterError(f"no city with code {flt.city!r}")
        city = found
        centre = (float(index.city_xy[city, 0]), float(index.city_xy[city, 1]))
    if flt.radius_km is None:
        return np.asarray(index.expert_city[experts] == city, dtype=np.bool_)
    if flt.radius_km < 0:
        raise InvalidFilterError("radiusKm must not be negative")
    if math.isnan(centre[0]):
        raise InvalidFilterError("the chosen place has no coordinates for a radius")
    xy = model.expert_xy[experts]
    km = np.asarray(
        [distance_km(centre[0], centre[1], float(x), float(y)) for x, y in xy], dtype=np.float64
    )
    return np.asarray(np.nan_to_num(km, nan=np.inf) <= flt.radius_km, dtype=np.bool_)


def _pick(
    candidates: IntArray,
    scores: FloatArray,
    first: int,
    group: IntArray | None = None,
    max_per_group: int | None = None,
) -> list[int]:
    """Positions of the best `first` candidates, ties by candidate number; at most
    `max_per_group` per non-negative group."""
    order = np.lexsort((candidates, -scores))
    chosen: list[int] = []
    used: dict[int, int] = {}
    for i in order.tolist():
        if len(chosen) >= first:
            break
        if group is not None and max_per_group is not None:
            g = int(group[i])
            if g >= 0:
                if used.get(g, 0) >= max_per_group:
                    continue
                used[g] = used.get(g, 0) + 1
        chosen.append(i)
    return chosen


# -- explanations --------------------------------------------------------------------------


@dataclass
class _Evidence:
    """One piece of evidence for an item: its feature, weight within the feature, path and
    reason."""

    feature: str
    part: float
    nodes: tuple[str, ...]
    rels: tuple[tuple[str, bool], ...]
    reason: str


def node_name(index: GraphIndex, nid: str) -> str:
    """A node's name (its title for demands, achievements and trainings; else its key).

    >>> node_name(build_index(_demo_graph()), "Demand:D1")
    '碳酸钙表面改性'
    """
    return _name(index, nid)


def _name(index: GraphIndex, nid: str) -> str:
    attrs = index.view._node.get(nid, {})
    label = nid.partition(":")[0]
    if label in ("Demand", "Achievement", "Training"):
        return str(attrs.get("title") or nid.partition(":")[2])
    return str(attrs.get("name") or nid.partition(":")[2])


def _row(m: sp.csr_matrix, i: int) -> tuple[IntArray, FloatArray]:
    lo, hi = m.indptr[i], m.indptr[i + 1]
    return m.indices[lo:hi].astype(np.int64), m.data[lo:hi].astype(np.float64)


def _nid(index: GraphIndex, label: str, local: int) -> str:
    return f"{label}:{index.table(label).keys[local]}"


def _industry_chain(index: GraphIndex, top: int, bottom: int) -> list[int] | None:
    """Industries from `top` down to `bottom` (bottom's ancestors), or None."""
    chain = [bottom]
    cur, steps = bottom, 0
    while chain[-1] != top and steps < 8:
        cur = int(index.industry_parent[cur])
        if cur < 0:
            return None
        chain.append(cur)
        steps += 1
    return list(reversed(chain)) if chain[-1] == top else None


def _source_prefix(
    index: GraphIndex, source: _Source, demand: int
) -> tuple[tuple[str, ...], tuple[tuple[str, bool], ...]]:
    """The path from the source to one of its demands (empty when the source is it)."""
    if source.label == "Demand":
        return (source.node,), ()
    return (source.node, _nid(index, "Demand", demand)), (("POSTED", True),)


def _shared_keyword_evidence(
    model: Model,
    source: _Source,
    src_kw: FloatArray,
    enode: str,
    feature: str,
    items: list[tuple[int, float]],
    item_keywords: sp.csr_matrix,
    link: tuple[str, str, str],
    cap: float | None = None,
) -> list[_Evidence]:
    """The two items (an expert's achievements, or demands they solved) sharing the most
    keyword weight with the source, each as a path source → keyword → item → expert.

    `items` are (local index, weight); `link` is the item's label, the relationship from the
    expert to it, and the reason's words; `cap` limits each MENTIONS weight.
    """
    index = model.index
    label, rel, words = link
    best: list[tuple[float, int, int]] = []
    for item, weight in items:
        kws, ws = _row(item_keywords, item)
        contrib = src_kw[kws] * (np.minimum(ws, cap) if cap is not None else ws)
        if len(contrib) and contrib.max() > 0:
            j = int(np.argmax(contrib))
            best.append((float(contrib.sum()) * weight, item, int(kws[j])))
    best.sort(key=lambda t: (-t[0], t[1]))
    total = sum(b[0] for b in best[:2]) or 1.0
    out = []
    for n, (v, item, k) in enumerate(best[:2]):
        pre, prel = _source_prefix(index, source, _keyword_via(model, source, k))
        node = _nid(index, label, item)
        out.append(
            _Evidence(
                feature,
                v / total,
                (*pre, _nid(index, "Keyword", k), node, enode),
                (*prel, ("MENTIONS", True), ("MENTIONS", False), (rel, False)),
                f"{words}《{_name(index, node)}》" if n == 0 else "",
            )
        )
    return out


def _keyword_via(model: Model, source: _Source, k: int) -> int:
    """Which of the source's demands mentions keyword k most."""
    if len(source.demands) == 1:
        return source.demands[0]
    m = model.channels["skill"].demand
    best, best_w = source.demands[0], -1.0
    for d in source.demands:
        idx, val = _row(m, d)
        at = np.searchsorted(idx, k)
        if at < len(idx) and idx[at] == k and val[at] > best_w:
            best, best_w = d, float(val[at])
    return best


def _industry_evidence(
    model: Model, source: _Source, e: int, src_industries: IntArray, via: str
) -> list[_Evidence]:
    index = model.index
    ev: list[_Evidence] = []
    e_ind, _ = _row(model.channels["industry"].expert, e)
    for i in e_ind.tolist():
        for top in src_industries.tolist():
            chain = _industry_chain(index, top, i)
            if chain is None:
                continue
            nodes = (
                source.node,
                *(_nid(index, "Industry", j) for j in chain),
                _nid(index, "Expert", e),
            )
            rels = (
                (via, True),
                *(("SUBCLASS_OF", False) for _ in chain[1:]),
                ("EXPERT_IN", False),
            )
            name = _name(index, _nid(index, "Industry", i))
            ev.append(_Evidence("industry", 1.0, nodes, rels, f"专业领域 {name}"))
            break
    if ev:
        for x in ev:
            x.part = 1.0 / len(ev)
    return ev


def _division_evidence(
    model: Model, source: _Source, e: int, src_industries: IntArray, via: str
) -> list[_Evidence]:
    index = model.index
    e_ind, _ = _row(model.channels["industry"].expert, e)
    for top in src_industries.tolist():
        div = int(index.industry_division[top])
        if div < 0:
            continue
        up = _industry_chain(index, div, top)
        for i in e_ind.tolist():
            if int(index.industry_division[i]) != div:
                continue
            down = _industry_chain(index, div, i)
            if up is None or down is None:
                continue
            chain = list(reversed(up)) + down[1:]
            nodes = (
                source.node,
                *(_nid(index, "Industry", j) for j in chain),
                _nid(index, "Expert", e),
            )
            rels = (
                (via, True),
                *(("SUBCLASS_OF", True) for _ in up[1:]),
                *(("SUBCLASS_OF", False) for _ in down[1:]),
                ("EXPERT_IN", False),
            )
            name = _name(index, _nid(index, "Industry", i))
            return [_Evidence("division", 1.0, nodes, rels, f"相近领域 {name}")]
    return []


def _expert_evidence(
    model: Model, source: _Source, e: int, feats: Mapping[str, float], collaborator: int
) -> list[_Evidence]:
    """Evidence with paths (and reasons) for one expert; parts within a feature sum to 1."""
    index = model.index
    ev: list[_Evidence] = []
    enode = _nid(index, "Expert", e)
    skill = model.channels["skill"]
    src_kw = source.vectors["skill"]
    if feats.get("skill", 0) > 0:
        kws, _ = _row(skill.expert, e)
        w = src_kw[kws]
        shared = kws[w > 0]
        ws = w[w > 0]
        order = np.argsort(-ws, kind="stable")[:3]
        items = []
        for j in order.tolist():
            k = int(shared[j])
            d = _keyword_via(model, source, k)
            pre, prel = _source_prefix(index, source, d)
            knode = _nid(index, "Keyword", k)
            items.append(
                _Evidence(
                    "skill",
                    float(ws[j]),
                    (*pre, knode, enode),
                    (*prel, ("MENTIONS", True), ("HAS_SKILL", False)),
                    "",
                )
            )
        total = sum(x.part for x in items) or 1.0
        terms = " ".join(x.nodes[-2].partition(":")[2] for x in items)
        for x in items:
            x.part /= total
        if items:
            items[0].reason = f"擅长 {terms}"
        ev.extend(items)
    if source.label == "Demand":
        src_ind, _ = _row(index.rel("CONCERNS", "Demand", "Industry").fwd, source.local)
        via = "CONCERNS"
    else:
        src_ind, _ = _row(index.rel("IN_INDUSTRY", "Enterprise", "Industry").fwd, source.local)
        via = "IN_INDUSTRY"
    if feats.get("industry", 0) > 0:
        ev.extend(_industry_evidence(model, source, e, src_ind, via))
    if feats.get("focus", 0) > 0:
        for x in _industry_evidence(model, source, e, src_ind, via):
            name = _name(index, x.nodes[-2])
            ev.append(_Evidence("focus", x.part, x.nodes, x.rels, f"主攻 {name}"))
    if feats.get("division", 0) > 0:
        ev.extend(_division_evidence(model, source, e, src_ind, via))
    total = sum(model.weights.get(k, 0.0) * v for k, v in feats.items()) or 1.0
    if feats.get("related", 0) * model.weights.get("related", 0.0) >= MIN_REASON_SHARE * total:
        found = _related_evidence(model, source, e)
        if found is not None:
            ev.append(found)
    if feats.get("achievement", 0) > 0:
        achs, _ = _row(model.expert_achievements, e)
        ev.extend(
            _shared_keyword_evidence(
                model,
                source,
                src_kw,
                enode,
                "achievement",
                [(a, 1.0) for a in achs.tolist()],
                index.rel("MENTIONS", "Achievement", "Keyword").fwd,
                ("Achievement", "OWNS", "拥有成果"),
                cap=1.0,
            )
        )
    if feats.get("similar", 0) > 0:
        dems, dw = _row(index.service.addressed, e)
        solved = [
            (d2, w2)
            for d2, w2 in zip(dems.tolist(), dw.tolist(), strict=True)
            if d2 not in source.demands
        ]
        ev.extend(
            _shared_keyword_evidence(
                model,
                source,
                src_kw,
                enode,
                "similar",
                solved,
                skill.demand,
                ("Demand", "ADDRESSED", "曾解决相似需求"),
            )
        )
    if feats.get("text", 0) > 0:
        found = _text_evidence(model, source, e, src_ind, via)
        if found is not None:
            ev.append(found)
    if feats.get("served", 0) > 0 and source.enterprise >= 0:
        n = source.enterprise
        nnode = _nid(index, "Enterprise", n)
        svc = index.service
        count = float(svc.served[e, n])
        rated = float(svc.rating_n[e, n])
        reason = f"曾服务 该企业 {int(count)} 次"
        if rated:
            reason += f" 评分 {float(svc.rating_sum[e, n]) / rated:.1f}"
        if source.label == "Demand":
            nodes: tuple[str, ...] = (source.node, nnode, enode)
            rels: tuple[tuple[str, bool], ...] = (("POSTED", False), ("SERVED", False))
        else:
            nodes, rels = (source.node, enode), (("SERVED", False),)
        ev.append(_Evidence("served", 1.0, nodes, rels, reason))
    if feats.get("proximity", 0) > 0:
        ev.extend(_proximity_evidence(model, source, e))
    if feats.get("subgroup", 0) > 0:
        covers = index.rel("COVERS", "Subgroup", "Industry").bwd
        member = index.rel("MEMBER_OF", "Expert", "Subgroup").fwd
        mine = set(_row(member, e)[0].tolist())
        for i in src_ind.tolist():
            groups = [s for s in _row(covers, i)[0].tolist() if s in mine]
            if groups:
                s = groups[0]
                snode = _nid(index, "Subgroup", s)
                ev.append(
                    _Evidence(
                        "subgroup",
                        1.0,
                        (source.node, _nid(index, "Industry", i), snode, enode),
                        ((via, True), ("COVERS", False), ("MEMBER_OF", False)),
                        f"所在{_name(index, snode)}分团 覆盖该行业",
                    )
                )
                break
    if feats.get("collaborator", 0) > 0 and collaborator >= 0:
        ev.append(_collaborator_evidence(model, source, e, collaborator))
    if feats.get("profile", 0) > 0:
        # the work profile (skills, achievements, solved demands) along its keyword paths
        basis = [x for x in ev if x.feature in ("skill", "achievement", "similar") and x.nodes]
        total = sum(x.part for x in basis) or 1.0
        for n, x in enumerate(basis):
            reason = "工作方向与需求吻合" if n == 0 else ""
            ev.append(_Evidence("profile", x.part / total, x.nodes, x.rels, reason))
    return ev


def _strongest_rows(model: Model, source: _Source) -> tuple[IntArray, FloatArray]:
    """The source's five strongest keywords and their co-occurrence rows (dense), once per
    source."""
    cached = source.memo.get("related")
    if cached is None:
        src_kw = source.vectors["skill"]
        strongest = np.flatnonzero(src_kw > 0)
        strongest = strongest[np.argsort(-src_kw[strongest], kind="stable")[:5]]
        rows = np.asarray(model.cooccurrence[strongest].todense(), dtype=np.float64)
        cached = source.memo["related"] = (strongest.astype(np.int64), rows)
    return cached


def _related_evidence(model: Model, source: _Source, e: int) -> _Evidence | None:
    """The expert's skill most often mentioned together with the source's keywords, along a
    path through a node that mentions both (an achievement, another expert or a demand)."""
    index = model.index
    src_kw = source.vectors["skill"]
    kws, _ = _row(model.channels["skill"].expert, e)
    best: tuple[float, int, int] | None = None
    strongest, rows = _strongest_rows(model, source)
    if len(kws) and len(strongest):
        block = rows[:, kws] * src_kw[strongest][:, None]
        block[np.equal.outer(strongest, kws)] = 0.0
        i, j = np.unravel_index(int(np.argmax(block)), block.shape)
        if block[i, j] > 0:
            best = (float(block[i, j]), int(strongest[i]), int(kws[j]))
    if best is None:
        return None
    _, k1, k2 = best
    holders = (
        ("Achievement", index.rel("MENTIONS", "Achievement", "Keyword").bwd, "MENTIONS"),
        ("Expert", index.rel("HAS_SKILL", "Expert", "Keyword").bwd, "HAS_SKILL"),
        ("Demand", index.rel("MENTIONS", "Demand", "Keyword").bwd, "MENTIONS"),
    )
    for label, m, rel in holders:
        both = np.intersect1d(_row(m, k1)[0], _row(m, k2)[0])
        both = both[~np.isin(both, [e] if label == "Expert" else list(source.demands))]
        if len(both) == 0:
            continue
        hnode = _nid(index, label, int(both[0]))
        d = _keyword_via(model, source, k1)
        pre, prel = _source_prefix(index, source, d)
        k1n, k2n = _nid(index, "Keyword", k1), _nid(index, "Keyword", k2)
        return _Evidence(
            "related",
            1.0,
            (*pre, k1n, hnode, k2n, _nid(index, "Expert", e)),
            (*prel, ("MENTIONS", True), (rel, False), (rel, True), ("HAS_SKILL", False)),
            f"相关技术 {k2n.partition(':')[2]}（常与 {k1n.partition(':')[2]} 同现）",
        )
    return None


def _proximity_evidence(model: Model, source: _Source, e: int) -> list[_Evidence]:
    index = model.index
    city = int(index.expert_city[e])
    if city < 0 or source.enterprise < 0:
        return []
    county = int(index.enterprise_county[source.enterprise])
    cnode = _nid(index, "City", city)
    if county >= 0 and int(index.county_city[county]) == city:
        nnode = _nid(index, "Enterprise", source.enterprise)
        head: tuple[str, ...] = (source.node, nnode) if source.label == "Demand" else (nnode,)
        hrel: tuple[tuple[str, bool], ...] = (
            (("POSTED", False),) if source.label == "Demand" else ()
        )
        return [
            _Evidence(
                "proximity",
                1.0,
                (*head, _nid(index, "County", county), cnode, _nid(index, "Expert", e)),
                (*hrel, ("LOCATED_IN", True), ("IN_CITY", True), ("BASED_IN", False)),
                f"同在 {_name(index, cnode)}",
            )
        ]
    x, y = model.expert_xy[e]
    sx, sy = source.xy
    if math.isnan(x) or math.isnan(sx):
        return []
    km = distance_km(sx, sy, float(x), float(y))
    return [_Evidence("proximity", 1.0, (), (), f"相距约 {km:.0f} 公里（{_name(index, cnode)}）")]


def _text_evidence(
    model: Model, source: _Source, e: int, src_ind: IntArray, via: str
) -> _Evidence | None:
    """The most similar achievement of the expert, along a real anchoring path."""
    index = model.index
    achs, _ = _row(model.expert_achievements, e)
    if len(achs) == 0:
        return None
    q_idx, q_val = source.text
    best_a, best_s = -1, 0.0
    for a in achs.tolist():
        idx, val = index.text.row("Achievement", a)
        common, qi, ai = np.intersect1d(q_idx, idx, assume_unique=True, return_indices=True)
        s = float(q_val[qi] @ val[ai]) if len(common) else 0.0
        if s > best_s:
            best_a, best_s = a, s
    if best_a < 0:
        return None
    anode = _nid(index, "Achievement", best_a)
    enode = _nid(index, "Expert", e)
    reason = f"成果《{_name(index, anode)}》与需求内容相近（相似度 {best_s:.2f}）"
    kws, _ = _row(index.rel("MENTIONS", "Achievement", "Keyword").fwd, best_a)
    src_kw = source.vectors["skill"]
    shared = kws[src_kw[kws] > 0]
    if len(shared):
        k = int(shared[np.argmax(src_kw[shared])])
        d = _keyword_via(model, source, k)
        pre, prel = _source_prefix(index, source, d)
        return _Evidence(
            "text",
            1.0,
            (*pre, _nid(index, "Keyword", k), anode, enode),
            (*prel, ("MENTIONS", True), ("MENTIONS", False), ("OWNS", False)),
            reason,
        )
    inds, _ = _row(index.rel("APPLIES_TO", "Achievement", "Industry").fwd, best_a)
    common = np.intersect1d(inds, src_ind)
    if len(common):
        i = int(common[0])
        return _Evidence(
            "text",
            1.0,
            (source.node, _nid(index, "Industry", i), anode, enode),
            ((via, True), ("APPLIES_TO", False), ("OWNS", False)),
            reason,
        )
    return _Evidence("text", 1.0, (), (), reason)


def _collaborator_evidence(model: Model, source: _Source, e: int, other: int) -> _Evidence:
    index = model.index
    onode = _nid(index, "Expert", other)
    enode = _nid(index, "Expert", e)
    forward = index.view.has_edge(enode, onode, "COLLABORATES_WITH")
    # the strongest short path to the collaborator: a shared keyword, else its industry
    base = _expert_evidence(model, source, other, {"skill": 1.0, "industry": 1.0}, -1)
    reason = f"与候选专家 {_name(index, onode)} 合作过"
    for b in base:
        if b.nodes:
            return _Evidence(
                "collaborator",
                1.0,
                (*b.nodes, enode),
                (*b.rels, ("COLLABORATES_WITH", not forward)),
                reason,
            )
    return _Evidence("collaborator", 1.0, (), (), reason)


def _walk_probability(
    model: Model, nodes: Sequence[str], memo: dict[str, int | None] | None = None
) -> float:
    """Probability that the restart walk follows this path (then stops)."""
    index = model.index
    memo = {} if memo is None else memo
    ids = []
    for n in nodes:
        if n not in memo:
            memo[n] = index.gid(*n.split(":", 1))
        ids.append(memo[n])
    prob = PPR_ALPHA
    for a, b in itertools.pairwise(ids):
        if a is None or b is None:
            return 0.0
        prob *= (1.0 - PPR_ALPHA) * index.walk.prob(a, b)
    return prob


_PRIOR_REASONS: Mapping[str, Callable[[Model, int], str]] = {
    "activity": lambda m, e: f"累计服务 {int(m.index.service.records[e])} 次",
    "rating": lambda m, e: (
        f"平均评分 {float(m.index.service.mean_rating[e]):.1f}"
        if not math.isnan(float(m.index.service.mean_rating[e]))
        else ""
    ),
}


def _explain(
    model: Model,
    contributions: Mapping[str, float],
    evidence: list[_Evidence],
    prior_reasons: Mapping[str, str],
) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    """Reasons (strongest evidence first) and paths with shares of the score."""
    score = sum(contributions.values())
    if score <= 0:
        return (), ()
    by_feature: dict[str, list[_Evidence]] = {}
    for x in evidence:
        by_feature.setdefault(x.feature, []).append(x)
    shares: dict[tuple[tuple[str, ...], tuple[tuple[str, bool], ...]], float] = {}
    for feature, items in by_feature.items():
        c = contributions.get(feature, 0.0)
        for x in items:
            if x.nodes:
                key = (x.nodes, x.rels)
                shares[key] = shares.get(key, 0.0) + c * x.part / score
    ppr_c = contributions.get("ppr", 0.0)
    if ppr_c > 0 and shares:
        memo: dict[str, int | None] = {}
        probs = {key: _walk_probability(model, key[0], memo) for key in shares}
        total = sum(probs.values())
        if total > 0:
            for key, p in probs.items():
                shares[key] += ppr_c * p / total / score
    paths = sorted(
        (Path(nodes, rels, round(s, 4)) for (nodes, rels), s in shares.items() if s >= 5e-5),
        key=lambda p: (-p.share, len(p.nodes), p.nodes),
    )[:MAX_PATHS]
    ranked = sorted(contributions.items(), key=lambda kv: (-kv[1], kv[0]))
    reasons: list[str] = []
    for feature, c in ranked:
        if c / score < MIN_REASON_SHARE:
            continue
        texts = [x.reason for x in by_feature.get(feature, []) if x.reason]
        texts += [prior_reasons[feature]] if prior_reasons.get(feature) else []
        for t in texts:
            if t not in reasons:
                reasons.append(t)
    return tuple(reasons[:MAX_REASONS]), tuple(paths)


# -- experts ---------------------------------------------------------------------------------


def _rank_experts(
    model: Model, source: _Source
) -> tuple[IntArray, FloatArray, dict[str, FloatArray], IntArray]:
    """Every candidate with its score and features, and its best collaborator (-1: none)."""
    ppr = _ppr(model, source.gid)
    exp_ppr = _label_values(model, *ppr, "Expert")
    text = _text_owner_scores(model, source.text)
    cands = _expert_candidates(model, source, exp_ppr, text)
    feats = expert_features(model, source, cands, exp_ppr, text)
    base = _score(model, feats)
    mate = np.full(len(cands), -1, dtype=np.int64)
    if model.weights.get("collaborator", 0.0) > 0 and len(cands):
        top = np.argsort(-base, kind="stable")[:TOP_FOR_COLLABORATORS]
        strong = cands[top]
        strength = base[top] / max(float(base[top].max()), 1e-9)
        extra = np.setdiff1d(_gather(model.collab, strong), cands)
        if len(extra):
            more = expert_features(model, source, extra, exp_ppr, text)
            cands = np.concatenate([cands, extra])
            feats = {k: np.concatenate([feats[k], more[k]]) for k in feats}
            order = np.argsort(cands, kind="stable")
            cands = cands[order]
            feats = {k: v[order] for k, v in feats.items()}
            mate = np.full(len(cands), -1, dtype=np.int64)
        # each candidate's strongest tie to a strong candidate (cands are sorted)
        ties = model.collab[strong].tocoo()
        tie_strength = strength[ties.row] * ties.data
        at = np.searchsorted(cands, ties.col)
        hit = (at < len(cands)) & (tie_strength > 0)
        hit[hit] = cands[at[hit]] == ties.col[hit]
        if hit.any():
            # per candidate: the strongest tie, then the stronger candidate
            order = np.lexsort((ties.row[hit], -tie_strength[hit], at[hit]))
            at, row, tie_strength = at[hit][order], ties.row[hit][order], tie_strength[hit][order]
            first = np.ones(len(at), dtype=np.bool_)
            first[1:] = at[1:] != at[:-1]
            best = np.zeros(len(cands))
            best[at[first]] = tie_strength[first]
            mate[at[first]] = strong[row[first]]
            feats["collaborator"] = np.minimum(best, 1.0)
        is_self = mate == cands
        feats["collaborator"] = np.where(is_self, 0.0, feats["collaborator"])
        mate = np.where(is_self, -1, mate)
    return cands, _score(model, feats), feats, mate


def _contributions(model: Model, feats: Mapping[str, FloatArray], i: int) -> dict[str, float]:
    out = {}
    for name in FEATURES:
        values = feats.get(name)
        w = model.weights.get(name, 0.0)
        if values is not None and w:
            c = float(w * values[i])
            if c > 0:
                out[name] = c
    return out


def recommend_experts(
    model: Model,
    *,
    demand: str | None = None,
    enterprise: str | None = None,
    first: int = 10,
    filter: RecommendFilter | None = None,
    explain: bool = True,
) -> list[Recommendation]:
    """The best experts for a demand, or for an enterprise, best first.

    Parameters
    ----------
    model : Model
        From `build_model`.
    demand, enterprise : str
        The key of the demand, or of the enterprise (exactly one).
    first : int
        How many experts.
    filter : RecommendFilter, optional
        Constraints (default: respect capacity, leave out experts serving the enterprise,
        at most three per institution).
    explain : bool
        Build reasons and paths (False: scores only, for batch runs and evaluation).

    Returns
    -------
    list of Recommendation

    Raises
    ------
    RecommendError
        Neither or both sources given; `UnknownSourceError` for an unknown key,
        `InvalidFilterError` for a bad filter.
    """
    if (demand is None) == (enterprise is None):
        raise RecommendError("give exactly one of demand and enterprise")
    if first < 0:
        raise RecommendError("first must not be negative")
    flt = filter or RecommendFilter()
    source = (
        _demand_source(model, demand)
        if demand is not None
        else _enterprise_source(model, enterprise or "")
    )
    cands, scores, feats, mate = _rank_experts(model, source)
    keep = _expert_mask(model, cands, flt, source.enterprise)
    cands, scores = cands[keep], scores[keep]
    feats = {k: v[keep] for k, v in feats.items()}
    mate = mate[keep]
    chosen = _pick(
        cands,
        scores,
        first,
        model.index.expert_institution[cands],
        flt.max_per_institution,
    )
    return [_expert_item(model, source, cands, scores, feats, mate, i, explain) for i in chosen]


def _expert_item(
    model: Model,
    source: _Source,
    cands: IntArray,
    scores: FloatArray,
    feats: Mapping[str, FloatArray],
    mate: IntArray,
    i: int,
    explain: bool,
) -> Recommendation:
    index = model.index
    e = int(cands[i])
    contrib = _contributions(model, feats, i)
    key = index.table("Expert").keys[e]
    if not explain:
        return Recommendation("Expert", key, round(float(scores[i]), 4), (), (), contrib)
    evidence = _expert_evidence(
        model, source, e, {k: float(v[i]) for k, v in feats.items()}, int(mate[i])
    )
    priors = {name: fn(model, e) for name, fn in _PRIOR_REASONS.items()}
    reasons, paths = _explain(model, contrib, evidence, priors)
    return Recommendation("Expert", key, round(float(scores[i]), 4), reasons, paths, contrib)


def explain_pair(
    model: Model, *, demand: str | None = None, enterprise: str | None = None, expert: str
) -> Recommendation:
    """Score and explain one (demand or enterprise, expert) pair as `recommend_experts`
    would (the collaborator evidence aside).

    Raises
    ------
    RecommendError
        Neither or both of demand and enterprise given; `UnknownSourceError` when the
        demand, enterprise or expert does not exist.
    """
    return explain_pairs(model, demand=demand, enterprise=enterprise, experts=[expert])[0]


def explain_pairs(
    model: Model,
    *,
    demand: str | None = None,
    enterprise: str | None = None,
    experts: Sequence[str],
) -> list[Recommendation]:
    """`explain_pair` for several experts of one source, which is walked once."""
    if (demand is None) == (enterprise is None):
        raise RecommendError("give exactly one of demand and enterprise")
    source = (
        _demand_source(model, demand)
        if demand is not None
        else _enterprise_source(model, enterprise or "")
    )
    pos = model.index.table("Expert").pos
    for key in experts:
        if key not in pos:
            raise UnknownSourceError(f"no expert with key {key!r}")
    ppr = _label_values(model, *_ppr(model, source.gid), "Expert")
    chosen = np.asarray([pos[key] for key in experts], dtype=np.int64)
    feats = expert_features(model, source, chosen, ppr)
    scores = _score(model, feats)
    mates = np.full(len(chosen), -1, dtype=np.int64)
    return [
        _expert_item(model, source, chosen, scores, feats, mates, i, True)
        for i in range(len(chosen))
    ]


# -- a tiny canonical graph for doctests and unit tests ------------------------------------


def _demo_graph() -> nx.MultiDiGraph:
    """Two experts, one demand: E1 matches on skill, industry and place, E2 only on place."""
    g = nx.MultiDiGraph()
    nodes: dict[str, dict[str, Any]] = {
        "City:451100": {"code": "451100", "name": "贺州市", "longitude": 111.57, "latitude": 24.40},
        "City:450100": {"code": "450100", "name": "南宁市", "longitude": 108.37, "latitude": 22.82},
        "County:451102": {
            "code": "451102",
            "name": "八步区",
            "longitude": 111.55,
            "latitude": 24.41,
        },
        "Industry:30": {"code": "30", "name": "非金属矿物制品业"},
        "Industry:309": {"code": "309", "name": "非金属矿物制品"},
        "Expert:E1": {"key": "E1", "name": "李明", "capacity": 3},
        "Expert:E2": {"key": "E2", "name": "王芳", "capacity": 3},
        "Enterprise:N1": {"key": "N1", "name": "贺州钙业有限公司"},
        "Demand:D1": {"key": "D1", "title": "碳酸钙表面改性", "status": "open"},
        "Keyword:碳酸钙表面改性": {"key": "碳酸钙表面改性"},
    }
    for nid, attrs in nodes.items():
        g.add_node(nid, **attrs)
    for u, v, k in (
        ("County:451102", "City:451100", "IN_CITY"),
        ("Industry:309", "Industry:30", "SUBCLASS_OF"),
        ("Enterprise:N1", "County:451102", "LOCATED_IN"),
        ("Enterprise:N1", "Industry:309", "IN_INDUSTRY"),
        ("Enterprise:N1", "Demand:D1", "POSTED"),
        ("Demand:D1", "Industry:309", "CONCERNS"),
        ("Expert:E1", "Industry:309", "EXPERT_IN"),
        ("Expert:E1", "Keyword:碳酸钙表面改性", "HAS_SKILL"),
        ("Expert:E1", "City:451100", "BASED_IN"),
        ("Expert:E2", "City:450100", "BASED_IN"),
    ):
        g.add_edge(u, v, k)
    g.add_edge("Demand:D1", "Keyword:碳酸钙表面改性", "MENTIONS", weight=1.0)
    return g


# -- the push list: open demands for one expert ---------------------------------------------


def _reverse(p: Path) -> Path:
    rels = tuple((t, not fwd) for t, fwd in reversed(p.rels))
    return Path(tuple(reversed(p.nodes)), rels, p.share)


def recommend_demands(
    model: Model, *, expert: str, first: int = 10, explain: bool = True
) -> list[Recommendation]:
    """The open demands an expert fits best (the expert's push list), best first.

    The score of (demand, expert) is the one `recommend_experts` gives the pair, except that
    the PageRank walk starts at the expert; paths run from the expert to the demand.

    Raises
    ------
    UnknownSourceError
        When there is no such expert.
    """
    index = model.index
    e = index.table("Expert").pos.get(expert)
    if e is None:
        raise UnknownSourceError(f"no expert with key {expert!r}")
    if first < 0:
        raise RecommendError("first must not be negative")
    n_dem = len(index.table("Demand"))
    open_ = model.open_demands
    vecs = {name: _dense_row(c.expert, e) for name, c in model.channels.items()}
    parts = [
        _gather(c.demand_generator, np.flatnonzero(vecs[name] > 0).astype(np.int64))
        for name, c in model.channels.items()
        if c.generates
    ]
    ppr_nodes, ppr_vals = _ppr(model, int(index.table("Expert").gid[e]))
    dem_ppr = _label_values(model, ppr_nodes, ppr_vals, "Demand")
    parts.append(dem_ppr[0])
    cands = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    cands = cands[open_[cands]] if n_dem else cands
    # D E . x = D . (E x): expand the expert's side, the stack holds D
    expanded = {n: _expanded(model.channels[n], v) for n, v in vecs.items()}
    feats = _channel_values(model, model.demand_stack, expanded, cands)
    feats["division"] = np.where(feats["industry"] > 0, 0.0, feats["division"])
    text = np.zeros(len(cands))
    for a in _row(model.expert_achievements, e)[0].tolist():
        docs, sims = index.text.scores("Demand", index.text.row("Achievement", a))
        text = np.maximum(text, _lookup(docs, sims, cands))
    feats["text"] = text
    ex, ey = model.expert_xy[e]
    xy = model.demand_xy[cands]
    lat = np.radians((xy[:, 1] + ey) / 2)
    km = 6371.0 * np.hypot(np.radians(xy[:, 0] - ex) * np.cos(lat), np.radians(xy[:, 1] - ey))
    feats["proximity"] = np.where(np.isnan(km), 0.0, np.exp(-km / PROXIMITY_KM))
    pv = _lookup(*dem_ppr, cands)
    top = float(dem_ppr[1].max()) if len(dem_ppr[1]) else 0.0
    feats["ppr"] = pv / top if top > 0 else pv
    feats["activity"] = np.full(len(cands), model.activity[e])
    feats["rating"] = np.full(len(cands), model.rating_prior[e])
    feats["collaborator"] = np.zeros(len(cands))
    scores = _score(model, feats)
    chosen = _pick(cands, scores, first)
    out = []
    key = index.table("Demand").keys
    priors = {name: fn(model, e) for name, fn in _PRIOR_REASONS.items()}
    for i in chosen:
        d = int(cands[i])
        contrib = _contributions(model, feats, i)
        if not explain:
            out.append(
                Recommendation("Demand", key[d], round(float(scores[i]), 4), (), (), contrib)
            )
            continue
        source = _demand_source(model, key[d])
        evidence = _expert_evidence(
            model, source, e, {k: float(v[i]) for k, v in feats.items()}, -1
        )
        reasons, paths = _explain(model, contrib, evidence, priors)
        out.append(
            Recommendation(
                "Demand",
                key[d],
                round(float(scores[i]), 4),
                reasons,
                tuple(_reverse(p) for p in paths),
                contrib,
            )
        )
    return out


# -- team-mates --------------------------------------------------------------------------------

COLLABORATOR_WEIGHTS: Mapping[str, float] = {
    "tie": 2.0,
    "second": 0.5,
    "industry": 1.5,
    "complement": 1.0,
    "proximity": 1.0,
    "subgroup": 0.5,
    "activity": 0.3,
}


def recommend_collaborators(
    model: Model,
    *,
    expert: str,
    first: int = 10,
    filter: RecommendFilter | None = None,
) -> list[Recommendation]:
    """Team-mates for an expert: reachable through the collaboration network, in the same
    industries, with complementary skills, nearby; best first.

    Features (weights in `COLLABORATOR_WEIGHTS`): `tie` a direct collaboration, `second`
    collaborators in common (log1p), `industry` a shared industry, `complement` the share of
    the candidate's skills the expert lacks (when they share an industry), `proximity`,
    `subgroup` the same subgroup, `activity`.
    """
    index = model.index
    x = index.table("Expert").pos.get(expert)
    if x is None:
        raise UnknownSourceError(f"no expert with key {expert!r}")
    flt = filter or RecommendFilter(max_per_institution=None)
    collab = model.collab
    direct = _row(collab, x)[0]
    second_m = collab[direct] if len(direct) else sp.csr_matrix((0, collab.shape[1]))
    second = np.asarray(second_m.sum(axis=0)).ravel() if len(direct) else np.zeros(0)
    ind_ch = model.channels["industry"]
    my_ind = _row(ind_ch.expert, x)[0]
    same_ind = _gather(ind_ch.expert_t, my_ind)
    cands = np.unique(np.concatenate([direct, np.flatnonzero(second > 0), same_ind]))
    cands = cands[cands != x].astype(np.int64)
    feats: dict[str, FloatArray] = {
        "tie": np.isin(cands, direct).astype(np.float64),
        "second": np.log1p(second[cands]) if len(second) else np.zeros(len(cands)),
    }
    shared_ind = np.asarray(ind_ch.expert[cands] @ _dense_row(ind_ch.expert, x)).ravel()
    feats["industry"] = np.minimum(shared_ind, 1.0)
    skills = model.channels["skill"].expert
    mine = _dense_row(skills, x) > 0
    theirs = skills[cands]
    total = np.diff(theirs.indptr).astype(np.float64)
    overlap = np.asarray(theirs @ mine.astype(np.float64)).ravel()
    feats["complement"] = np.where(
        (total > 0) & (shared_ind > 0), (total - overlap) / np.maximum(total, 1), 0.0
    )
    ex, ey = model.expert_xy[x]
    xy = model.expert_xy[cands]
    lat = np.radians((xy[:, 1] + ey) / 2)
    km = 6371.0 * np.hypot(np.radians(xy[:, 0] - ex) * np.cos(lat), np.radians(xy[:, 1] - ey))
    feats["proximity"] = np.where(np.isnan(km), 0.0, np.exp(-km / PROXIMITY_KM))
    member = index.rel("MEMBER_OF", "Expert", "Subgroup").fwd
    feats["subgroup"] = np.minimum(np.asarray(member[cands] @ _dense_row(member, x)).ravel(), 1.0)
    feats["activity"] = model.activity[cands]
    scores = sum(COLLABORATOR_WEIGHTS[k] * v for k, v in feats.items())
    assert isinstance(scores, np.ndarray)
    keep = _expert_mask(model, cands, replace(flt, exclude_serving=False), -1)
    cands, scores = cands[keep], scores[keep]
    feats = {k: v[keep] for k, v in feats.items()}
    chosen = _pick(cands, scores, first, index.expert_institution[cands], flt.max_per_institution)
    xnode = _nid(index, "Expert", x)
    out = []
    for i in chosen:
        y = int(cands[i])
        ynode = _nid(index, "Expert", y)
        contrib = {k: float(COLLABORATOR_WEIGHTS[k] * v[i]) for k, v in feats.items() if v[i] > 0}
        ev: list[_Evidence] = []
        if feats["tie"][i] > 0:
            fwd = index.view.has_edge(xnode, ynode, "COLLABORATES_WITH")
            ev.append(
                _Evidence("tie", 1.0, (xnode, ynode), (("COLLABORATES_WITH", fwd),), "曾合作")
            )
        if feats["second"][i] > 0:
            common = np.intersect1d(direct, _row(collab, y)[0])
            names = []
            for m in common[:2].tolist():
                mnode = _nid(index, "Expert", m)
                names.append(_name(index, mnode))
                ev.append(
                    _Evidence(
                        "second",
                        1.0 / min(2, len(common)),
                        (xnode, mnode, ynode),
                        (
                            (
                                "COLLABORATES_WITH",
                                index.view.has_edge(xnode, mnode, "COLLABORATES_WITH"),
                            ),
                            (
                                "COLLABORATES_WITH",
                                index.view.has_edge(mnode, ynode, "COLLABORATES_WITH"),
                            ),
                        ),
                        "",
                    )
                )
            ev[-1].reason = f"共同合作者 {'、'.join(names)}"
        shared = np.intersect1d(my_ind, _row(ind_ch.expert, y)[0])
        if len(shared):
            inode = _nid(index, "Industry", int(shared[0]))
            path = (xnode, inode, ynode)
            rels = (("EXPERT_IN", True), ("EXPERT_IN", False))
            ev.append(_Evidence("industry", 1.0, path, rels, f"同属 {_name(index, inode)}"))
            if feats["complement"][i] > 0:
                extra = [
                    index.table("Keyword").keys[k]
                    for k in _row(skills, y)[0].tolist()
                    if not mine[k]
                ][:3]
                ev.append(_Evidence("complement", 1.0, path, rels, f"互补技能 {' '.join(extra)}"))
        cx, cy = int(index.expert_city[x]), int(index.expert_city[y])
        if cx >= 0 and cx == cy:
            cnode = _nid(index, "City", cx)
            ev.append(
                _Evidence(
                    "proximity",
                    1.0,
                    (xnode, cnode, ynode),
                    (("BASED_IN", True), ("BASED_IN", False)),
                    f"同在 {_name(index, cnode)}",
                )
            )
        if feats["subgroup"][i] > 0:
            groups = np.intersect1d(_row(member, x)[0], _row(member, y)[0])
            snode = _nid(index, "Subgroup", int(groups[0]))
            ev.append(
                _Evidence(
                    "subgroup",
                    1.0,
                    (xnode, snode, ynode),
                    (("MEMBER_OF", True), ("MEMBER_OF", False)),
                    f"同属{_name(index, snode)}分团",
                )
            )
        reasons, paths = _explain_plain(contrib, ev)
        key = index.table("Expert").keys[y]
        out.append(
            Recommendation("Expert", key, round(float(scores[i]), 4), reasons, paths, contrib)
        )
    return out


def _explain_plain(
    contributions: Mapping[str, float], evidence: list[_Evidence]
) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    """Reasons and paths without a PageRank part (see `_explain`)."""
    score = sum(contributions.values())
    if score <= 0:
        return (), ()
    shares: dict[tuple[tuple[str, ...], tuple[tuple[str, bool], ...]], float] = {}
    by_feature: dict[str, list[_Evidence]] = {}
    for x in evidence:
        by_feature.setdefault(x.feature, []).append(x)
        if x.nodes:
            key = (x.nodes, x.rels)
            shares[key] = shares.get(key, 0.0) + contributions.get(x.feature, 0.0) * x.part / score
    paths = sorted(
        (Path(n, r, round(s, 4)) for (n, r), s in shares.items() if s >= 5e-5),
        key=lambda p: (-p.share, len(p.nodes), p.nodes),
    )[:MAX_PATHS]
    reasons: list[str] = []
    for feature, c in sorted(contributions.items(), key=lambda kv: (-kv[1], kv[0])):
        if c / score < MIN_REASON_SHARE:
            continue
        for x in by_feature.get(feature, []):
            if x.reason and x.reason not in reasons:
                reasons.append(x.reason)
    return tuple(reasons[:MAX_REASONS]), tuple(paths)


# -- institutions for an enterprise -----------------------------------------------------------

INSTITUTION_WEIGHTS: Mapping[str, float] = {
    "experts": 1.0,
    "skill": 1.0,
    "achievements": 0.5,
    "served": 1.0,
    "proximity": 1.0,
    "ppr": 1.0,
}


def recommend_institutions(
    model: Model,
    *,
    enterprise: str,
    first: int = 10,
    kind: str | None = None,
    exclude_paired: bool = True,
    only: Collection[str] | None = None,
) -> list[Recommendation]:
    """Institutions to pair with an enterprise, best first (`only`: just these keys, e.g. to
    explain one planned pairing).

    Features (weights in `INSTITUTION_WEIGHTS`): `experts` log1p of its experts in the
    enterprise's industries, `skill` log1p of its experts' skills matching the keywords of
    the enterprise's demands, `achievements` log1p of its achievements in those industries,
    `served` log1p of its experts' services to the enterprise, `proximity` to its city,
    `ppr` PageRank from the enterprise (scaled to the best institution).
    """
    index = model.index
    n = index.table("Enterprise").pos.get(enterprise)
    if n is None:
        raise UnknownSourceError(f"no enterprise with key {enterprise!r}")
    insts = index.table("Institution")
    if kind is not None and kind not in set(index.institution_kind):
        raise InvalidFilterError(f"no institution of kind {kind!r}")
    source = _enterprise_source(model, enterprise)
    aff_t = index.rel("AFFILIATED_WITH", "Expert", "Institution").bwd
    ind_vec = source.vectors["industry"]
    exp_ind = np.minimum(model.channels["industry"].expert @ ind_vec, 1.0)
    exp_skill = model.channels["skill"].expert @ source.vectors["skill"]
    svc = _dense_row(model.served_by, n)
    n_inst = len(insts)
    feats: dict[str, FloatArray] = {
        "experts": np.log1p(aff_t @ exp_ind) if n_inst else np.zeros(0),
        "skill": np.log1p(aff_t @ exp_skill) if n_inst else np.zeros(0),
        "served": np.log1p(aff_t @ svc) if n_inst else np.zeros(0),
    }
    owns = _binary(index.rel("OWNS", "Institution", "Achievement").fwd)
    applies = _binary(index.rel("APPLIES_TO", "Achievement", "Industry").fwd)
    feats["achievements"] = np.log1p(np.asarray(owns @ (applies @ ind_vec)).ravel())
    city_xy = index.city_xy[np.maximum(index.institution_city, 0)]
    sx, sy = source.xy
    lat = np.radians((city_xy[:, 1] + sy) / 2)
    km = 6371.0 * np.hypot(
        np.radians(city_xy[:, 0] - sx) * np.cos(lat), np.radians(city_xy[:, 1] - sy)
    )
    prox = np.where(np.isnan(km) | (index.institution_city < 0), 0.0, np.exp(-km / PROXIMITY_KM))
    feats["proximity"] = prox
    nodes, vals = _ppr(model, source.gid)
    ip = _label_values(model, nodes, vals, "Institution")
    pv = _lookup(*ip, np.arange(n_inst, dtype=np.int64))
    feats["ppr"] = pv / max(float(pv.max()) if len(pv) else 0.0, 1e-12)
    scores = sum(INSTITUTION_WEIGHTS[k] * v for k, v in feats.items())
    assert isinstance(scores, np.ndarray)
    keep = np.ones(n_inst, dtype=np.bool_)
    if kind is not None:
        keep &= np.asarray([k == kind for k in index.institution_kind], dtype=np.bool_)
    paired = _row(index.rel("PAIRED_WITH", "Institution", "Enterprise").bwd, n)[0]
    if exclude_paired:
        keep[paired] = False
    if only is not None:
        wanted = np.zeros(n_inst, dtype=np.bool_)
        wanted[[insts.pos[k] for k in only if k in insts.pos]] = True
        keep &= wanted
    cands = np.flatnonzero(keep).astype(np.int64)
    chosen = _pick(cands, scores[cands], first)
    nnode = source.node
    out = []
    for j in chosen:
        i = int(cands[j])
        inode = _nid(index, "Institution", i)
        contrib = {k: float(INSTITUTION_WEIGHTS[k] * v[i]) for k, v in feats.items() if v[i] > 0}
        ev: list[_Evidence] = []
        members = _row(aff_t, i)[0]
        src_ind = _row(index.rel("IN_INDUSTRY", "Enterprise", "Industry").fwd, n)[0]
        if feats["experts"][i] > 0:
            hits = members[exp_ind[members] > 0]
            if len(hits):
                e = int(hits[np.argmax(model.activity[hits])])
                for x in _industry_evidence(model, source, e, src_ind, "IN_INDUSTRY")[:1]:
                    count = round(math.expm1(feats["experts"][i]))
                    ev.append(
                        _Evidence(
                            "experts",
                            1.0,
                            (*x.nodes, inode),
                            (*x.rels, ("AFFILIATED_WITH", True)),
                            f"有 {count} 位{_name(index, x.nodes[-2])}专家",
                        )
                    )
        if feats["skill"][i] > 0:
            hits = members[exp_skill[members] > 0]
            if len(hits):
                e = int(hits[np.argmax(exp_skill[hits])])
                for x in _expert_evidence(model, source, e, {"skill": 1.0}, -1)[:1]:
                    ev.append(
                        _Evidence(
                            "skill",
                            1.0,
                            (*x.nodes, inode),
                            (*x.rels, ("AFFILIATED_WITH", True)),
                            f"专家 {_name(index, x.nodes[-1])} {x.reason}",
                        )
                    )
        if feats["served"][i] > 0:
            hits = members[svc[members] > 0]
            e = int(hits[0])
            enode = _nid(index, "Expert", e)
            ev.append(
                _Evidence(
                    "served",
                    1.0,
                    (nnode, enode, inode),
                    (("SERVED", False), ("AFFILIATED_WITH", True)),
                    f"其专家 {_name(index, enode)} 曾服务该企业",
                )
            )
        if feats["achievements"][i] > 0:
            achs = _row(owns, i)[0]
            for a in achs.tolist():
                common = np.intersect1d(_row(applies, a)[0], np.flatnonzero(ind_vec > 0))
                if len(common):
                    anode = _nid(index, "Achievement", a)
                    top = (
                        _industry_chain(index, int(src_ind[0]), int(common[0]))
                        if len(src_ind)
                        else None
                    )
                    if top is None:
                        continue
                    ev.append(
                        _Evidence(
                            "achievements",
                            1.0,
                            (nnode, *(_nid(index, "Industry", t) for t in top), anode, inode),
                            (
                                ("IN_INDUSTRY", True),
                                *(("SUBCLASS_OF", False) for _ in top[1:]),
                                ("APPLIES_TO", False),
                                ("OWNS", False),
                            ),
                            f"拥有成果《{_name(index, anode)}》",
                        )
                    )
                    break
        county = int(index.enterprise_county[n])
        city = int(index.institution_city[i])
        if county >= 0 and city >= 0 and int(index.county_city[county]) == city:
            cnode = _nid(index, "City", city)
            ev.append(
                _Evidence(
                    "proximity",
                    1.0,
                    (nnode, _nid(index, "County", county), cnode, inode),
                    (("LOCATED_IN", True), ("IN_CITY", True), ("LOCATED_IN", False)),
                    f"同在 {_name(index, cnode)}",
                )
            )
        elif city >= 0 and feats["proximity"][i] > 0:
            cname = _name(index, _nid(index, "City", city))
            ev.append(_Evidence("proximity", 1.0, (), (), f"相距约 {km[i]:.0f} 公里（{cname}）"))
        reasons, paths = _explain(model, contrib, ev, {})
        out.append(
            Recommendation(
                "Institution", insts.keys[i], round(float(scores[i]), 4), reasons, paths, contrib
            )
        )
    return out


# -- achievements for a demand -----------------------------------------------------------------

ACHIEVEMENT_WEIGHTS: Mapping[str, float] = {
    "skill": 2.0,
    "industry": 1.5,
    "text": 2.0,
    "ppr": 1.0,
    "maturity": 0.5,
}


def recommend_achievements(model: Model, *, demand: str, first: int = 10) -> list[Recommendation]:
    """Listed achievements that answer a demand, best first (the demand's own enterprise's
    achievements excluded).

    Features (weights in `ACHIEVEMENT_WEIGHTS`): `skill` IDF-weighted shared keywords,
    `industry` it applies to the demand's industry (or a sub-industry), `text` TF-IDF cosine
    of the texts, `ppr` PageRank from the demand, `maturity` (maturity - 1) / 8.
    """
    index = model.index
    source = _demand_source(model, demand)
    d = source.local
    achs = model.achievements
    mentions, applies = achs.mentions, achs.applies
    kw = source.vectors["skill"]
    ind = source.vectors["industry"]
    docs, sims = index.text.scores("Achievement", source.text)
    nodes, vals = _ppr(model, source.gid)
    ap = _label_values(model, nodes, vals, "Achievement")
    parts = [
        _gather(achs.by_keyword, np.flatnonzero(kw > 0).astype(np.int64)),
        _gather(achs.by_industry, np.flatnonzero(ind > 0).astype(np.int64)),
        docs,
        ap[0],
    ]
    cands = np.unique(np.concatenate(parts)).astype(np.int64)
    own = index.rel("OWNS", "Enterprise", "Achievement").fwd
    if source.enterprise >= 0 and len(cands):
        cands = cands[~np.isin(cands, _row(own, source.enterprise)[0])]
    feats: dict[str, FloatArray] = {
        "skill": np.asarray(mentions[cands] @ kw).ravel() if len(cands) else np.zeros(0),
        "industry": np.minimum(np.asarray(applies[cands] @ ind).ravel(), 1.0)
        if len(cands)
        else np.zeros(0),
        "text": _lookup(docs, sims, cands),
    }
    pv = _lookup(*ap, cands)
    feats["ppr"] = pv / max(float(ap[1].max()) if len(ap[1]) else 0.0, 1e-12)
    maturity = achs.maturity[cands]
    feats["maturity"] = (np.clip(maturity, 1, 9) - 1) / 8
    scores = sum(ACHIEVEMENT_WEIGHTS[k] * v for k, v in feats.items())
    assert isinstance(scores, np.ndarray)
    chosen = _pick(cands, scores, first)
    src_ind = _row(index.rel("CONCERNS", "Demand", "Industry").fwd, d)[0]
    out = []
    for j in chosen:
        a = int(cands[j])
        anode = _nid(index, "Achievement", a)
        contrib = {k: float(ACHIEVEMENT_WEIGHTS[k] * v[j]) for k, v in feats.items() if v[j] > 0}
        ev: list[_Evidence] = []
        kws, ws = _row(mentions, a)
        w = kw[kws] * ws
        order = np.argsort(-w, kind="stable")
        shared = [int(kws[o]) for o in order.tolist() if w[o] > 0][:3]
        for k in shared:
            ev.append(
                _Evidence(
                    "skill",
                    1.0 / len(shared),
                    (source.node, _nid(index, "Keyword", k), anode),
                    (("MENTIONS", True), ("MENTIONS", False)),
                    "",
                )
            )
        if shared:
            terms = " ".join(index.table("Keyword").keys[k] for k in shared)
            ev[-len(shared)].reason = f"涉及 {terms}"
        if feats["industry"][j] > 0:
            a_ind = _row(applies, a)[0]
            for top in src_ind.tolist():
                chain = next(
                    (c for i in a_ind.tolist() if (c := _industry_chain(index, top, i))), None
                )
                if chain is not None:
                    inode = _nid(index, "Industry", chain[-1])
                    ev.append(
                        _Evidence(
                            "industry",
                            1.0,
                            (source.node, *(_nid(index, "Industry", c) for c in chain), anode),
                            (
                                ("CONCERNS", True),
                                *(("SUBCLASS_OF", False) for _ in chain[1:]),
                                ("APPLIES_TO", False),
                            ),
                            f"适用于 {_name(index, inode)}",
                        )
                    )
                    break
        if feats["text"][j] > 0:
            anchor = [x for x in ev if x.nodes]
            reason = f"与需求内容相近（相似度 {feats['text'][j]:.2f}）"
            if anchor:
                ev.append(_Evidence("text", 1.0, anchor[0].nodes, anchor[0].rels, reason))
            else:
                ev.append(_Evidence("text", 1.0, (), (), reason))
        m = int(maturity[j])
        priors = {"maturity": f"成熟度 {m} 级"} if m >= 6 else {}
        reasons, paths = _explain(model, contrib, ev, priors)
        out.append(
            Recommendation(
                "Achievement",
                index.table("Achievement").keys[a],
                round(float(scores[j]), 4),
                reasons,
                paths,
                contrib,
            )
        )
    return out
