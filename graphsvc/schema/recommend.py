"""Recommendation queries: experts, institutions, achievements, the push list and team-mates,
each item with its score, Chinese reasons and the real graph paths that explain it.

Recommendations read service records and ratings (they say "曾服务 该企业 评分 4.8"), which
the portal role may see and the public may not: every field here needs the portal role or
higher (see graphsvc.schema.permissions). The model is built once per graph version and kept
in the request's `VersionedCache`; a write bumps the version and the next query rebuilds it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

import strawberry

from graphsvc.algorithms import recommend as algo
from graphsvc.cache import VersionedCache
from graphsvc.schema.context import Info
from graphsvc.schema.derived import derived
from graphsvc.schema.errors import BadInputError
from graphsvc.schema.ids import global_id
from graphsvc.schema.limits import check_first
from graphsvc.schema.permissions import PortalOnly
from graphsvc.schema.types import Achievement, Demand, Entity, Expert, Institution
from graphsvc.store.base import GraphStore

__all__ = [
    "AchievementRecommendation",
    "DemandRecommendation",
    "ExpertRecommendation",
    "InstitutionRecommendation",
    "PathNode",
    "PathRelationship",
    "RecommendFilter",
    "RecommendQuery",
    "RecommendationPath",
    "model_of",
]

MODEL_KEY = ("recommend", "model")
E = TypeVar("E", bound=Entity)


@strawberry.type(description="A node on a recommendation path.")
class PathNode:
    id: strawberry.ID = strawberry.field(description="Global ID (`node(id:)` finds it).")
    key: str = strawberry.field(description="The natural key (or code).")
    label: str = strawberry.field(description="The node's type, e.g. Expert, Keyword.")
    name: str = strawberry.field(description="Its name or title.")


@strawberry.type(description="A relationship on a recommendation path.")
class PathRelationship:
    type: str = strawberry.field(description="The relationship type, e.g. HAS_SKILL.")
    forward: bool = strawberry.field(
        description="True when it points from the node before it to the node after it."
    )


@strawberry.type(description="A real path in the graph from the source to the recommended node.")
class RecommendationPath:
    share: float = strawberry.field(description="The part of the item's score it carries.")
    nodes: list[PathNode]
    relationships: list[PathRelationship] = strawberry.field(
        description="relationships[i] links nodes[i] and nodes[i + 1]."
    )


@strawberry.type(description="A recommended expert.")
class ExpertRecommendation:
    expert: Expert
    score: float = strawberry.field(description="Higher is better; comparable within a query.")
    reasons: list[str] = strawberry.field(description="Why, strongest first (Chinese).")
    paths: list[RecommendationPath] = strawberry.field(description="Strongest first.")


@strawberry.type(description="A recommended institution.")
class InstitutionRecommendation:
    institution: Institution
    score: float
    reasons: list[str]
    paths: list[RecommendationPath]


@strawberry.type(description="A recommended achievement.")
class AchievementRecommendation:
    achievement: Achievement
    score: float
    reasons: list[str]
    paths: list[RecommendationPath]


@strawberry.type(description="An open demand pushed to an expert.")
class DemandRecommendation:
    demand: Demand
    score: float
    reasons: list[str]
    paths: list[RecommendationPath]


@strawberry.input(description="Constraints on recommended experts.")
class RecommendFilter:
    include_at_capacity: bool = strawberry.field(
        default=False, description="Also experts whose ongoing services reach their capacity."
    )
    city: str | None = strawberry.field(
        default=None, description="Experts based in this city (code), or within radiusKm."
    )
    county: str | None = strawberry.field(
        default=None, description="Experts in this county's city (code), or within radiusKm."
    )
    radius_km: float | None = strawberry.field(
        default=None, description="Distance from the city's or county's seat, in km."
    )
    subgroup: str | None = strawberry.field(default=None, description="Members of this subgroup.")
    institution_kind: str | None = strawberry.field(
        default=None, description="Affiliated with an institution of this kind."
    )
    exclude_serving: bool = strawberry.field(
        default=True, description="Leave out experts serving the enterprise right now."
    )
    exclude_institutions: list[str] | None = strawberry.field(
        default=None, description="Leave out experts of these institutions (conflicts)."
    )
    max_per_institution: int | None = strawberry.field(
        default=algo.DEFAULT_MAX_PER_INSTITUTION,
        description="Diversity: at most this many experts of one institution (null: no limit).",
    )
    commissioners_only: bool = strawberry.field(
        default=False, description="Only dispatched S&T commissioners."
    )

    def to_algorithm(self) -> algo.RecommendFilter:
        """The algorithm's filter."""
        if self.max_per_institution is not None and self.max_per_institution < 1:
            raise BadInputError("`maxPerInstitution` must be at least 1")
        return algo.RecommendFilter(
            include_at_capacity=self.include_at_capacity,
            city=self.city,
            county=self.county,
            radius_km=self.radius_km,
            subgroup=self.subgroup,
            institution_kind=self.institution_kind,
            exclude_serving=self.exclude_serving,
            exclude_institutions=tuple(self.exclude_institutions or ()),
            max_per_institution=self.max_per_institution,
            commissioners_only=self.commissioners_only,
        )


