"""Expert communities (Leiden, seeded) on the industry–expert projection or the collaboration
network, and what each community holds: industries, institutions, counties, open demands.

The industry–expert projection ties two experts by the industries they share, each industry
weighing ``1 / (n - 1)`` for its ``n`` experts (Newman's weighting: every expert spreads one
unit per industry over its peers): ``B D Bᵀ`` for the expert–industry incidence ``B`` and
``D = diag(1 / (n - 1))``. It has as many ties as pairs of experts sharing an industry (3.8
billion at 100 times the Guangxi demo), so it is never built expert by expert: experts with
the same industries tie to everyone alike, and each such set of twins is one node of a
`Projected` graph (902 nodes for 350,000 experts there). A tie between two nodes stands for
the ties between all their experts, and a loop for the ties among a node's own twins, so the
weighted graph clustered is the projection with twins merged, as Louvain and Leiden merge
nodes between their passes: its modularity is the projection's, and twins stay together.
The collaboration network is `graphsvc.algorithms.collaboration`'s, one node per expert.

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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations, product

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
    """A weighted undirected graph of experts, held as a graph of groups of them.

    Expert ``keys[i]`` is in node ``group[i]``. An edge ``src[k] <= dst[k]`` ties every expert
    of one node to every other expert of the other with ``weight[k]``: a loop ties the
    experts of a node among themselves (only nodes of two or more experts have one).
    """

    keys: tuple[str, ...] = field(repr=False)
    group: np.ndarray = field(repr=False)
    src: np.ndarray = field(repr=False)
    dst: np.ndarray = field(repr=False)
    weight: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return f"Projected(experts={len(self.keys)}, nodes={self.nodes}, edges={self.edges})"

    @property
    def nodes(self) -> int:
        """The number of nodes (groups of experts)."""
        return int(self.group.max()) + 1 if len(self.group) else 0

    @property
    def sizes(self) -> np.ndarray:
        """The number of experts of each node."""
        return np.bincount(self.group, minlength=self.nodes)

    @property
    def edges(self) -> int:
        """The number of ties between experts."""
        n = self.sizes
        loop = self.src == self.dst
        between = n[self.src[~loop]] * n[self.dst[~loop]]
        within = n[self.src[loop]] * (n[self.src[loop]] - 1) // 2
        return int(between.sum() + within.sum())

    def to_igraph(self) -> ig.Graph:
        """An igraph graph on the nodes whose `weight` is the total of the ties each edge
        stands for (a loop's counted once per pair of its experts)."""
        n = self.sizes.astype(np.float64)
        loop = self.src == self.dst
        pairs = np.where(loop, n[self.src] * (n[self.src] - 1) / 2, n[self.src] * n[self.dst])
        return igraph_from_edges(self.nodes, self.src, self.dst, self.weight * pairs)

    def ties(self) -> Iterator[tuple[int, int, float]]:
        """Every tie between experts ``(i, j, weight)`` with ``i < j`` (by index in `keys`).

        Quadratic in the nodes' sizes: for checks and baselines on small graphs.
        """
        members: list[list[int]] = [[] for _ in range(self.nodes)]
        for i, g in enumerate(self.group.tolist()):
            members[g].append(i)
        for u, v, w in zip(self.src.tolist(), self.dst.tolist(), self.weight.tolist(), strict=True):
            pairs = combinations(members[u], 2) if u == v else product(members[u], members[v])
            for i, j in pairs:
                yield (i, j, w) if i < j else (j, i, w)

    def to_networkx(self) -> nx.Graph:
        """A networkx graph on the expert keys, with a `weight` edge attribute (every tie:
        quadratic in the nodes' sizes)."""
        g = nx.Graph()
        g.add_nodes_from(self.keys)
        k = self.keys
        g.add_weighted_edges_from((k[i], k[j], w) for i, j, w in self.ties())
        return g


def industry_expert_projection(view: nx.MultiDiGraph) -> Projected:
    """Experts tied by shared industries, twins merged into one node (see the module).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for e, codes in {"A": ["01"], "B": ["01", "02"], "C": ["01", "02"]}.items():
    ...     g.add_node(f"Expert:{e}", key=e)
    ...     for c in codes:
    ...         _ = g.add_edge(f"Expert:{e}", f"Industry:{c}", "EXPERT_IN")
    >>> p = industry_expert_projection(g)
    >>> p
    Projected(experts=3, nodes=2, edges=3)
    >>> [(p.keys[i], p.keys[j], w) for i, j, w in p.ties()]
    [('A', 'B', 0.5), ('A', 'C', 0.5), ('B', 'C', 1.5)]
    """
    data = collect(view, ("Expert",), ("EXPERT_IN",))
    return _industry_projection(data)


def _industry_projection(data: GraphData) -> Projected:
    experts = tuple(sorted(data.nodes["Expert"]))
    industries_of: dict[str, set[str]] = defaultdict(set)
    for sl, sk, dl, dk, _ in data.rels["EXPERT_IN"]:
        if sl == "Expert" and dl == "Industry" and sk in data.nodes["Expert"]:
            industries_of[sk].add(dk)
    # Twins share a node, numbered in the order of their first expert; an expert without an
    # industry has no ties and stays alone (merging them would make one cluster of strangers).
    node_of: dict[frozenset[str], int] = {}
    group = np.empty(len(experts), dtype=np.int64)
    signatures: list[frozenset[str]] = []
    for i, key in enumerate(experts):
        signature = frozenset(industries_of.get(key, ()))
        node = node_of.get(signature) if signature else None
        if node is None:
            node = len(signatures)
            signatures.append(signature)
            if signature:
                node_of[signature] = node
        group[i] = node
    codes = sorted({c for signature in signatures for c in signature})
    col_of = {c: j for j, c in enumerate(codes)}
    rows = [node for node, sig in enumerate(signatures) for _ in sig]
    cols = [col_of[c] for sig in signatures for c in sig]
    b = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(signatures), len(codes)), dtype=np.float64
    )
    sizes = np.bincount(group, minlength=len(signatures)).astype(np.float64)
    experts_per_code = b.T @ sizes
    scale = np.divide(
        1.0, experts_per_code - 1, out=np.zeros_like(experts_per_code), where=experts_per_code > 1
    )
    w = sp.triu(b @ sp.diags(scale) @ b.T, k=0).tocoo()
    keep = (w.data > 0) & ((w.row != w.col) | (sizes[w.row] > 1))
    order = np.lexsort((w.col[keep], w.row[keep]))
    return Projected(
        keys=experts,
        group=group,
        src=w.row[keep][order].astype(np.int64),
        dst=w.col[keep][order].astype(np.int64),
        weight=w.data[keep][order],
    )


