"""Analytics over GraphQL: the collaboration network (paths, ego networks, brokers, key
experts), expert clusters, coverage and gaps, and service evaluation figures.

Resolvers are thin: they check arguments, take the result from `info.context.cache` (built
once per graph version, in a worker thread, by `graphsvc.algorithms`) and shape it. Planners
and admins may explore the network and clusters; coverage and service figures, aggregates of
what the portal role already sees (service records, pairings, deals), are open to portal and
above. docs/analytics.md explains the definitions.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Hashable, Sequence
from typing import Annotated, Any, ClassVar, TypeVar

import networkx as nx
import strawberry
from strawberry.permission import BasePermission

from graphsvc.algorithms import collaboration as collab
from graphsvc.algorithms import communities, coverage, evaluation
from graphsvc.auth import Role
from graphsvc.schema.context import Info
from graphsvc.schema.derived import derived
from graphsvc.schema.errors import BadInputError
from graphsvc.schema.limits import check_first
from graphsvc.schema.types import (
    City,
    County,
    E,
    Enterprise,
    Expert,
    Industry,
    Institution,
    Subgroup,
)
from graphsvc.store.base import GraphStore

__all__ = [
    "MAX_DEPTH",
    "MAX_HOPS",
    "AnalyticsQuery",
    "ClusterProjection",
    "ServiceGroupBy",
]

MAX_HOPS = 8  # longest collaboration path asked for
MAX_DEPTH = 4  # deepest ego network asked for
T = TypeVar("T")


# -- access -----------------------------------------------------------------------------------


class _AtLeast(BasePermission):
    role: ClassVar[Role]
    error_extensions: ClassVar[dict[str, object]] = {"code": "FORBIDDEN"}  # type: ignore[misc]

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.role >= self.role


class PlannerAnalytics(_AtLeast):
    """The collaboration network and clusters: planners and admins."""

    role = Role.PLANNER
    message = "analytics need the planner role or higher (Authorization: Bearer <token>)"


class PortalAnalytics(_AtLeast):
    """Coverage and service figures: portal and above."""

    role = Role.PORTAL
    message = "this figure needs the portal role or higher (Authorization: Bearer <token>)"


# -- plumbing ---------------------------------------------------------------------------------


async def _cached(
    info: Info, key: tuple[Hashable, ...], build: Callable[[nx.MultiDiGraph], T]
) -> T:
    """The result for `key` at the store's current version, built in a background thread
    when missing (right after a write, the previous version's while it is built: see
    graphsvc.schema.derived); analysis errors become input errors."""
    ctx = info.context
    ctx.check_time()
    store = ctx.store

    def walk() -> T:
        with store.reading():
            return build(store.view())

    try:
        result = await derived(info, ("analytics", *key), walk, what="this figure")
    except collab.AnalyticsError as e:
        raise BadInputError(str(e)) from None
    ctx.check_time()
    return result


async def _network(info: Info) -> collab.CollaborationGraph:
    return await _cached(info, ("collaboration-graph",), collab.build_collaboration_graph)


async def _entities(info: Info, cls: type[E], keys: Sequence[str]) -> list[E]:
    """Objects of `cls` by key, in order (keys that name nothing are left out)."""
    found = await info.context.loaders.node(cls.LABEL).load_many(list(keys))
    return [cls.from_props(p) for p in found if p is not None]


async def _entity(info: Info, cls: type[E], key: str) -> E | None:
    props = await info.context.loaders.node(cls.LABEL).load(key)
    return None if props is None else cls.from_props(props)


def _check(value: float, low: float, high: float, name: str) -> None:
    if not low <= value <= high:
        raise BadInputError(f"`{name}` must be between {low:g} and {high:g} (got {value:g})")


def _expert_key(graph: collab.CollaborationGraph, key: str, name: str) -> str:
    if key not in graph.index:
        raise BadInputError(f"`{name}`: no expert with key {key!r}")
    return key


# -- the collaboration network ----------------------------------------------------------------


@strawberry.type(description="One kind of evidence for a tie, and the weight it adds.")
class TieSource:
    kind: str = strawberry.field(
        description=(
            "coauthor, project, service_team or other (a recorded collaboration); "
            "commissioner_team, same_enterprise or same_achievement (derived)."
        )
    )
    weight: float
    count: int = strawberry.field(
        description="How much evidence: collaborations recorded, enterprises, achievements."
    )


def _sources(tie: collab.Tie) -> list[TieSource]:
    return [TieSource(kind=s.kind, weight=s.weight, count=s.count) for s in tie.sources]


@strawberry.type(description="A tie between two experts: its total weight and its sources.")
class CollaborationTie:
    source: str = strawberry.field(description="Key of the expert on one side.")
    target: str = strawberry.field(description="Key of the expert on the other side.")
    kind: str = strawberry.field(description="The kind of its heaviest source.")
    weight: float = strawberry.field(description="The sum of its sources' weights.")
    sources: list[TieSource]

    @classmethod
    def make(cls, tie: collab.Tie, source: str, target: str) -> CollaborationTie:
        """The tie oriented from `source` to `target`."""
        return cls(
            source=source, target=target, kind=tie.kind, weight=tie.weight, sources=_sources(tie)
        )


@strawberry.type(
    description=(
        "The shortest chain of collaborators between two experts: fewest ties, then the "
        "strongest (least total distance, a tie's distance being 1 / weight)."
    )
)
class CollaborationPath:
    length: int = strawberry.field(description="The number of ties.")
    distance: float = strawberry.field(description="The sum of 1 / weight over its ties.")
    expert_keys: list[str] = strawberry.field(description="The experts' keys, in order.")
    ties: list[CollaborationTie] = strawberry.field(
        description="`ties[i]` links `experts[i]` and `experts[i + 1]`."
    )

    @strawberry.field(description="The experts from one end to the other.")
    async def experts(self, info: Info) -> list[Expert]:
        return await _entities(info, Expert, self.expert_keys)


@strawberry.type(description="An expert of an ego network.")
class NetworkNode:
    key: str = strawberry.field(description="The expert's key (the node's id in `edges`).")
    name: str
    depth: int = strawberry.field(description="Ties from the centre (0: the centre).")
    strength: float = strawberry.field(
        description="Weight of its strongest tie towards the centre's side."
    )
    degree: int = strawberry.field(description="Its ties in the whole network.")

    @strawberry.field(description="The expert.")
    async def expert(self, info: Info) -> Expert | None:
        return await _entity(info, Expert, self.key)


@strawberry.type(description="A tie of an ego network, between two of its nodes.")
class NetworkEdge:
    source: str = strawberry.field(description="Key of one expert (the smaller key).")
    target: str = strawberry.field(description="Key of the other expert.")
    weight: float
    kind: str = strawberry.field(description="The kind of its heaviest source.")
    sources: list[TieSource]


@strawberry.type(description="An expert's collaboration network, ready to draw.")
class CollaborationNetwork:
    center_key: str = strawberry.field(description="The centre's key.")
    depth: int
    nodes: list[NetworkNode] = strawberry.field(
        description="The centre first, then the nearest, strongest-tied experts."
    )
    edges: list[NetworkEdge] = strawberry.field(description="Every tie among the nodes.")
    reachable: int = strawberry.field(
        description="Experts within `depth` ties, the centre excluded."
    )
    truncated: bool = strawberry.field(description="True when `first` left some of them out.")

    @strawberry.field(description="The centre.")
    async def center(self, info: Info) -> Expert | None:
        return await _entity(info, Expert, self.center_key)


@strawberry.type(description="An expert's place in a ranking by centrality.")
class RankedExpert:
    rank: int
    key: str
    score: float = strawberry.field(
        description="Betweenness (brokers, normalised) or PageRank (key experts)."
    )
    degree: int = strawberry.field(description="Experts they are tied to.")
    strength: float = strawberry.field(description="The total weight of their ties.")

    @strawberry.field(description="The expert.")
    async def expert(self, info: Info) -> Expert | None:
        return await _entity(info, Expert, self.key)


def _ranked(rows: Sequence[collab.RankedExpert]) -> list[RankedExpert]:
    return [
        RankedExpert(rank=r.rank, key=r.key, score=r.score, degree=r.degree, strength=r.strength)
        for r in rows
    ]


# -- clusters ---------------------------------------------------------------------------------


@strawberry.enum(description="The graph of experts clusters are found in.")
class ClusterProjection(enum.Enum):
    INDUSTRY_EXPERT = "industry_expert"
    COLLABORATION = "collaboration"


def _objects(store: GraphStore, cls: type[E], keys: Sequence[str]) -> list[E]:
    """Objects of `cls` by key, in order, read at once (keys that name nothing are left out)."""
    return [cls.from_props(p) for p in store.get_nodes(cls.LABEL, keys) if p is not None]


@strawberry.type(description="An industry of a cluster and how many of its experts are in it.")
class ClusterIndustry:
    industry: Industry
    experts: int


@strawberry.type(description="An institution of a cluster and how many of its experts it has.")
class ClusterInstitution:
    institution: Institution
    experts: int


@strawberry.type(description="A county and how many of its enterprises the cluster served.")
class ClusterCounty:
    county: County
    enterprises: int


@strawberry.type(description="An expert of a cluster and the weight of their ties inside it.")
class ClusterMember:
    expert: Expert
    strength: float


@strawberry.type(description="A community of experts and what it holds (top 10 of each list).")
class Cluster:
    id: int = strawberry.field(description="0 is the largest cluster.")
    size: int = strawberry.field(description="Its experts.")
    open_demands: int = strawberry.field(
        description="Open demands concerning the industries it owns."
    )
    demand_expert_ratio: float = strawberry.field(description="Open demands per expert.")
    industries: list[Industry] = strawberry.field(description="Its top industries.")
    experts: list[Expert] = strawberry.field(description="Its top experts.")
    institutions: list[Institution] = strawberry.field(description="Its top institutions.")
    counties: list[County] = strawberry.field(description="Its top counties.")
    owned_industries: list[Industry] = strawberry.field(
        description="Industries most of whose experts are in it."
    )
    top_industries: list[ClusterIndustry] = strawberry.field(
        description="Its experts' industries, by how many of them."
    )
    top_institutions: list[ClusterInstitution] = strawberry.field(
        description="Its experts' institutions, by how many of them."
    )
    top_counties: list[ClusterCounty] = strawberry.field(
        description="Counties of the enterprises its experts served, by enterprises."
    )
    top_experts: list[ClusterMember] = strawberry.field(
        description="Its experts with the strongest ties inside it."
    )

    @classmethod
    def make(cls, c: communities.Cluster, store: GraphStore) -> Cluster:
        """The GraphQL object of a cluster, with its objects read from the store."""
        industries = _objects(store, Industry, [i.key for i in c.industries])
        experts = _objects(store, Expert, [e.key for e in c.experts])
        institutions = _objects(store, Institution, [i.key for i in c.institutions])
        counties = _objects(store, County, [i.key for i in c.counties])
        count = {i.key: i.count for i in (*c.industries, *c.institutions, *c.counties)}
        strength = {e.key: e.strength for e in c.experts}
        return cls(
            id=c.id,
            size=c.size,
            open_demands=c.open_demands,
            demand_expert_ratio=c.demand_expert_ratio,
            industries=industries,
            experts=experts,
            institutions=institutions,
            counties=counties,
            owned_industries=_objects(store, Industry, c.owned_industries),
            top_industries=[ClusterIndustry(industry=i, experts=count[i.code]) for i in industries],
            top_institutions=[
                ClusterInstitution(institution=i, experts=count[i.key]) for i in institutions
            ],
            top_counties=[ClusterCounty(county=i, enterprises=count[i.code]) for i in counties],
            top_experts=[ClusterMember(expert=e, strength=strength[e.key]) for e in experts],
        )


@strawberry.type(description="Communities of experts (Leiden, seeded) and their modularity.")
class Clusters:
    projection: ClusterProjection
    resolution: float
    seed: int
    modularity: float = strawberry.field(
        description="Newman's modularity (resolution 1) of the partition on the projection."
    )
    cluster_count: int = strawberry.field(description="All clusters, singletons included.")
    experts: int = strawberry.field(description="Experts in the projection.")
    edges: int = strawberry.field(description="Weighted ties in the projection.")
    unassigned_open_demands: int = strawberry.field(
        description="Open demands whose industries no cluster owns."
    )
    clusters: list[Cluster] = strawberry.field(description="The largest clusters first.")
    result: strawberry.Private[communities.Clustering]

    def __repr__(self) -> str:
        return f"Clusters(modularity={self.modularity}, clusters={len(self.clusters)})"

    @strawberry.field(description="The id of the cluster an expert is in (null: not in one).")
    def cluster_of(self, expert: str) -> int | None:
        return self.result.membership.get(expert)


# -- coverage ---------------------------------------------------------------------------------


@strawberry.type(description="An industry with open demands and the experts within its reach.")
class IndustryGap:
    rank: int
    code: str
    open_demands: int = strawberry.field(description="Open demands concerning it.")
    experts: int = strawberry.field(description="Experts in it, below it or above it.")
    commissioners: int = strawberry.field(description="Of those experts, commissioners.")
    pressure: float = strawberry.field(description="openDemands / (experts + 1).")

    @strawberry.field
    async def industry(self, info: Info) -> Industry | None:
        return await _entity(info, Industry, self.code)


@strawberry.type(description="A county with open demands and the experts within its reach.")
class CountyGap:
    rank: int
    code: str
    open_demands: int = strawberry.field(description="Open demands of its enterprises.")
    experts: int = strawberry.field(description="Experts based in its city or serving in it now.")
    commissioners: int = strawberry.field(description="Of those experts, commissioners.")
    pressure: float = strawberry.field(description="openDemands / (experts + 1).")

    @strawberry.field
    async def county(self, info: Info) -> County | None:
        return await _entity(info, County, self.code)


FirstArg = Annotated[int | None, strawberry.argument(description="At most 100.")]


@strawberry.type(description="The programme's coverage and its gaps, ranked.")
class Coverage:
    as_of: dt.date = strawberry.field(description="The day services are ongoing at.")
    enterprises: int
    benchmark_total: int = strawberry.field(description="Benchmark enterprises.")
    benchmark_paired: int = strawberry.field(
        description="Benchmark enterprises an institution is paired with."
    )
    pairing_coverage: float = strawberry.field(description="benchmarkPaired / benchmarkTotal.")
    counties_total: int
    counties_with_commissioner: int = strawberry.field(
        description="Counties where a commissioner serves an enterprise now."
    )
    commissioner_coverage: float
    poverty_counties_total: int
    poverty_counties_with_commissioner: int
    poverty_commissioner_coverage: float
    poverty_counties_served: int = strawberry.field(
        description="Poverty counties where any expert serves an enterprise now."
    )
    poverty_served_coverage: float
    three_no_total: int = strawberry.field(
        description="Enterprises with no R&D staff, no R&D platform and no R&D spending."
    )
    three_no_benchmark: int = strawberry.field(description="Of those, benchmark enterprises.")
    three_no_share: float = strawberry.field(description="threeNoTotal / enterprises.")
    result: strawberry.Private[coverage.Coverage]

    def __repr__(self) -> str:
        return f"Coverage(as_of={self.as_of})"

    @strawberry.field(description="Three-no enterprises, by key.")
    async def three_no_enterprises(self, info: Info, first: FirstArg = None) -> list[Enterprise]:
        size = check_first(first, info.context.limits)
        return await _entities(info, Enterprise, self.result.three_no[:size])

    @strawberry.field(description="Benchmark enterprises no institution is paired with, by key.")
    async def unpaired_benchmarks(self, info: Info, first: FirstArg = None) -> list[Enterprise]:
        size = check_first(first, info.context.limits)
        return await _entities(info, Enterprise, self.result.unpaired_benchmarks[:size])

    @strawberry.field(description="Counties without an active commissioner, by code.")
    async def counties_without_commissioner(
        self, info: Info, first: FirstArg = None
    ) -> list[County]:
        size = check_first(first, info.context.limits)
        return await _entities(info, County, self.result.counties_without_commissioner[:size])

    @strawberry.field(description="Industries with open demands, most pressing first.")
    def industry_gaps(self, info: Info, first: FirstArg = None) -> list[IndustryGap]:
        size = check_first(first, info.context.limits)
        return [
            IndustryGap(
                rank=g.rank,
                code=g.key,
                open_demands=g.open_demands,
                experts=g.experts,
                commissioners=g.commissioners,
                pressure=g.pressure,
            )
            for g in self.result.industry_gaps[:size]
        ]

    @strawberry.field(description="Counties with open demands, most pressing first.")
    def county_gaps(self, info: Info, first: FirstArg = None) -> list[CountyGap]:
        size = check_first(first, info.context.limits)
        return [
            CountyGap(
                rank=g.rank,
                code=g.key,
                open_demands=g.open_demands,
                experts=g.experts,
                commissioners=g.commissioners,
                pressure=g.pressure,
            )
            for g in self.result.county_gaps[:size]
        ]

    @classmethod
    def make(cls, c: coverage.Coverage) -> Coverage:
        """The GraphQL object of the coverage figures."""
        return cls(
            as_of=dt.date.fromisoformat(c.as_of),
            enterprises=c.enterprises,
            benchmark_total=c.benchmark_total,
            benchmark_paired=c.benchmark_paired,
            pairing_coverage=c.pairing_coverage,
            counties_total=c.counties_total,
            counties_with_commissioner=c.counties_with_commissioner,
            commissioner_coverage=c.commissioner_coverage,
            poverty_counties_total=c.poverty_counties_total,
            poverty_counties_with_commissioner=c.poverty_counties_with_commissioner,
            poverty_commissioner_coverage=c.poverty_commissioner_coverage,
            poverty_counties_served=c.poverty_counties_served,
            poverty_served_coverage=c.poverty_served_coverage,
            three_no_total=len(c.three_no),
            three_no_benchmark=c.three_no_benchmark,
            three_no_share=c.three_no_share,
            result=c,
        )


# -- service evaluation -----------------------------------------------------------------------


@strawberry.enum(description="What service figures are grouped by.")
class ServiceGroupBy(enum.Enum):
    EXPERT = "expert"
    INSTITUTION = "institution"
    CITY = "city"
    SUBGROUP = "subgroup"


@strawberry.type(description="Service figures of one group (or of the whole province).")
class ServiceGroup:
    key: str = strawberry.field(description="The group's key or code; empty for the province.")
    name: str
    experts: int = strawberry.field(
        description="Its experts (for a city: the experts who served there)."
    )
    services: int = strawberry.field(description="Service records.")
    enterprises_served: int
    demands_addressed: int
    demands_solved: int = strawberry.field(description="Demands with a solved service record.")
    rated_services: int
    mean_rating: float | None = strawberry.field(description="Over rated services, 1 to 5.")
    first_responses: int = strawberry.field(
        description="Demands whose first service was the group's."
    )
    mean_days_to_first_service: float | None = strawberry.field(
        description="Days from a demand's posting to its first service, on average."
    )
    median_days_to_first_service: float | None
    deals: int
    deal_amount_wan: float = strawberry.field(description="Their amounts, in 万元.")
    contracts: int = strawberry.field(description="Deals at the contract stage.")
    contract_amount_wan: float
    group_by: strawberry.Private[evaluation.GroupBy | None]

    @classmethod
    def make(cls, s: evaluation.GroupStats, group_by: evaluation.GroupBy | None) -> ServiceGroup:
        """The GraphQL object of a group's figures."""
        return cls(
            key=s.key,
            name=s.name,
            experts=s.experts,
            services=s.services,
            enterprises_served=s.enterprises_served,
            demands_addressed=s.demands_addressed,
            demands_solved=s.demands_solved,
            rated_services=s.rated_services,
            mean_rating=s.mean_rating,
            first_responses=s.first_responses,
            mean_days_to_first_service=s.mean_days_to_first_service,
            median_days_to_first_service=s.median_days_to_first_service,
            deals=s.deals,
            deal_amount_wan=s.deal_amount_wan,
            contracts=s.contracts,
            contract_amount_wan=s.contract_amount_wan,
            group_by=group_by,
        )

    async def _of(self, info: Info, by: evaluation.GroupBy, cls: type[E]) -> E | None:
        return await _entity(info, cls, self.key) if self.group_by is by else None

    @strawberry.field(description="The expert, when grouped by expert.")
    async def expert(self, info: Info) -> Expert | None:
        return await self._of(info, evaluation.GroupBy.EXPERT, Expert)

    @strawberry.field(description="The institution, when grouped by institution.")
    async def institution(self, info: Info) -> Institution | None:
        return await self._of(info, evaluation.GroupBy.INSTITUTION, Institution)

    @strawberry.field(description="The city, when grouped by city.")
    async def city(self, info: Info) -> City | None:
        return await self._of(info, evaluation.GroupBy.CITY, City)

    @strawberry.field(description="The subgroup, when grouped by subgroup.")
    async def subgroup(self, info: Info) -> Subgroup | None:
        return await self._of(info, evaluation.GroupBy.SUBGROUP, Subgroup)


