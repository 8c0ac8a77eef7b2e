"""Root query fields: `node`, lookups by natural key, and filtered connections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry

from graphsvc.auth import Role
from graphsvc.schema.connections import DEFAULT_FIRST, Connection, connection_from_keys
from graphsvc.schema.context import Info
from graphsvc.schema.filters import (
    AchievementFilter,
    DealFilter,
    DemandFilter,
    EnterpriseFilter,
    ExpertFilter,
    IndustryFilter,
    InstitutionFilter,
    Selection,
    TrainingFilter,
    select_all,
)
from graphsvc.schema.ids import parse_global_id
from graphsvc.schema.permissions import PortalOnly, can_see
from graphsvc.schema.types import (
    TYPES,
    Achievement,
    AfterArg,
    City,
    County,
    Deal,
    Demand,
    E,
    Enterprise,
    Expert,
    FirstArg,
    Industry,
    Institution,
    Keyword,
    Node,
    Subgroup,
    Training,
    deal_from_record,
    listing,
)

__all__ = ["EntityQuery"]

KeyArg = Annotated[str, strawberry.argument(description="The natural key.")]
CodeArg = Annotated[str, strawberry.argument(description="The code (GB/T 2260 or GB/T 4754).")]


async def _lookup(info: Info, cls: type[E], key: str) -> E | None:
    props = await info.context.loaders.node(cls.LABEL).load(key)
    return None if props is None else cls.from_props(props)


def _deal(info: Info, key: str) -> Deal | None:
    if not can_see(info, Role.PORTAL):
        return None  # hidden: the same answer as for a deal that does not exist
    record = info.context.catalog().deals().get(key)
    return None if record is None else deal_from_record(record)


def _selection(flt: object | None, label: str) -> Selection:
    if flt is None:
        return select_all(label)
    return flt.selection()  # type: ignore[attr-defined, no-any-return]


@strawberry.type
class EntityQuery:
    @strawberry.field(description="Any object by its global ID; null when unknown or hidden.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        parsed = parse_global_id(id)
        if parsed is None:
            return None
        type_name, key = parsed
        if type_name == "Deal":
            return _deal(info, key)
        cls = TYPES.get(type_name)
        if cls is None:
            return None
        found = await _lookup(info, cls, key)
        assert found is None or isinstance(found, Node)
        return found

    @strawberry.field(description="A city by code.")
    async def city(self, info: Info, code: CodeArg) -> City | None:
        return await _lookup(info, City, code)

    @strawberry.field(description="A county by code.")
    async def county(self, info: Info, code: CodeArg) -> County | None:
        return await _lookup(info, County, code)

    @strawberry.field(description="An industry by code.")
    async def industry(self, info: Info, code: CodeArg) -> Industry | None:
        return await _lookup(info, Industry, code)

    @strawberry.field(description="A subgroup of the expert corps by key.")
    async def subgroup(self, info: Info, key: KeyArg) -> Subgroup | None:
        return await _lookup(info, Subgroup, key)

    @strawberry.field(description="An institution by key.")
    async def institution(self, info: Info, key: KeyArg) -> Institution | None:
        return await _lookup(info, Institution, key)

    @strawberry.field(description="An expert by key.")
    async def expert(self, info: Info, key: KeyArg) -> Expert | None:
        return await _lookup(info, Expert, key)

    @strawberry.field(description="An enterprise by key.")
    async def enterprise(self, info: Info, key: KeyArg) -> Enterprise | None:
        return await _lookup(info, Enterprise, key)

    @strawberry.field(description="A demand by key.")
    async def demand(self, info: Info, key: KeyArg) -> Demand | None:
        return await _lookup(info, Demand, key)

    @strawberry.field(description="An achievement by key.")
    async def achievement(self, info: Info, key: KeyArg) -> Achievement | None:
        return await _lookup(info, Achievement, key)

    @strawberry.field(description="A training event by key.")
    async def training(self, info: Info, key: KeyArg) -> Training | None:
        return await _lookup(info, Training, key)

    @strawberry.field(description="A keyword by the term itself.")
    async def keyword(self, info: Info, key: KeyArg) -> Keyword | None:
        return await _lookup(info, Keyword, key.strip().lower())

    @strawberry.field(description="A deal by key (portal role and above; null otherwise).")
    def deal(self, info: Info, key: KeyArg) -> Deal | None:
        return _deal(info, key)

    @strawberry.field(description="Cities, by code.")
    async def cities(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[City]:
        return await listing(info, City, select_all("City"), first, after)

    @strawberry.field(description="Counties, by code.")
    async def counties(
        self,
        info: Info,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
        city: Annotated[str | None, strawberry.argument(description="Of this city.")] = None,
    ) -> Connection[County]:
        sel: Selection = select_all("County")
        if city is not None:
            sel = (
                ("County", city),
                lambda cat: sorted(cat.linked("County", "IN_CITY", [("City", city)])),
            )
        return await listing(info, County, sel, first, after)

    @strawberry.field(description="Industries, by code.")
    async def industries(
        self,
        info: Info,
        filter: IndustryFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Industry]:
        return await listing(info, Industry, _selection(filter, "Industry"), first, after)

    @strawberry.field(description="Subgroups of the expert corps, by key.")
    async def subgroups(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Subgroup]:
        return await listing(info, Subgroup, select_all("Subgroup"), first, after)

    @strawberry.field(description="Institutions, by key.")
    async def institutions(
        self,
        info: Info,
        filter: InstitutionFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Institution]:
        return await listing(info, Institution, _selection(filter, "Institution"), first, after)

    @strawberry.field(description="Experts, by key.")
    async def experts(
        self,
        info: Info,
        filter: ExpertFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Expert]:
        return await listing(info, Expert, _selection(filter, "Expert"), first, after)

    @strawberry.field(description="Enterprises, by key.")
    async def enterprises(
        self,
        info: Info,
        filter: EnterpriseFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Enterprise]:
        return await listing(info, Enterprise, _selection(filter, "Enterprise"), first, after)

    @strawberry.field(description="Demands, by key.")
    async def demands(
        self,
        info: Info,
        filter: DemandFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Demand]:
        return await listing(info, Demand, _selection(filter, "Demand"), first, after)

    @strawberry.field(description="Achievements, by key.")
    async def achievements(
        self,
        info: Info,
        filter: AchievementFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Achievement]:
        return await listing(info, Achievement, _selection(filter, "Achievement"), first, after)

    @strawberry.field(description="Training events, by key.")
    async def trainings(
        self,
        info: Info,
        filter: TrainingFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Training]:
        return await listing(info, Training, _selection(filter, "Training"), first, after)

    @strawberry.field(
        description="Deals on the technology market, by key (portal role and above).",
        permission_classes=[PortalOnly],
    )
    async def deals(
        self,
        info: Info,
        filter: DealFilter | None = None,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
    ) -> Connection[Deal] | None:
        ctx = info.context
        ctx.check_time()
        cache_key, compute = _selection(filter, "Deal") if filter else (("Deal",), None)
        catalog = ctx.catalog()
        deals = catalog.deals()
        keys = catalog.select(cache_key, compute or (lambda cat: list(cat.deals())))

        async def load(page: Sequence[str]) -> list[Deal | None]:
            return [deal_from_record(deals[k]) if k in deals else None for k in page]

        return await connection_from_keys(keys, first, after, ctx.limits, load)
