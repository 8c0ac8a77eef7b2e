"""The collaboration network of experts: explicit and derived ties, paths, ego networks, brokers.

Two experts are tied when the graph holds evidence that they work together. Each piece of
evidence adds to the tie's weight (docs/analytics.md explains the choice of weights):

- a `COLLABORATES_WITH` relationship of any kind: ``1.0 * (1 + log2(count))``;
- a commissioner team, i.e. both served the same enterprise in roles ``team`` or
  ``commissioner`` over overlapping periods: ``1.0`` per enterprise;
- the same enterprise served, in any role and at any time: ``0.5 / (n - 1)`` per enterprise
  that ``n`` experts served (Newman's weighting, so one enterprise served by many experts
  does not tie each of them strongly to all the others);
- the same achievement owned: ``1.0 / (n - 1)`` per achievement with ``n`` expert owners.

Paths are shortest in hops (the number of ties), and among the paths with the fewest hops
the one whose ties are strongest, i.e. with the least total distance ``sum(1 / weight)``.
Betweenness counts shortest paths in hops, like the paths; PageRank follows the weights.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> for k in ("A", "B", "C", "D"):
...     g.add_node(f"Expert:{k}", key=k, name=k)
>>> g.add_node("Enterprise:E", key="E")
>>> _ = g.add_edge("Expert:A", "Expert:B", "COLLABORATES_WITH", kind="coauthor", count=1)
>>> _ = g.add_edge("Expert:B", "Enterprise:E", "SERVED|team|2024-01-01", role="team",
...                start_on="2024-01-01")
>>> _ = g.add_edge("Expert:C", "Enterprise:E", "SERVED|commissioner|2024-02-01",
...                role="commissioner", start_on="2024-02-01", end_on="2024-06-30")
>>> net = build_collaboration_graph(g)
>>> tie = net.tie_between("B", "C")
>>> tie.kind, tie.weight, [s.kind for s in tie.sources]
('commissioner_team', 1.5, ['commissioner_team', 'same_enterprise'])
>>> path = collaboration_path(net, "A", "C", max_hops=3)
>>> path.experts, path.length, [t.kind for t in path.ties]
(('A', 'B', 'C'), 2, ['coauthor', 'commissioner_team'])
>>> collaboration_path(net, "A", "D", max_hops=3) is None
True
>>> [(b.key, round(b.score, 3)) for b in brokers(net, first=2)]
[('B', 0.333), ('A', 0.0)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise

import igraph as ig
import networkx as nx
import numpy as np

from graphsvc.algorithms._analytics import (
    AnalyticsError,
    UnknownKeyError,
    collect,
    igraph_from_edges,
    without_gc,
)

__all__ = [
    "BETWEENNESS_SAMPLES",
    "EXACT_BETWEENNESS_LIMIT",
    "TEAM_ROLES",
    "TIE_KINDS",
    "TIE_WEIGHTS",
    "AnalyticsError",
    "CollaborationGraph",
    "CollaborationPath",
    "EgoEdge",
    "EgoNetwork",
    "EgoNode",
    "RankedExpert",
    "Ranking",
    "Tie",
    "TieSource",
    "UnknownKeyError",
    "betweenness",
    "brokers",
    "build_collaboration_graph",
    "collaboration_network",
    "collaboration_path",
    "key_experts",
]

TIE_WEIGHTS: Mapping[str, float] = {
    "collaboration": 1.0,  # per COLLABORATES_WITH, times 1 + log2(count)
    "commissioner_team": 1.0,  # per enterprise served together in one team
    "same_enterprise": 0.5,  # per enterprise served, divided by (experts who served it - 1)
    "same_achievement": 1.0,  # per achievement owned, divided by (its expert owners - 1)
}
"""Base weights of the evidence for a tie (see the module docstring)."""

TEAM_ROLES = frozenset({"team", "commissioner"})
"""SERVED roles that make a commissioner team when periods overlap."""

TIE_KINDS = (
    "coauthor",
    "project",
    "service_team",
    "other",
    "commissioner_team",
    "same_achievement",
    "same_enterprise",
)
"""Every kind a tie source can have, in the order that breaks equal weights."""

EXACT_BETWEENNESS_LIMIT = 2000
"""Betweenness is exact up to this many tied experts, and sampled above it."""

BETWEENNESS_SAMPLES = 1000
"""Source experts sampled for betweenness on larger networks."""


@dataclass(frozen=True)
class TieSource:
    """One kind of evidence for a tie: its kind, the weight it adds, and how many pieces of
    it there are (collaboration counts, enterprises, achievements)."""

    kind: str
    weight: float
    count: int


@dataclass(frozen=True)
class Tie:
    """A tie between two experts (`a` < `b`), with its total weight and its sources,
    heaviest first."""

    a: str
    b: str
    weight: float
    sources: tuple[TieSource, ...]

    @property
    def kind(self) -> str:
        """The kind of the heaviest source."""
        return self.sources[0].kind

    @property
    def distance(self) -> float:
        """The length of the tie in weighted paths: ``1 / weight``."""
        return 1.0 / self.weight


@dataclass(frozen=True, eq=False)
class CollaborationGraph:
    """The collaboration network: experts by index (sorted keys) and their ties.

    Every expert of the graph is a node, tied or not.
    """

    experts: tuple[str, ...] = field(repr=False)
    names: tuple[str, ...] = field(repr=False)
    index: Mapping[str, int] = field(repr=False)
    adjacency: tuple[tuple[int, ...], ...] = field(repr=False)  # neighbours, ascending
    ties: Mapping[tuple[int, int], Tie] = field(repr=False)  # by (i, j) with i < j

    def __repr__(self) -> str:
        return f"CollaborationGraph(experts={self.n}, ties={len(self.ties)})"

    @property
    def n(self) -> int:
        """The number of experts."""
        return len(self.experts)

    def position(self, key: str) -> int:
        """The index of an expert; `UnknownKeyError` when there is none."""
        i = self.index.get(key)
        if i is None:
            raise UnknownKeyError(f"no expert with key {key!r}")
        return i

    def tie(self, i: int, j: int) -> Tie:
        """The tie between experts `i` and `j` (KeyError when they are not tied)."""
        return self.ties[(i, j) if i < j else (j, i)]

    def tie_between(self, a: str, b: str) -> Tie | None:
        """The tie between two experts by key, or None."""
        i, j = self.position(a), self.position(b)
        return self.ties.get((i, j) if i < j else (j, i))

    def degree(self, i: int) -> int:
        """How many experts `i` is tied to."""
        return len(self.adjacency[i])

    def strength(self, i: int) -> float:
        """The total weight of `i`'s ties."""
        return sum(self.tie(i, j).weight for j in self.adjacency[i])

    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ties as arrays (i, j, weight) with i < j, ordered by (i, j)."""
        pairs = sorted(self.ties)
        i = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        j = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
        w = np.fromiter((self.ties[p].weight for p in pairs), dtype=np.float64, count=len(pairs))
        return i, j, w

    def to_igraph(self) -> ig.Graph:
        """An undirected igraph graph on the expert indexes, with a `weight` edge attribute."""
        i, j, w = self.edge_arrays()
        return igraph_from_edges(self.n, i, j, w)

    def to_networkx(self) -> nx.Graph:
        """A networkx graph on the expert keys, with `weight`, `distance` and `kind` on ties."""
        g = nx.Graph()
        g.add_nodes_from(self.experts)
        for tie in self.ties.values():
            g.add_edge(tie.a, tie.b, weight=tie.weight, distance=tie.distance, kind=tie.kind)
        return g


def _kind_order(kind: str) -> int:
    return TIE_KINDS.index(kind) if kind in TIE_KINDS else len(TIE_KINDS)


@without_gc
def build_collaboration_graph(
    view: nx.MultiDiGraph, *, weights: Mapping[str, float] = TIE_WEIGHTS
) -> CollaborationGraph:
    """The collaboration network of the graph's experts.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The store's read-only view.
    weights : mapping, optional
        Base weights of the evidence: keys ``collaboration``, ``commissioner_team``,
        ``same_enterprise`` and ``same_achievement`` (see `TIE_WEIGHTS`).

    Returns
    -------
    CollaborationGraph
        Every expert, and a tie between each pair with some evidence.
    """
    missing = set(TIE_WEIGHTS) - set(weights)
    if missing:
        raise AnalyticsError(f"tie weights missing for {sorted(missing)}")
    data = collect(view, ("Expert",), ("COLLABORATES_WITH", "SERVED", "OWNS"))
    experts = tuple(sorted(data.nodes["Expert"]))
    index = {k: i for i, k in enumerate(experts)}
    names = tuple(data.name("Expert", k) for k in experts)
    # (i, j) -> kind -> [weight, count]
    acc: dict[tuple[int, int], dict[str, list[float]]] = defaultdict(dict)

    def add(i: int, j: int, kind: str, weight: float, count: int) -> None:
        if i == j or weight <= 0:
            return
        slot = acc[(i, j) if i < j else (j, i)].setdefault(kind, [0.0, 0])
        slot[0] += weight
        slot[1] += count

    for sl, sk, dl, dk, props in data.rels["COLLABORATES_WITH"]:
        i, j = index.get(sk), index.get(dk)
        if i is None or j is None or sl != "Expert" or dl != "Expert":
            continue
        count = max(1, int(props.get("count") or 1))
        kind = str(props.get("kind") or "other")
        add(i, j, kind, weights["collaboration"] * (1.0 + math.log2(count)), count)

    served: dict[str, dict[int, list[tuple[str, str, str]]]] = defaultdict(dict)
    for sl, sk, _, dk, props in data.rels["SERVED"]:
        i = index.get(sk)
        if i is None or sl != "Expert":
            continue
        role = str(props.get("role") or "")
        start = props.get("start_on")
        end = props.get("end_on")
        records = served[dk].setdefault(i, [])
        if role in TEAM_ROLES and start is not None:
            records.append((role, str(start), "9999-12-31" if end is None else str(end)))
    for by_expert in served.values():
        members = sorted(by_expert)
        if len(members) < 2:
            continue
        share = weights["same_enterprise"] / (len(members) - 1)
        for i, j in combinations(members, 2):
            add(i, j, "same_enterprise", share, 1)
            if any(
                s1 <= e2 and s2 <= e1 for _, s1, e1 in by_expert[i] for _, s2, e2 in by_expert[j]
            ):
                add(i, j, "commissioner_team", weights["commissioner_team"], 1)

    owners: dict[str, set[int]] = defaultdict(set)
    for sl, sk, _, dk, _ in data.rels["OWNS"]:
        i = index.get(sk)
        if sl == "Expert" and i is not None:
            owners[dk].add(i)
    for owned_by in owners.values():
        if len(owned_by) < 2:
            continue
        share = weights["same_achievement"] / (len(owned_by) - 1)
        for i, j in combinations(sorted(owned_by), 2):
            add(i, j, "same_achievement", share, 1)

    ties: dict[tuple[int, int], Tie] = {}
    neighbours: list[list[int]] = [[] for _ in experts]
    for i, j in sorted(acc):
        kinds = acc[(i, j)]
        sources = tuple(
            sorted(
                (TieSource(kind, w, int(c)) for kind, (w, c) in kinds.items()),
                key=lambda s: (-s.weight, _kind_order(s.kind), s.kind),
            )
        )
        ties[(i, j)] = Tie(experts[i], experts[j], sum(s.weight for s in sources), sources)
        neighbours[i].append(j)
        neighbours[j].append(i)
    return CollaborationGraph(
        experts=experts,
        names=names,
        index=index,
        adjacency=tuple(tuple(sorted(n)) for n in neighbours),
        ties=ties,
    )


# -- paths ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollaborationPath:
    """A chain of experts from one to another and the ties that link them (`ties[i]` links
    `experts[i]` and `experts[i + 1]`)."""

    experts: tuple[str, ...]
    names: tuple[str, ...]
    ties: tuple[Tie, ...]

    @property
    def length(self) -> int:
        """The number of ties (hops)."""
        return len(self.ties)

    @property
    def distance(self) -> float:
        """The sum of the ties' distances ``1 / weight``."""
        return sum(t.distance for t in self.ties)