def warm_model(store: GraphStore, cache: VersionedCache) -> algo.Model:
    """Build (or fetch) the recommender of the store's current version, e.g. at start-up."""
    version = store.version
    return cache.get(version, MODEL_KEY, lambda: _build_model(store, version))


def _build_model(store: GraphStore, version: int) -> algo.Model:
    with store.reading():
        return algo.build_model(store.view(), version=version)


async def model_of(info: Info, *, fresh: bool = False) -> algo.Model:
    """The recommender of the store's current version; right after a write, the previous
    one while it is rebuilt (see graphsvc.schema.derived), unless `fresh`."""
    store = info.context.store
    version = store.version
    return await derived(
        info, MODEL_KEY, lambda: _build_model(store, version), what="the recommender", fresh=fresh
    )


def _paths(paths: Sequence[algo.Path], model: algo.Model) -> list[RecommendationPath]:
    index = model.index
    out = []
    for p in paths:
        nodes = []
        for nid in p.nodes:
            label, _, key = nid.partition(":")
            nodes.append(
                PathNode(
                    id=strawberry.ID(global_id(label, key)),
                    key=key,
                    label=label,
                    name=algo.node_name(index, nid),
                )
            )
        rels = [PathRelationship(type=t, forward=f) for t, f in p.rels]
        out.append(RecommendationPath(share=p.share, nodes=nodes, relationships=rels))
    return out


async def _entities(
    info: Info, cls: type[E], items: Sequence[algo.Recommendation]
) -> list[E | None]:
    found = await info.context.loaders.node(cls.LABEL).load_many([r.key for r in items])
    return [None if p is None else cls.from_props(p) for p in found]


async def _run(
    info: Info, first: int | None, call: Callable[[algo.Model, int], list[algo.Recommendation]]
) -> tuple[algo.Model, list[algo.Recommendation]]:
    ctx = info.context
    size = check_first(first, ctx.limits)
    model = await model_of(info)
    ctx.check_time()
    try:
        try:
            return model, call(model, size)
        except algo.UnknownSourceError:
            if model.version == ctx.store.version:
                raise
        # a source written since the model was built (a demand just posted): wait for it
        model = await model_of(info, fresh=True)
        ctx.check_time()
        return model, call(model, size)
    except algo.RecommendError as e:
        raise BadInputError(str(e)) from None


R = TypeVar("R")


