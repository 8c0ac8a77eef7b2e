"""Expert communities (Leiden, seeded) on the industry–expert projection or the collaboration
network, and what each community holds: industries, institutions, counties, open demands.

The industry–expert projection ties two experts by the industries they share, each industry
weighing ``1 / (n - 1)`` for its ``n`` experts (Newman's weighting: every expert spreads one
unit per industry over its peers), computed as the sparse product ``B D Bᵀ`` of the
expert–industry incidence ``B`` and ``D = diag(1 / (n - 1))``. The collaboration network is
`graphsvc.algorithms.collaboration`'s.

Communities are found by igraph's Leiden algorithm optimising modularity at the given
resolution, with igraph's random numbers drawn from ``random.Random(seed)`` and the experts
in key order, so one seed gives one partition. The modularity reported is Newman's (at
resolution 1) of the returned partition on the weighted projection.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> for code in ("0111", "3974"):
...     g.add_node(f"Industry:{code}", code=code, name=code)
>>> for i in range(6):
...     g.add_node(f"Expert:E{i}", key=f"E{i}", name=f"E{i}")
...     _ = g.add_edge(f"Expert:E{i}", "Industry:0111" if i < 3 else "Industry:3974", "EXPERT_IN")
>>> result = clusters(g, Projection.INDUSTRY_EXPERT, seed=1)
>>> [(c.id, c.size, [i.key for i in c.industries]) for c in result.clusters]
[(0, 3, ['0111']), (1, 3, ['3974'])]
>>> round(result.modularity, 3)
0.5
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import igraph as ig
import networkx as nx
import numpy as np
import scipy.sparse as sp

from graphsvc.algorithms._analytics import (
    AnalyticsError,
    GraphData,
    ancestors,
    collect,
    igraph_from_edges,
    industry_parents,
    seeded,
    without_gc,
)
from graphsvc.algorithms.collaboration import CollaborationGraph, build_collaboration_graph

__all__ = [
    "TOP",
    "AnalyticsError",
    "Cluster",
    "ClusterExpert",
    "Clustering",
    "Counted",
    "Projected",
    "Projection",
    "clusters",
    "collaboration_projection",
    "industry_expert_projection",
]

TOP = 10
"""How many experts, industries, institutions and counties a cluster lists."""


class Projection(StrEnum):
    """Which graph of experts to find communities in."""

    INDUSTRY_EXPERT = "industry_expert"
    COLLABORATION = "collaboration"


@dataclass(frozen=True, eq=False)
class Projected:
    """A weighted undirected graph of experts: keys in order, and edges ``i < j``."""

    keys: tuple[str, ...] = field(repr=False)
    src: np.ndarray = field(repr=False)
    dst: np.ndarray = field(repr=False)
    weight: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return f"Projected(nodes={len(self.keys)}, edges={self.edges})"

    @property
    def edges(self) -> int:
        """The number of edges."""
        return len(self.src)

    def to_igraph(self) -> ig.Graph:
        """An igraph graph on the indexes, with a `weight` edge attribute."""
        return igraph_from_edges(len(self.keys), self.src, self.dst, self.weight)

    def to_networkx(self) -> nx.Graph:
        """A networkx graph on the keys, with a `weight` edge attribute."""
        g = nx.Graph()
        g.add_nodes_from(self.keys)
        k = self.keys
        g.add_weighted_edges_from(
            (k[i], k[j], float(w))
            for i, j, w in zip(
                self.src.tolist(), self.dst.tolist(), self.weight.tolist(), strict=True
            )
        )
        return g


def industry_expert_projection(view: nx.MultiDiGraph) -> Projected:
    """Experts tied by shared industries: the upper triangle of ``B D Bᵀ`` (see the module).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for e, codes in {"A": ["01"], "B": ["01", "02"], "C": ["01", "02"]}.items():
    ...     g.add_node(f"Expert:{e}", key=e)
    ...     for c in codes:
    ...         _ = g.add_edge(f"Expert:{e}", f"Industry:{c}", "EXPERT_IN")
    >>> p = industry_expert_projection(g)
    >>> [(p.keys[i], p.keys[j], w) for i, j, w in zip(p.src, p.dst, p.weight.tolist())]
    [('A', 'B', 0.5), ('A', 'C', 0.5), ('B', 'C', 1.5)]
    """
    data = collect(view, ("Expert",), ("EXPERT_IN",))
    return _industry_projection(data)


def _industry_projection(data: GraphData) -> Projected:
    experts = tuple(sorted(data.nodes["Expert"]))
    row_of = {k: i for i, k in enumerate(experts)}
    pairs = {
        (row_of[sk], dk)
        for sl, sk, dl, dk, _ in data.rels["EXPERT_IN"]
        if sl == "Expert" and dl == "Industry" and sk in row_of
    }
    codes = sorted({c for _, c in pairs})
    col_of = {c: j for j, c in enumerate(codes)}
    rows = np.fromiter((r for r, _ in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((col_of[c] for _, c in pairs), dtype=np.int64, count=len(pairs))
    b = sp.csr_matrix(
        (np.ones(len(pairs)), (rows, cols)), shape=(len(experts), len(codes)), dtype=np.float64
    )
    sizes = np.asarray(b.sum(axis=0)).ravel()
    scale = np.divide(1.0, sizes - 1, out=np.zeros_like(sizes), where=sizes > 1)
    w = sp.triu(b @ sp.diags(scale) @ b.T, k=1).tocoo()
    keep = w.data > 0
    order = np.lexsort((w.col[keep], w.row[keep]))
    return Projected(
        keys=experts,
        src=w.row[keep][order].astype(np.int64),
        dst=w.col[keep][order].astype(np.int64),
        weight=w.data[keep][order],
    )


def collaboration_projection(graph: CollaborationGraph) -> Projected:
    """The collaboration network as a `Projected` graph."""
    i, j, w = graph.edge_arrays()
    return Projected(keys=graph.experts, src=i, dst=j, weight=w)


@dataclass(frozen=True)
class Counted:
    """Something a cluster holds (an industry, institution or county) and how much of it."""

    key: str
    name: str
    count: int


@dataclass(frozen=True)
class ClusterExpert:
    """An expert of a cluster and the weight of its ties inside the cluster."""

    key: str
    name: str
    strength: float


@dataclass(frozen=True)
class Cluster:
    """A community of experts and what it holds.

    `industries`: the industries of its experts, by how many of them are in each;
    `institutions`: its experts' institutions, likewise; `counties`: the counties of the
    enterprises its experts served, by how many enterprises; `owned_industries`: the
    industries most of whose experts are in it; `open_demands`: open demands concerning an
    owned industry (or, for an industry nobody owns, its nearest owned ancestor);
    `demand_expert_ratio`: open demands per expert.
    """

    id: int
    size: int
    experts: tuple[ClusterExpert, ...]
    industries: tuple[Counted, ...]
    institutions: tuple[Counted, ...]
    counties: tuple[Counted, ...]
    owned_industries: tuple[str, ...]
    open_demands: int
    demand_expert_ratio: float


@dataclass(frozen=True, eq=False)
class Clustering:
    """The communities of one projection, largest first (ids count from 0 in that order)."""

    projection: Projection
    resolution: float
    seed: int
    modularity: float
    clusters: tuple[Cluster, ...] = field(repr=False)
    membership: Mapping[str, int] = field(repr=False)  # expert key -> cluster id
    nodes: int
    edges: int
    unassigned_open_demands: int  # open demands whose industries no cluster owns


@without_gc
def clusters(
    view: nx.MultiDiGraph,
    projection: Projection | str = Projection.INDUSTRY_EXPERT,
    *,
    resolution: float = 1.0,
    first: int | None = None,
    seed: int = 0,
    network: CollaborationGraph | None = None,
) -> Clustering:
    """Communities of experts and what each holds.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The store's read-only view.
    projection : Projection or str, optional
        ``industry_expert`` or ``collaboration``.
    resolution : float, optional
        Modularity resolution (> 0): higher gives more, smaller communities.
    first : int or None, optional
        Keep the details of this many clusters (the largest); None keeps all.
        `membership` and `modularity` always cover every expert.
    seed : int, optional
        Seed of igraph's random numbers: the same seed gives the same partition.
    network : CollaborationGraph, optional
        The collaboration network, when already built.

    Returns
    -------
    Clustering

    Raises
    ------
    AnalyticsError
        For an unknown projection or a resolution that is not positive.
    """
    try:
        kind = Projection(projection)
    except ValueError:
        raise AnalyticsError(
            f"unknown projection {projection!r} (expected {', '.join(p.value for p in Projection)})"
        ) from None
    if not resolution > 0 or not np.isfinite(resolution):
        raise AnalyticsError(f"`resolution` must be a positive number (got {resolution})")
    data = collect(
        view,
        ("Expert", "Industry", "Institution", "County", "Demand"),
        ("EXPERT_IN", "AFFILIATED_WITH", "SERVED", "LOCATED_IN", "CONCERNS", "SUBCLASS_OF"),
    )
    if kind is Projection.INDUSTRY_EXPERT:
        proj = _industry_projection(data)
    else:
        proj = collaboration_projection(network or build_collaboration_graph(view))
    membership, modularity = _leiden(proj, resolution, seed)
    return _describe(data, proj, membership, modularity, kind, resolution, seed, first)


def _leiden(proj: Projected, resolution: float, seed: int) -> tuple[list[int], float]:
    """Cluster ids (0 = largest, equal sizes by smallest key) and Newman's modularity."""
    n = len(proj.keys)
    if n == 0:
        return [], 0.0
    g = proj.to_igraph()
    weights = "weight" if proj.edges else None
    with seeded(seed):
        part = g.community_leiden(
            objective_function="modularity",
            weights=weights,
            resolution=resolution,
            n_iterations=-1,
        )
    raw = list(part.membership)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(raw):
        groups[c].append(i)  # members in index (= key) order
    order = sorted(groups, key=lambda c: (-len(groups[c]), groups[c][0]))
    relabel = {c: new for new, c in enumerate(order)}
    membership = [relabel[c] for c in raw]
    modularity = g.modularity(membership, weights=weights) if proj.edges else 0.0
    return membership, float(modularity)