def collaboration_path(
    graph: CollaborationGraph, source: str, target: str, *, max_hops: int = 4
) -> CollaborationPath | None:
    """The shortest chain of collaborators from `source` to `target`.

    Shortest in hops; among the chains with the fewest hops, the one with the least total
    distance (the strongest ties); among equal ones, the one through the lowest keys.

    Parameters
    ----------
    graph : CollaborationGraph
        The collaboration network.
    source, target : str
        Expert keys.
    max_hops : int, optional
        The longest chain wanted, in ties (at least 0).

    Returns
    -------
    CollaborationPath or None
        None when no chain of at most `max_hops` ties links the two.

    Raises
    ------
    UnknownKeyError
        When a key names no expert.
    AnalyticsError
        When `max_hops` is negative.
    """
    if max_hops < 0:
        raise AnalyticsError(f"`max_hops` must be at least 0 (got {max_hops})")
    s, t = graph.position(source), graph.position(target)
    if s == t:
        return CollaborationPath((source,), (graph.names[s],), ())
    adj = graph.adjacency
    dist = {s: 0}
    layers: list[list[int]] = [[s]]
    while layers[-1] and len(layers) - 1 < max_hops and t not in dist:
        level = len(layers)
        nxt: list[int] = []
        for u in layers[-1]:
            for v in adj[u]:
                if v not in dist:
                    dist[v] = level
                    nxt.append(v)
        layers.append(nxt)
    if t not in dist:
        return None
    hops = dist[t]
    # The nodes on some shortest path, layer by layer from the target back to the source.
    on_path: list[set[int]] = [set() for _ in range(hops + 1)]
    on_path[hops].add(t)
    for level in range(hops, 0, -1):
        for u in on_path[level]:
            on_path[level - 1].update(p for p in adj[u] if dist.get(p) == level - 1)
    best: dict[int, tuple[float, int]] = {s: (0.0, -1)}  # node -> (distance, predecessor)
    for level in range(1, hops + 1):
        for u in sorted(on_path[level]):
            choice: tuple[float, int] | None = None
            for p in sorted(on_path[level - 1].intersection(adj[u])):
                d = best[p][0] + graph.tie(p, u).distance
                if choice is None or d < choice[0]:
                    choice = (d, p)
            assert choice is not None
            best[u] = choice
    chain = [t]
    while chain[-1] != s:
        chain.append(best[chain[-1]][1])
    chain.reverse()
    return CollaborationPath(
        experts=tuple(graph.experts[i] for i in chain),
        names=tuple(graph.names[i] for i in chain),
        ties=tuple(graph.tie(a, b) for a, b in pairwise(chain)),
    )