def collaboration_projection(graph: CollaborationGraph) -> Projected:
    """The collaboration network as a `Projected` graph."""
    i, j, w = graph.edge_arrays()
    group = np.arange(len(graph.experts), dtype=np.int64)
    return Projected(keys=graph.experts, group=group, src=i, dst=j, weight=w)


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
    node_membership, modularity = _leiden(proj, resolution, seed)
    return _describe(data, proj, node_membership, modularity, kind, resolution, seed, first)


def _leiden(proj: Projected, resolution: float, seed: int) -> tuple[np.ndarray, float]:
    """Each node's cluster id (0 = the most experts, equal sizes by smallest expert key) and
    Newman's modularity."""
    if not proj.nodes:
        return np.zeros(0, dtype=np.int64), 0.0
    g = proj.to_igraph()
    weights = "weight" if len(proj.src) else None
    with seeded(seed):
        part = g.community_leiden(
            objective_function="modularity",
            weights=weights,
            resolution=resolution,
            n_iterations=-1,
        )
    raw = np.asarray(part.membership, dtype=np.int64)
    of_expert = raw[proj.group]
    size = np.bincount(of_expert)
    first = np.full(len(size), len(of_expert))
    np.minimum.at(first, of_expert, np.arange(len(of_expert)))  # experts are in key order
    relabel = np.empty(len(size), dtype=np.int64)
    relabel[np.lexsort((first, -size))] = np.arange(len(size))  # igraph's ids are 0..k-1
    membership = relabel[raw]
    modularity = g.modularity(membership.tolist(), weights=weights) if weights else 0.0
    return membership, float(modularity)


def _strength(proj: Projected, node_membership: np.ndarray) -> np.ndarray:
    """The weight of an expert's ties inside its cluster, for each node's experts."""
    n = proj.sizes.astype(np.float64)
    src, dst, w = proj.src, proj.dst, proj.weight
    strength = np.zeros(proj.nodes)
    between = (node_membership[src] == node_membership[dst]) & (src != dst)
    np.add.at(strength, src[between], w[between] * n[dst[between]])
    np.add.at(strength, dst[between], w[between] * n[src[between]])
    loop = src == dst
    np.add.at(strength, src[loop], w[loop] * (n[src[loop]] - 1))
    return strength


def _top(counter: Counter[str], data: GraphData, label: str) -> tuple[Counted, ...]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    return tuple(Counted(k, data.name(label, k), n) for k, n in ranked)


def _describe(
    data: GraphData,
    proj: Projected,
    node_membership: np.ndarray,
    modularity: float,
    kind: Projection,
    resolution: float,
    seed: int,
    first: int | None,
) -> Clustering:
    keys = proj.keys
    membership = node_membership[proj.group].tolist()
    count = max(membership, default=-1) + 1
    member_of = dict(zip(keys, membership, strict=True))
    strength = _strength(proj, node_membership)[proj.group]

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