def _top(counter: Counter[str], data: GraphData, label: str) -> tuple[Counted, ...]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    return tuple(Counted(k, data.name(label, k), n) for k, n in ranked)


def _describe(
    data: GraphData,
    proj: Projected,
    membership: list[int],
    modularity: float,
    kind: Projection,
    resolution: float,
    seed: int,
    first: int | None,
) -> Clustering:
    keys = proj.keys
    count = max(membership, default=-1) + 1
    member_of = dict(zip(keys, membership, strict=True))
    strength = np.zeros(len(keys))
    inside = np.asarray(membership)[proj.src] == np.asarray(membership)[proj.dst]
    np.add.at(strength, proj.src[inside], proj.weight[inside])
    np.add.at(strength, proj.dst[inside], proj.weight[inside])

    industries: list[Counter[str]] = [Counter() for _ in range(count)]
    experts_in: dict[str, Counter[int]] = defaultdict(Counter)
    for sl, sk, dl, dk, _ in data.rels["EXPERT_IN"]:
        c = member_of.get(sk)
        if sl == "Expert" and dl == "Industry" and c is not None:
            industries[c][dk] += 1
            experts_in[dk][c] += 1
    institutions: list[Counter[str]] = [Counter() for _ in range(count)]
    for sl, sk, _, dk, _ in data.rels["AFFILIATED_WITH"]:
        c = member_of.get(sk)
        if sl == "Expert" and c is not None:
            institutions[c][dk] += 1
    county_of = {
        sk: dk
        for sl, sk, dl, dk, _ in data.rels["LOCATED_IN"]
        if sl == "Enterprise" and dl == "County"
    }
    served: list[dict[str, set[str]]] = [defaultdict(set) for _ in range(count)]
    for sl, sk, _, dk, _ in data.rels["SERVED"]:
        c = member_of.get(sk)
        county = county_of.get(dk)
        if sl == "Expert" and c is not None and county is not None:
            served[c][county].add(dk)
    counties = [Counter({k: len(v) for k, v in s.items()}) for s in served]

    # Each industry belongs to the cluster holding most of its experts (ties: lower id).
    owner = {
        code: min(by.items(), key=lambda kv: (-kv[1], kv[0]))[0] for code, by in experts_in.items()
    }
    parents = industry_parents(data)
    open_demands: list[set[str]] = [set() for _ in range(count)]
    unassigned = 0
    concerns: dict[str, list[str]] = defaultdict(list)
    for sl, sk, _, dk, _ in data.rels["CONCERNS"]:
        if sl == "Demand":
            concerns[sk].append(dk)
    for key, props in data.nodes["Demand"].items():
        if (props.get("status") or "open") != "open":
            continue
        found = False
        for code in concerns.get(key, ()):
            for candidate in (code, *ancestors(code, parents)):
                if candidate in owner:
                    open_demands[owner[candidate]].add(key)
                    found = True
                    break
        unassigned += not found

    owned: list[list[str]] = [[] for _ in range(count)]
    for code, c in owner.items():
        owned[c].append(code)
    members: list[list[int]] = [[] for _ in range(count)]
    for i, c in enumerate(membership):
        members[c].append(i)
    limit = count if first is None else max(0, min(first, count))
    described = []
    for c in range(limit):
        top = sorted(members[c], key=lambda i: (-strength[i], keys[i]))[:TOP]
        size = len(members[c])
        described.append(
            Cluster(
                id=c,
                size=size,
                experts=tuple(
                    ClusterExpert(keys[i], data.name("Expert", keys[i]), float(strength[i]))
                    for i in top
                ),
                industries=_top(industries[c], data, "Industry"),
                institutions=_top(institutions[c], data, "Institution"),
                counties=_top(counties[c], data, "County"),
                owned_industries=tuple(sorted(owned[c])),
                open_demands=len(open_demands[c]),
                demand_expert_ratio=len(open_demands[c]) / size,
            )
        )
    return Clustering(
        projection=kind,
        resolution=resolution,
        seed=seed,
        modularity=modularity,
        clusters=tuple(described),
        membership=member_of,
        nodes=len(keys),
        edges=proj.edges,
        unassigned_open_demands=unassigned,
    )