# -- ego networks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EgoNode:
    """An expert of an ego network: how far from the centre (in ties), the weight of its
    strongest tie towards the centre's side, and its ties in the whole network."""

    key: str
    name: str
    depth: int
    strength: float
    degree: int


@dataclass(frozen=True)
class EgoEdge:
    """A tie of an ego network (`source` < `target`)."""

    source: str
    target: str
    weight: float
    kind: str
    tie: Tie


@dataclass(frozen=True)
class EgoNetwork:
    """An expert, the experts within `depth` ties, and every tie among them: ready to draw."""

    center: str
    depth: int
    nodes: tuple[EgoNode, ...]
    edges: tuple[EgoEdge, ...]
    reachable: int  # experts within `depth` ties, the centre excluded
    truncated: bool  # True when `first` left some of them out


def collaboration_network(
    graph: CollaborationGraph, expert: str, *, depth: int = 1, first: int = 50
) -> EgoNetwork:
    """The ego network of an expert.

    Parameters
    ----------
    graph : CollaborationGraph
        The collaboration network.
    expert : str
        The centre's key.
    depth : int, optional
        How many ties away to go (at least 0).
    first : int, optional
        At most this many experts besides the centre: the nearest first, then those with
        the strongest tie towards the centre's side, then by key.

    Returns
    -------
    EgoNetwork
        The centre first, then the others in that order; every tie among them.

    Raises
    ------
    UnknownKeyError
        When `expert` names no expert.
    AnalyticsError
        When `depth` or `first` is negative.
    """
    if depth < 0 or first < 0:
        raise AnalyticsError("`depth` and `first` must be at least 0")
    c = graph.position(expert)
    adj = graph.adjacency
    dist = {c: 0}
    strength = {c: 0.0}
    frontier = [c]
    for level in range(1, depth + 1):
        nxt: list[int] = []
        for u in frontier:
            for v in adj[u]:
                if v not in dist:
                    dist[v] = level
                    nxt.append(v)
        for v in nxt:
            strength[v] = max(graph.tie(u, v).weight for u in adj[v] if dist.get(u) == level - 1)
        frontier = nxt
        if not frontier:
            break
    others = sorted(
        (i for i in dist if i != c), key=lambda i: (dist[i], -strength[i], graph.experts[i])
    )
    chosen = [c, *others[:first]]
    members = set(chosen)
    nodes = tuple(
        EgoNode(graph.experts[i], graph.names[i], dist[i], strength[i], graph.degree(i))
        for i in chosen
    )
    edges = []
    for i in sorted(members):
        for j in adj[i]:
            if j > i and j in members:
                tie = graph.tie(i, j)
                edges.append(EgoEdge(tie.a, tie.b, tie.weight, tie.kind, tie))
    return EgoNetwork(
        center=expert,
        depth=depth,
        nodes=nodes,
        edges=tuple(edges),
        reachable=len(others),
        truncated=len(others) > first,
    )