async def _recommendations(
    info: Info,
    first: int | None,
    call: Callable[[algo.Model, int], list[algo.Recommendation]],
    cls: type[E],
    make: Callable[[E, float, list[str], list[RecommendationPath]], R],
) -> list[R]:
    """Run a recommender and shape its items: the entity (items whose entity is gone are
    left out), the score, the reasons and the paths."""
    model, items = await _run(info, first, call)
    objs = await _entities(info, cls, items)
    return [
        make(o, r.score, list(r.reasons), _paths(r.paths, model))
        for r, o in zip(items, objs, strict=True)
        if o is not None
    ]


FirstArg = Annotated[int | None, strawberry.argument(description="How many, at most 100.")]


@strawberry.type
class RecommendQuery:
    @strawberry.field(
        description=(
            "Experts for a demand or an enterprise (give exactly one), best first, with "
            "reasons and paths (portal role and above)."
        ),
        permission_classes=[PortalOnly],
    )
    async def recommend_experts(
        self,
        info: Info,
        demand: str | None = None,
        enterprise: str | None = None,
        first: FirstArg = 10,
        filter: RecommendFilter | None = None,
    ) -> list[ExpertRecommendation] | None:
        flt = filter.to_algorithm() if filter is not None else None
        return await _recommendations(
            info,
            first,
            lambda m, n: algo.recommend_experts(
                m, demand=demand, enterprise=enterprise, first=n, filter=flt
            ),
            Expert,
            lambda o, score, reasons, paths: ExpertRecommendation(
                expert=o, score=score, reasons=reasons, paths=paths
            ),
        )

    @strawberry.field(
        description="Institutions to pair with an enterprise (portal role and above).",
        permission_classes=[PortalOnly],
    )
    async def recommend_institutions(
        self,
        info: Info,
        enterprise: str,
        first: FirstArg = 10,
        kind: Annotated[
            str | None, strawberry.argument(description="Only institutions of this kind.")
        ] = None,
    ) -> list[InstitutionRecommendation] | None:
        return await _recommendations(
            info,
            first,
            lambda m, n: algo.recommend_institutions(m, enterprise=enterprise, first=n, kind=kind),
            Institution,
            lambda o, score, reasons, paths: InstitutionRecommendation(
                institution=o, score=score, reasons=reasons, paths=paths
            ),
        )

    @strawberry.field(
        description="Listed achievements that answer a demand (portal role and above).",
        permission_classes=[PortalOnly],
    )
    async def recommend_achievements(
        self, info: Info, demand: str, first: FirstArg = 10
    ) -> list[AchievementRecommendation] | None:
        return await _recommendations(
            info,
            first,
            lambda m, n: algo.recommend_achievements(m, demand=demand, first=n),
            Achievement,
            lambda o, score, reasons, paths: AchievementRecommendation(
                achievement=o, score=score, reasons=reasons, paths=paths
            ),
        )

    @strawberry.field(
        description="The push list of an expert: open demands they fit (portal and above).",
        permission_classes=[PortalOnly],
    )
    async def recommend_demands(
        self, info: Info, expert: str, first: FirstArg = 10
    ) -> list[DemandRecommendation] | None:
        return await _recommendations(
            info,
            first,
            lambda m, n: algo.recommend_demands(m, expert=expert, first=n),
            Demand,
            lambda o, score, reasons, paths: DemandRecommendation(
                demand=o, score=score, reasons=reasons, paths=paths
            ),
        )

    @strawberry.field(
        description=(
            "Team-mates for an expert: collaborators, complementary skills in the same "
            "industries, nearby (portal role and above)."
        ),
        permission_classes=[PortalOnly],
    )
    async def recommend_collaborators(
        self,
        info: Info,
        expert: str,
        first: FirstArg = 10,
        filter: RecommendFilter | None = None,
    ) -> list[ExpertRecommendation] | None:
        flt = filter.to_algorithm() if filter is not None else None
        return await _recommendations(
            info,
            first,
            lambda m, n: algo.recommend_collaborators(m, expert=expert, first=n, filter=flt),
            Expert,
            lambda o, score, reasons, paths: ExpertRecommendation(
                expert=o, score=score, reasons=reasons, paths=paths
            ),
        )