@strawberry.type(description="Service figures per group, and for the whole province.")
class ServiceStats:
    group_by: ServiceGroupBy
    group_count: int = strawberry.field(description="Groups, with or without services.")
    total: ServiceGroup = strawberry.field(description="The whole province.")
    groups: list[ServiceGroup] = strawberry.field(
        description="By enterprises served, then services, then key."
    )


# -- the query --------------------------------------------------------------------------------


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description=(
            "The shortest chain of collaborators from one expert to another (fewest ties, "
            "then strongest); null when none has at most `maxHops` ties. Planner role."
        ),
        permission_classes=[PlannerAnalytics],
    )
    async def collaboration_path(
        self,
        info: Info,
        from_: Annotated[str, strawberry.argument(name="from", description="An expert key.")],
        to: Annotated[str, strawberry.argument(description="An expert key.")],
        max_hops: Annotated[int, strawberry.argument(description=f"0 to {MAX_HOPS}.")] = 4,
    ) -> CollaborationPath | None:
        _check(max_hops, 0, MAX_HOPS, "maxHops")
        graph = await _network(info)
        _expert_key(graph, from_, "from")
        _expert_key(graph, to, "to")
        path = collab.collaboration_path(graph, from_, to, max_hops=max_hops)
        if path is None:
            return None
        ties = [
            CollaborationTie.make(tie, a, b)
            for tie, a, b in zip(path.ties, path.experts, path.experts[1:], strict=False)
        ]
        return CollaborationPath(
            length=path.length, distance=path.distance, expert_keys=list(path.experts), ties=ties
        )

    @strawberry.field(
        description=(
            "An expert's collaboration network within `depth` ties: nodes and edges ready to "
            "draw; `first` experts besides the centre. Planner role."
        ),
        permission_classes=[PlannerAnalytics],
    )
    async def collaboration_network(
        self,
        info: Info,
        expert: Annotated[str, strawberry.argument(description="The centre's key.")],
        depth: Annotated[int, strawberry.argument(description=f"1 to {MAX_DEPTH}.")] = 1,
        first: FirstArg = 50,
    ) -> CollaborationNetwork | None:
        _check(depth, 1, MAX_DEPTH, "depth")
        size = check_first(first, info.context.limits)
        graph = await _network(info)
        _expert_key(graph, expert, "expert")
        ego = collab.collaboration_network(graph, expert, depth=depth, first=size)
        return CollaborationNetwork(
            center_key=ego.center,
            depth=ego.depth,
            nodes=[
                NetworkNode(
                    key=n.key, name=n.name, depth=n.depth, strength=n.strength, degree=n.degree
                )
                for n in ego.nodes
            ],
            edges=[
                NetworkEdge(
                    source=e.source,
                    target=e.target,
                    weight=e.weight,
                    kind=e.kind,
                    sources=_sources(e.tie),
                )
                for e in ego.edges
            ],
            reachable=ego.reachable,
            truncated=ego.truncated,
        )

    @strawberry.field(
        description=(
            "Brokers: experts by betweenness on the collaboration network (shortest paths in "
            "ties); sampled from "
            f"{collab.BETWEENNESS_SAMPLES} seeded sources when more than "
            f"{collab.EXACT_BETWEENNESS_LIMIT} experts have ties. Planner role."
        ),
        permission_classes=[PlannerAnalytics],
    )
    async def brokers(self, info: Info, first: FirstArg = 10) -> list[RankedExpert] | None:
        size = check_first(first, info.context.limits)

        def build(view: nx.MultiDiGraph) -> collab.Ranking:
            return collab.broker_ranking(_network_sync(info, view))

        ranking = await _cached(info, ("brokers",), build)
        return _ranked(ranking.top(size))

    @strawberry.field(
        description="Key experts: by weighted PageRank on the collaboration network. Planner role.",
        permission_classes=[PlannerAnalytics],
    )
    async def key_experts(self, info: Info, first: FirstArg = 10) -> list[RankedExpert] | None:
        size = check_first(first, info.context.limits)

        def build(view: nx.MultiDiGraph) -> collab.Ranking:
            return collab.pagerank_ranking(_network_sync(info, view))

        ranking = await _cached(info, ("pagerank",), build)
        return _ranked(ranking.top(size))

    @strawberry.field(
        description=(
            "Communities of experts on the industry–expert projection or the collaboration "
            "network (Leiden, seeded: one seed, one answer), largest first. Planner role."
        ),
        permission_classes=[PlannerAnalytics],
    )
    async def clusters(
        self,
        info: Info,
        projection: ClusterProjection = ClusterProjection.INDUSTRY_EXPERT,
        resolution: Annotated[
            float, strawberry.argument(description="Above 0, at most 100; higher: smaller.")
        ] = 1.0,
        first: FirstArg = 20,
        seed: Annotated[int, strawberry.argument(description="Seed of the algorithm.")] = 0,
    ) -> Clusters | None:
        size = check_first(first, info.context.limits)
        if not 0 < resolution <= 100:
            raise BadInputError(
                f"`resolution` must be above 0 and at most 100 (got {resolution:g})"
            )
        kind = communities.Projection(projection.value)

        store = info.context.store

        def build(view: nx.MultiDiGraph) -> tuple[communities.Clustering, list[Cluster]]:
            network = (
                _network_sync(info, view) if kind is communities.Projection.COLLABORATION else None
            )
            found = communities.clusters(
                view, kind, resolution=resolution, seed=seed, network=network
            )
            return found, [Cluster.make(c, store) for c in found.clusters]

        result, shaped = await _cached(info, ("clusters", kind.value, resolution, seed), build)
        return Clusters(
            projection=projection,
            resolution=result.resolution,
            seed=result.seed,
            modularity=result.modularity,
            cluster_count=len(set(result.membership.values())),
            experts=result.nodes,
            edges=result.edges,
            unassigned_open_demands=result.unassigned_open_demands,
            clusters=shaped[:size],
            result=result,
        )

    @strawberry.field(
        description=(
            "Coverage: benchmark enterprises paired with institutions, counties with an "
            "active commissioner, poverty counties served, three-no enterprises, and gaps by "
            "industry and county. Portal role."
        ),
        permission_classes=[PortalAnalytics],
    )
    async def coverage(self, info: Info) -> Coverage | None:
        today = dt.date.today().isoformat()
        result = await _cached(
            info, ("coverage", today), lambda view: coverage.coverage(view, today=today)
        )
        return Coverage.make(result)

    @strawberry.field(
        description=(
            "Service evaluation figures per expert, institution, city (where the service "
            "took place) or subgroup, and for the province. Portal role."
        ),
        permission_classes=[PortalAnalytics],
    )
    async def service_stats(
        self,
        info: Info,
        group_by: ServiceGroupBy = ServiceGroupBy.EXPERT,
        first: FirstArg = 20,
    ) -> ServiceStats | None:
        size = check_first(first, info.context.limits)
        by = evaluation.GroupBy(group_by.value)
        result = await _cached(
            info, ("service-stats", by.value), lambda view: evaluation.service_stats(view, by)
        )
        return ServiceStats(
            group_by=group_by,
            group_count=result.group_count,
            total=ServiceGroup.make(result.total, None),
            groups=[ServiceGroup.make(g, by) for g in result.groups[:size]],
        )


def _network_sync(info: Info, view: nx.MultiDiGraph) -> collab.CollaborationGraph:
    """The cached collaboration network, from inside a build (a worker thread)."""
    ctx = info.context
    return ctx.cache.get(
        ctx.store.version,
        ("analytics", "collaboration-graph"),
        lambda: collab.build_collaboration_graph(view),
    )