# -- centrality -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedExpert:
    """An expert's score in a ranking, with its ties in the network."""

    rank: int
    key: str
    name: str
    score: float
    degree: int
    strength: float


@dataclass(frozen=True)
class Ranking:
    """Experts ranked by a centrality, best first (equal scores by key)."""

    measure: str
    experts: tuple[RankedExpert, ...] = field(repr=False)
    samples: int | None = None  # sources sampled (betweenness), None when exact
    seed: int | None = None

    def top(self, first: int) -> tuple[RankedExpert, ...]:
        """The first `first` experts."""
        return self.experts[: max(0, first)]


def _ranking(
    graph: CollaborationGraph,
    measure: str,
    scores: Sequence[float],
    samples: int | None = None,
    seed: int | None = None,
) -> Ranking:
    order = sorted(range(graph.n), key=lambda i: (-scores[i], graph.experts[i]))
    return Ranking(
        measure=measure,
        experts=tuple(
            RankedExpert(
                rank=r + 1,
                key=graph.experts[i],
                name=graph.names[i],
                score=float(scores[i]),
                degree=graph.degree(i),
                strength=graph.strength(i),
            )
            for r, i in enumerate(order)
        ),
        samples=samples,
        seed=seed,
    )


def betweenness(
    graph: CollaborationGraph, *, samples: int | None = None, seed: int = 0
) -> tuple[np.ndarray, int | None]:
    """Normalised betweenness centrality of every expert, on shortest paths in hops.

    Exact (as networkx's ``betweenness_centrality(G, normalized=True)``) when `samples` is
    None and the network has at most `EXACT_BETWEENNESS_LIMIT` tied experts. Otherwise
    estimated from `samples` source experts (default `BETWEENNESS_SAMPLES`) drawn with
    `seed` among the ``m`` tied ones: the sum over the sampled sources is scaled by
    ``(m - 1) / samples`` (by ``(m - 1) / (samples - 1)`` for a sampled expert, which is
    never an inner node of its own paths), as networkx scales its ``k`` samples.

    Returns
    -------
    (numpy.ndarray, int or None)
        The scores by expert index, and the number of sources sampled (None when exact).
    """
    n = graph.n
    tied = [i for i in range(n) if graph.adjacency[i]]
    if samples is None and len(tied) > EXACT_BETWEENNESS_LIMIT:
        samples = BETWEENNESS_SAMPLES
    if samples is not None and samples < 2:
        raise AnalyticsError(f"`samples` must be at least 2 (got {samples})")
    scores = np.zeros(n)
    if n <= 2 or not tied:
        return scores, None
    g = graph.to_igraph()
    norm = (n - 1) * (n - 2)
    if samples is None or samples >= len(tied):
        # igraph counts each unordered pair once; networkx's normalisation counts ordered ones.
        raw = np.asarray(g.betweenness(directed=False), dtype=np.float64)
        return raw * 2.0 / norm, None
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(np.asarray(tied), size=samples, replace=False))
    raw = np.asarray(g.betweenness(directed=False, sources=sources.tolist()), dtype=np.float64)
    factor = np.full(n, (len(tied) - 1) / samples)
    factor[sources] = (len(tied) - 1) / (samples - 1)
    return raw * 2.0 * factor / norm, samples


def brokers(
    graph: CollaborationGraph,
    *,
    first: int | None = 10,
    samples: int | None = None,
    seed: int = 0,
) -> tuple[RankedExpert, ...]:
    """The experts who most often sit on the shortest chains between others.

    Parameters
    ----------
    graph : CollaborationGraph
        The collaboration network.
    first : int or None, optional
        How many to return (None: all).
    samples, seed : optional
        See `betweenness`.

    Returns
    -------
    tuple of RankedExpert
        Highest betweenness first.
    """
    return broker_ranking(graph, samples=samples, seed=seed).experts[:first]


def broker_ranking(
    graph: CollaborationGraph, *, samples: int | None = None, seed: int = 0
) -> Ranking:
    """Every expert ranked by betweenness (see `betweenness`)."""
    scores, used = betweenness(graph, samples=samples, seed=seed)
    return _ranking(graph, "betweenness", scores.tolist(), used, seed if used else None)


def key_experts(
    graph: CollaborationGraph, *, first: int | None = 10, damping: float = 0.85
) -> tuple[RankedExpert, ...]:
    """The most central experts by weighted PageRank."""
    return pagerank_ranking(graph, damping=damping).experts[:first]


def pagerank_ranking(graph: CollaborationGraph, *, damping: float = 0.85) -> Ranking:
    """Every expert ranked by PageRank over the tie weights (undirected; experts without
    ties get the teleport share only).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for k in "ABC":
    ...     g.add_node(f"Expert:{k}", key=k)
    >>> _ = g.add_edge("Expert:A", "Expert:B", "COLLABORATES_WITH", count=1)
    >>> _ = g.add_edge("Expert:B", "Expert:C", "COLLABORATES_WITH", count=1)
    >>> [e.key for e in pagerank_ranking(build_collaboration_graph(g)).experts]
    ['B', 'A', 'C']
    """
    if not 0.0 <= damping < 1.0:
        raise AnalyticsError(f"`damping` must be in [0, 1) (got {damping})")
    if graph.n == 0:
        return Ranking("pagerank", ())
    g = graph.to_igraph()
    scores = g.pagerank(weights="weight" if g.ecount() else None, damping=damping, directed=False)
    return _ranking(graph, "pagerank", scores)
