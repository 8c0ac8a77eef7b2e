"""GraphQL object types: one per node label, with its properties and its neighbours as fields,
plus the relationship rows (service records, pairings, deals, collaborations, attendance).

Property fields mirror the ontology (`graphsvc.ontology.LABELS`; a test keeps them equal);
personal properties resolve for planners and admins only. Neighbour fields go through the
request's DataLoaders, so a page of objects costs one store call per neighbour field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, ClassVar, TypeVar

import strawberry

from graphsvc.ontology import LABELS, PropType
from graphsvc.schema.catalog import DealRecord, is_ongoing
from graphsvc.schema.connections import (
    DEFAULT_FIRST,
    Connection,
    connection_from_keys,
    connection_from_rows,
)
from graphsvc.schema.context import Info
from graphsvc.schema.filters import (
    AchievementFilter,
    DemandFilter,
    EnterpriseFilter,
    ExpertFilter,
    InstitutionFilter,
    Selection,
    TrainingFilter,
    three_no,
)
from graphsvc.schema.ids import global_id
from graphsvc.schema.loaders import Neighbour
from graphsvc.schema.permissions import PlannerOnly, PortalOnly
from graphsvc.store.base import Direction, Props

__all__ = [
    "TYPES",
    "Achievement",
    "Attendance",
    "City",
    "Collaboration",
    "County",
    "Deal",
    "Demand",
    "DemandResponse",
    "Enterprise",
    "Expert",
    "Industry",
    "Institution",
    "Keyword",
    "Node",
    "Pairing",
    "ServiceRecord",
    "Subgroup",
    "Training",
    "deal_from_record",
    "listing",
]

E = TypeVar("E", bound="Entity")

FirstArg = Annotated[int | None, strawberry.argument(description="Page size, at most 100.")]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Start after this cursor (`endCursor`).")
]


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@strawberry.interface(description="An object with a global ID (Relay).")
class Node:
    @strawberry.field(description="Global ID: `node(id:)` finds the object again.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id(type(self).__name__, self.natural_key()))

    def natural_key(self) -> str:
        """The key (or code) the object is known by."""
        raise NotImplementedError


class Entity:
    """Construction of a node type from the store's properties, driven by the ontology."""

    LABEL: ClassVar[str]
    _SPEC: ClassVar[tuple[tuple[str, PropType, Any], ...]] = ()

    @classmethod
    def spec(cls) -> tuple[tuple[str, PropType, Any], ...]:
        """The ontology's non-personal properties of the label: (name, type, default)."""
        if not cls._SPEC:
            cls._SPEC = tuple(
                (p.name, p.type, p.default) for p in LABELS[cls.LABEL].props if not p.personal
            )
        return cls._SPEC

    @classmethod
    def from_props(cls: type[E], props: Props) -> E:
        """An object from node properties (defaults from the ontology where absent)."""
        kwargs: dict[str, Any] = {}
        for name, kind, default in cls.spec():
            value = props.get(name, default)
            if kind is PropType.DATE:
                value = _date(value)
            elif kind is PropType.LIST and value is not None:
                value = list(value)
            kwargs[name] = value
        kwargs["raw"] = props
        return cls(**kwargs)


def _objects(found: Sequence[Neighbour], cls: type[E]) -> list[E]:
    key = LABELS[cls.LABEL].key
    rows = sorted((p for label, p, _ in found if label == cls.LABEL), key=lambda p: p[key])
    return [cls.from_props(p) for p in rows]


async def _neighbours(
    info: Info, label: str, key: str, rel: str, direction: Direction = "out"
) -> list[Neighbour]:
    return await info.context.loaders.rel(label, rel, direction).load(key)


async def _one(
    info: Info, label: str, key: str, rel: str, cls: type[E], direction: Direction = "out"
) -> E | None:
    objs = _objects(await _neighbours(info, label, key, rel, direction), cls)
    return objs[0] if objs else None


async def _many(
    info: Info, label: str, key: str, rel: str, cls: type[E], direction: Direction = "out"
) -> list[E]:
    return _objects(await _neighbours(info, label, key, rel, direction), cls)


async def _node(info: Info, cls: type[E], key: str | None) -> E | None:
    if key is None:
        return None
    props = await info.context.loaders.node(cls.LABEL).load(key)
    return None if props is None else cls.from_props(props)


async def listing(
    info: Info, cls: type[E], selection: Selection, first: int | None, after: str | None
) -> Connection[E]:
    """A connection over the nodes a filter selects, in key order."""
    ctx = info.context
    ctx.check_time()
    cache_key, compute = selection
    keys = ctx.catalog().select(cache_key, compute)

    async def load(page: Sequence[str]) -> list[E | None]:
        found = await ctx.loaders.node(cls.LABEL).load_many(page)
        return [None if p is None else cls.from_props(p) for p in found]

    return await connection_from_keys(keys, first, after, ctx.limits, load)


def _paged(
    info: Info, found: Sequence[Neighbour], cls: type[E], first: int | None, after: str | None
) -> Connection[E]:
    key = LABELS[cls.LABEL].key
    rows = [(p[key], cls.from_props(p)) for label, p, _ in found if label == cls.LABEL]
    return connection_from_rows(rows, first, after, info.context.limits)


# -- places ---------------------------------------------------------------------------------


@strawberry.type(description=LABELS["City"].doc)
class City(Node, Entity):
    LABEL: ClassVar[str] = "City"
    code: str
    name: str
    longitude: float | None
    latitude: float | None
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.code

    @strawberry.field(description="Its counties.")
    async def counties(self, info: Info) -> list[County]:
        return await _many(info, "City", self.code, "IN_CITY", County, "in")

    @strawberry.field(description="Enterprises in its counties.")
    async def enterprises(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Enterprise]:
        sel = EnterpriseFilter(city=self.code).selection()
        return await listing(info, Enterprise, sel, first, after)

    @strawberry.field(description="Experts based in it.")
    async def experts(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Expert]:
        return await listing(info, Expert, ExpertFilter(city=self.code).selection(), first, after)

    @strawberry.field(description="Institutions located in it.")
    async def institutions(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Institution]:
        sel = InstitutionFilter(city=self.code).selection()
        return await listing(info, Institution, sel, first, after)

    @strawberry.field(description="Training events held in it.")
    async def trainings(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Training]:
        sel = TrainingFilter(city=self.code).selection()
        return await listing(info, Training, sel, first, after)


@strawberry.type(description=LABELS["County"].doc)
class County(Node, Entity):
    LABEL: ClassVar[str] = "County"
    code: str
    name: str
    poverty_county: bool | None
    longitude: float | None
    latitude: float | None
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.code

    @strawberry.field(description="The city it belongs to.")
    async def city(self, info: Info) -> City | None:
        return await _one(info, "County", self.code, "IN_CITY", City)

    @strawberry.field(description="Enterprises located in it.")
    async def enterprises(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Enterprise]:
        sel = EnterpriseFilter(county=self.code).selection()
        return await listing(info, Enterprise, sel, first, after)


# -- classifications ------------------------------------------------------------------------


@strawberry.type(description=LABELS["Industry"].doc)
class Industry(Node, Entity):
    LABEL: ClassVar[str] = "Industry"
    code: str
    name: str
    tags: list[str] | None
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.code

    @strawberry.field(description="The industry it is a subclass of.")
    async def parent(self, info: Info) -> Industry | None:
        return await _one(info, "Industry", self.code, "SUBCLASS_OF", Industry)

    @strawberry.field(description="Its direct subclasses.")
    async def children(self, info: Info) -> list[Industry]:
        return await _many(info, "Industry", self.code, "SUBCLASS_OF", Industry, "in")

    @strawberry.field(description="Subgroups of the expert corps covering it.")
    async def subgroups(self, info: Info) -> list[Subgroup]:
        return await _many(info, "Industry", self.code, "COVERS", Subgroup, "in")

    @strawberry.field(description="Enterprises in it or in an industry below it.")
    async def enterprises(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Enterprise]:
        sel = EnterpriseFilter(industry=self.code).selection()
        return await listing(info, Enterprise, sel, first, after)

    @strawberry.field(description="Experts in it or in an industry below it.")
    async def experts(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Expert]:
        sel = ExpertFilter(industry=self.code).selection()
        return await listing(info, Expert, sel, first, after)

    @strawberry.field(description="Demands concerning it or an industry below it.")
    async def demands(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Demand]:
        sel = DemandFilter(industry=self.code).selection()
        return await listing(info, Demand, sel, first, after)

    @strawberry.field(description="Achievements applying to it or an industry below it.")
    async def achievements(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Achievement]:
        sel = AchievementFilter(industry=self.code).selection()
        return await listing(info, Achievement, sel, first, after)


@strawberry.type(description=LABELS["Subgroup"].doc)
class Subgroup(Node, Entity):
    LABEL: ClassVar[str] = "Subgroup"
    key: str
    name: str
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="Industries it covers.")
    async def industries(self, info: Info) -> list[Industry]:
        return await _many(info, "Subgroup", self.key, "COVERS", Industry)

    @strawberry.field(description="Its member experts.")
    async def experts(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Expert]:
        sel = ExpertFilter(subgroup=self.key).selection()
        return await listing(info, Expert, sel, first, after)


@strawberry.type(description=LABELS["Keyword"].doc)
class Keyword(Node, Entity):
    LABEL: ClassVar[str] = "Keyword"
    key: str = strawberry.field(description="The term itself.")
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="Experts with this skill.")
    async def experts(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Expert]:
        found = await _neighbours(info, "Keyword", self.key, "HAS_SKILL", "in")
        return _paged(info, found, Expert, first, after)

    @strawberry.field(description="Demands mentioning it.")
    async def demands(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Demand]:
        found = await _neighbours(info, "Keyword", self.key, "MENTIONS", "in")
        return _paged(info, found, Demand, first, after)

    @strawberry.field(description="Achievements mentioning it.")
    async def achievements(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Achievement]:
        found = await _neighbours(info, "Keyword", self.key, "MENTIONS", "in")
        return _paged(info, found, Achievement, first, after)


# -- people and organisations ---------------------------------------------------------------


@strawberry.type(description=LABELS["Institution"].doc)
class Institution(Node, Entity):
    LABEL: ClassVar[str] = "Institution"
    key: str
    name: str
    kind: str = strawberry.field(
        description="university, institute, rnd_institution, enterprise_lab or service_platform."
    )
    size: str | None
    capacity: int | None = strawberry.field(description="Enterprises it can pair with at once.")
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="The city it is located in.")
    async def city(self, info: Info) -> City | None:
        return await _one(info, "Institution", self.key, "LOCATED_IN", City)

    @strawberry.field(description="Experts affiliated with it.")
    async def experts(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Expert]:
        sel = ExpertFilter(institution=self.key).selection()
        return await listing(info, Expert, sel, first, after)

    @strawberry.field(description="Enterprises it is paired with, and under which programme.")
    async def pairings(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Pairing]:
        found = await _neighbours(info, "Institution", self.key, "PAIRED_WITH")
        rows = [
            (p["key"], Pairing.make(self, Enterprise.from_props(p), rel))
            for label, p, rel in found
            if label == "Enterprise"
        ]
        return connection_from_rows(rows, first, after, info.context.limits)

    @strawberry.field(description="Achievements it owns.")
    async def achievements(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Achievement]:
        found = await _neighbours(info, "Institution", self.key, "OWNS")
        return _paged(info, found, Achievement, first, after)

    @strawberry.field(
        description="Deals in which it is the seller.", permission_classes=[PortalOnly]
    )
    async def deals(self, info: Info) -> list[Deal] | None:
        found = await _neighbours(info, "Institution", self.key, "DEAL", "in")
        return _deals_of(info, found)


@strawberry.type(description=LABELS["Expert"].doc)
class Expert(Node, Entity):
    LABEL: ClassVar[str] = "Expert"
    key: str
    name: str
    title: str | None
    commissioner: bool | None = strawberry.field(description="A dispatched S&T commissioner.")
    capacity: int | None = strawberry.field(description="Enterprises they can serve at once.")
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(
        description="Phone (personal: planner and admin only).", permission_classes=[PlannerOnly]
    )
    def phone(self) -> str | None:
        value = self.raw.get("phone")
        return None if value is None else str(value)

    @strawberry.field(
        description="Email (personal: planner and admin only).", permission_classes=[PlannerOnly]
    )
    def email(self) -> str | None:
        value = self.raw.get("email")
        return None if value is None else str(value)

    @strawberry.field(description="The institution they are affiliated with.")
    async def institution(self, info: Info) -> Institution | None:
        return await _one(info, "Expert", self.key, "AFFILIATED_WITH", Institution)

    @strawberry.field(description="The city they are based in.")
    async def city(self, info: Info) -> City | None:
        return await _one(info, "Expert", self.key, "BASED_IN", City)

    @strawberry.field(description="Subgroups of the expert corps they belong to.")
    async def subgroups(self, info: Info) -> list[Subgroup]:
        return await _many(info, "Expert", self.key, "MEMBER_OF", Subgroup)

    @strawberry.field(description="Industries they are expert in.")
    async def industries(self, info: Info) -> list[Industry]:
        return await _many(info, "Expert", self.key, "EXPERT_IN", Industry)

    @strawberry.field(description="Their skills.")
    async def keywords(self, info: Info) -> list[Keyword]:
        return await _many(info, "Expert", self.key, "HAS_SKILL", Keyword)

    @strawberry.field(description="Enterprises they serve now (ongoing service records).")
    async def current_load(self, info: Info) -> int:
        found = await _neighbours(info, "Expert", self.key, "SERVED")
        today = info.context.catalog().today()
        return len({p["key"] for _, p, rel in found if is_ongoing(rel, today)})

    @strawberry.field(description="Capacity left: capacity minus current load, at least 0.")
    async def available_capacity(self, info: Info) -> int:
        found = await _neighbours(info, "Expert", self.key, "SERVED")
        today = info.context.catalog().today()
        load = len({p["key"] for _, p, rel in found if is_ongoing(rel, today)})
        capacity = self.capacity if self.capacity is not None else _default_capacity()
        return max(0, capacity - load)

    @strawberry.field(description="Enterprises they have served (any service record).")
    async def served_enterprises(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Enterprise]:
        found = await _neighbours(info, "Expert", self.key, "SERVED")
        unique = {p["key"]: (label, p, rel) for label, p, rel in found}
        return _paged(info, list(unique.values()), Enterprise, first, after)

    @strawberry.field(description="Their service records.", permission_classes=[PortalOnly])
    async def service_records(
        self,
        info: Info,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
        ongoing: bool | None = None,
    ) -> Connection[ServiceRecord] | None:
        found = await _neighbours(info, "Expert", self.key, "SERVED")
        records = [ServiceRecord.make(self, Enterprise.from_props(p), rel) for _, p, rel in found]
        return _records_page(info, records, first, after, ongoing)

    @strawberry.field(description="Experts they work with (either direction).")
    async def collaborators(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Collaboration]:
        out = await _neighbours(info, "Expert", self.key, "COLLABORATES_WITH")
        back = await _neighbours(info, "Expert", self.key, "COLLABORATES_WITH", "in")
        rows: dict[str, Collaboration] = {}
        for _, p, rel in [*out, *back]:
            if p["key"] not in rows:
                rows[p["key"]] = Collaboration(
                    expert=Expert.from_props(p),
                    kind=rel.get("kind"),
                    count=rel.get("count", 1),
                    since=_date(rel.get("since")),
                )
        return connection_from_rows(list(rows.items()), first, after, info.context.limits)

    @strawberry.field(description="Achievements they own.")
    async def achievements(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Achievement]:
        found = await _neighbours(info, "Expert", self.key, "OWNS")
        return _paged(info, found, Achievement, first, after)

    @strawberry.field(description="Demands they responded to.", permission_classes=[PortalOnly])
    async def responses(self, info: Info) -> list[DemandResponse] | None:
        found = await _neighbours(info, "Expert", self.key, "ADDRESSED")
        rows = sorted(found, key=lambda n: n[1]["key"])
        return [DemandResponse.make(self, Demand.from_props(p), rel) for _, p, rel in rows]

    @strawberry.field(
        description="Deals in which they are the seller.", permission_classes=[PortalOnly]
    )
    async def deals(self, info: Info) -> list[Deal] | None:
        found = await _neighbours(info, "Expert", self.key, "DEAL", "in")
        return _deals_of(info, found)


def _default_capacity() -> int:
    default = LABELS["Expert"].prop("capacity").default
    return int(default) if isinstance(default, int) else 0


@strawberry.type(description=LABELS["Enterprise"].doc)
class Enterprise(Node, Entity):
    LABEL: ClassVar[str] = "Enterprise"
    key: str
    name: str
    credit_code: str | None = strawberry.field(description="Unified social credit code.")
    size: str | None = strawberry.field(description="micro, small, medium or large.")
    high_tech: bool | None
    benchmark: bool | None = strawberry.field(description="One of the benchmark enterprises.")
    rd_staff: int | None
    rd_platform: bool | None
    rd_spend_wan: float | None
    founded_year: int | None
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="No R&D staff, no R&D platform and no R&D spending.")
    def three_no(self) -> bool:
        return three_no(self.raw)

    @strawberry.field(description="The county it is located in.")
    async def county(self, info: Info) -> County | None:
        return await _one(info, "Enterprise", self.key, "LOCATED_IN", County)

    @strawberry.field(description="The city of its county.")
    async def city(self, info: Info) -> City | None:
        county = await _one(info, "Enterprise", self.key, "LOCATED_IN", County)
        if county is None:
            return None
        return await _one(info, "County", county.code, "IN_CITY", City)

    @strawberry.field(description="Its industries.")
    async def industries(self, info: Info) -> list[Industry]:
        return await _many(info, "Enterprise", self.key, "IN_INDUSTRY", Industry)

    @strawberry.field(description="Demands it posted.")
    async def demands(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Demand]:
        found = await _neighbours(info, "Enterprise", self.key, "POSTED")
        return _paged(info, found, Demand, first, after)

    @strawberry.field(description="Institutions it is paired with, and under which programme.")
    async def pairings(self, info: Info) -> list[Pairing]:
        found = await _neighbours(info, "Enterprise", self.key, "PAIRED_WITH", "in")
        rows = sorted(found, key=lambda n: n[1]["key"])
        return [Pairing.make(Institution.from_props(p), self, rel) for _, p, rel in rows]

    @strawberry.field(description="Commissioners serving it now.")
    async def commissioners(self, info: Info) -> list[Expert]:
        found = await _neighbours(info, "Enterprise", self.key, "SERVED", "in")
        today = info.context.catalog().today()
        current = {
            p["key"]: p
            for _, p, rel in found
            if rel.get("role") == "commissioner" and is_ongoing(rel, today)
        }
        return [Expert.from_props(current[k]) for k in sorted(current)]

    @strawberry.field(description="Its service records.", permission_classes=[PortalOnly])
    async def service_records(
        self,
        info: Info,
        first: FirstArg = DEFAULT_FIRST,
        after: AfterArg = None,
        ongoing: bool | None = None,
    ) -> Connection[ServiceRecord] | None:
        found = await _neighbours(info, "Enterprise", self.key, "SERVED", "in")
        records = [ServiceRecord.make(Expert.from_props(p), self, rel) for _, p, rel in found]
        return _records_page(info, records, first, after, ongoing)

    @strawberry.field(
        description="Its deals on the technology market.", permission_classes=[PortalOnly]
    )
    async def deals(self, info: Info) -> list[Deal] | None:
        found = await _neighbours(info, "Enterprise", self.key, "DEAL")
        return _deals_of(info, found)

    @strawberry.field(description="Training events it attended.")
    async def trainings(self, info: Info) -> list[Attendance]:
        found = await _neighbours(info, "Enterprise", self.key, "ATTENDED")
        rows = sorted(found, key=lambda n: n[1]["key"])
        return [Attendance.make(self, Training.from_props(p), rel) for _, p, rel in rows]

    @strawberry.field(description="Achievements it registered as its own.")
    async def achievements(self, info: Info) -> list[Achievement]:
        return await _many(info, "Enterprise", self.key, "OWNS", Achievement)


# -- demands, achievements, trainings -------------------------------------------------------


@strawberry.type(description=LABELS["Demand"].doc)
class Demand(Node, Entity):
    LABEL: ClassVar[str] = "Demand"
    key: str
    title: str
    description: str | None
    posted_on: date | None
    status: str | None = strawberry.field(description="open, matched, solved or closed.")
    budget_wan: float | None
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="The enterprise that posted it.")
    async def enterprise(self, info: Info) -> Enterprise | None:
        return await _one(info, "Demand", self.key, "POSTED", Enterprise, "in")

    @strawberry.field(description="Industries it concerns.")
    async def industries(self, info: Info) -> list[Industry]:
        return await _many(info, "Demand", self.key, "CONCERNS", Industry)

    @strawberry.field(description="Its keywords, strongest first.")
    async def keywords(self, info: Info) -> list[Keyword]:
        return _weighted_keywords(await _neighbours(info, "Demand", self.key, "MENTIONS"))

    @strawberry.field(description="Experts who responded to it.", permission_classes=[PortalOnly])
    async def responses(self, info: Info) -> list[DemandResponse] | None:
        found = await _neighbours(info, "Demand", self.key, "ADDRESSED", "in")
        rows = sorted(found, key=lambda n: n[1]["key"])
        return [DemandResponse.make(Expert.from_props(p), self, rel) for _, p, rel in rows]


def _weighted_keywords(found: Sequence[Neighbour]) -> list[Keyword]:
    rows = sorted(found, key=lambda n: (-(n[2].get("weight") or 0.0), n[1]["key"]))
    return [Keyword.from_props(p) for label, p, _ in rows if label == "Keyword"]


@strawberry.type(description=LABELS["Achievement"].doc)
class Achievement(Node, Entity):
    LABEL: ClassVar[str] = "Achievement"
    key: str
    title: str
    description: str | None
    kind: str | None = strawberry.field(
        description="patent, software, variety, standard, technique or other."
    )
    maturity: int | None = strawberry.field(description="Technology readiness, 1 to 9.")
    price_wan: float | None
    listed_on: date | None
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="Who owns it: experts, institutions or enterprises.")
    async def owners(self, info: Info) -> list[AchievementOwner]:
        found = await _neighbours(info, "Achievement", self.key, "OWNS", "in")
        out: list[AchievementOwner] = []
        for cls in (Expert, Institution, Enterprise):
            out.extend(_objects(found, cls))
        return out

    @strawberry.field(description="Industries it applies to.")
    async def industries(self, info: Info) -> list[Industry]:
        return await _many(info, "Achievement", self.key, "APPLIES_TO", Industry)

    @strawberry.field(description="Its keywords, strongest first.")
    async def keywords(self, info: Info) -> list[Keyword]:
        return _weighted_keywords(await _neighbours(info, "Achievement", self.key, "MENTIONS"))

    @strawberry.field(description="Deals that bought it.", permission_classes=[PortalOnly])
    async def deals(self, info: Info) -> list[Deal] | None:
        found = await _neighbours(info, "Achievement", self.key, "DEAL", "in")
        return _deals_of(info, found)


AchievementOwner = Annotated[
    Expert | Institution | Enterprise, strawberry.union("AchievementOwner")
]


@strawberry.type(description=LABELS["Training"].doc)
class Training(Node, Entity):
    LABEL: ClassVar[str] = "Training"
    key: str
    title: str
    held_on: date | None
    kind: str | None = strawberry.field(description="class, base_visit, study_point or online.")
    organizer: str | None
    attendees: int | None = strawberry.field(description="People who attended, all told.")
    raw: strawberry.Private[Props]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="The city it was held in.")
    async def city(self, info: Info) -> City | None:
        return await _one(info, "Training", self.key, "HELD_IN", City)

    @strawberry.field(description="Enterprises that attended, with how many people.")
    async def attendances(
        self, info: Info, first: FirstArg = DEFAULT_FIRST, after: AfterArg = None
    ) -> Connection[Attendance]:
        found = await _neighbours(info, "Training", self.key, "ATTENDED", "in")
        rows = [
            (p["key"], Attendance.make(Enterprise.from_props(p), self, rel))
            for label, p, rel in found
            if label == "Enterprise"
        ]
        return connection_from_rows(rows, first, after, info.context.limits)


# -- relationship rows ----------------------------------------------------------------------


@strawberry.type(description="An expert's service to an enterprise (a SERVED relationship).")
class ServiceRecord:
    expert: Expert
    enterprise: Enterprise
    role: str | None = strawberry.field(description="commissioner, team, consultant or visit.")
    start_on: date | None
    end_on: date | None = strawberry.field(description="Empty while the service goes on.")
    rating: int | None
    outcome: str | None = strawberry.field(description="solved, ongoing or failed.")
    ongoing: bool = strawberry.field(description="No end date, or one not yet passed.")
    demand_key: strawberry.Private[str | None]

    @classmethod
    def make(cls, expert: Expert, enterprise: Enterprise, rel: Props) -> ServiceRecord:
        """A record from the relationship's properties."""
        return cls(
            expert=expert,
            enterprise=enterprise,
            role=rel.get("role"),
            start_on=_date(rel.get("start_on")),
            end_on=_date(rel.get("end_on")),
            rating=rel.get("rating"),
            outcome=rel.get("outcome"),
            ongoing=is_ongoing(rel, date.today().isoformat()),
            demand_key=rel.get("demand_key"),
        )

    @strawberry.field(description="The demand the service addressed.")
    async def demand(self, info: Info) -> Demand | None:
        return await _node(info, Demand, self.demand_key)


def _records_page(
    info: Info,
    records: list[ServiceRecord],
    first: int | None,
    after: str | None,
    ongoing: bool | None,
) -> Connection[ServiceRecord] | None:
    rows = [
        (
            "\x1f".join(
                (
                    r.start_on.isoformat() if r.start_on else "",
                    r.expert.key,
                    r.enterprise.key,
                    r.role or "",
                )
            ),
            r,
        )
        for r in records
        if ongoing is None or r.ongoing == ongoing
    ]
    return connection_from_rows(rows, first, after, info.context.limits)


@strawberry.type(description="An institution paired with an enterprise (PAIRED_WITH).")
class Pairing:
    institution: Institution
    enterprise: Enterprise
    program: str | None = strawberry.field(description="The programme, e.g. 千企科技创新工程.")
    since: date | None

    @classmethod
    def make(cls, institution: Institution, enterprise: Enterprise, rel: Props) -> Pairing:
        """A pairing from the relationship's properties."""
        return cls(
            institution=institution,
            enterprise=enterprise,
            program=rel.get("program"),
            since=_date(rel.get("since")),
        )


@strawberry.type(description="An expert's response to a demand (ADDRESSED).")
class DemandResponse:
    expert: Expert
    demand: Demand
    rating: int | None
    outcome: str | None = strawberry.field(description="solved, ongoing or failed.")

    @classmethod
    def make(cls, expert: Expert, demand: Demand, rel: Props) -> DemandResponse:
        """A response from the relationship's properties."""
        return cls(
            expert=expert, demand=demand, rating=rel.get("rating"), outcome=rel.get("outcome")
        )


@strawberry.type(description="A collaboration with another expert (COLLABORATES_WITH).")
class Collaboration:
    expert: Expert = strawberry.field(description="The other expert.")
    kind: str | None = strawberry.field(description="coauthor, project, service_team or other.")
    count: int | None
    since: date | None


@strawberry.type(description="An enterprise's attendance at a training event (ATTENDED).")
class Attendance:
    enterprise: Enterprise
    training: Training
    attendees: int | None = strawberry.field(description="People the enterprise sent.")

    @classmethod
    def make(cls, enterprise: Enterprise, training: Training, rel: Props) -> Attendance:
        """An attendance from the relationship's properties."""
        return cls(enterprise=enterprise, training=training, attendees=rel.get("attendees"))


@strawberry.type(description="A deal on the technology market: an intention or a contract.")
class Deal(Node):
    key: str
    stage: str = strawberry.field(description="intention or contract.")
    amount_wan: float | None
    signed_on: date | None
    record: strawberry.Private[DealRecord]

    def natural_key(self) -> str:
        return self.key

    @strawberry.field(description="The buyer.")
    async def enterprise(self, info: Info) -> Enterprise | None:
        return await _node(info, Enterprise, self.record.enterprise)

    @strawberry.field(description="The achievement bought, if any.")
    async def achievement(self, info: Info) -> Achievement | None:
        return await _node(info, Achievement, self.record.achievement)

    @strawberry.field(description="The expert selling, if any.")
    async def expert(self, info: Info) -> Expert | None:
        return await _node(info, Expert, self.record.expert)

    @strawberry.field(description="The institution selling, if any.")
    async def institution(self, info: Info) -> Institution | None:
        return await _node(info, Institution, self.record.institution)


def deal_from_record(record: DealRecord) -> Deal:
    """The GraphQL object of a deal."""
    return Deal(
        key=record.key,
        stage=record.stage,
        amount_wan=record.amount_wan,
        signed_on=_date(record.signed_on),
        record=record,
    )


def _deals_of(info: Info, found: Sequence[Neighbour]) -> list[Deal]:
    deals = info.context.catalog().deals()
    keys = sorted({rel["key"] for _, _, rel in found if rel.get("key") in deals})
    return [deal_from_record(deals[k]) for k in keys]


TYPES: dict[str, type[Entity]] = {
    cls.LABEL: cls
    for cls in (
        City,
        County,
        Industry,
        Subgroup,
        Keyword,
        Institution,
        Expert,
        Enterprise,
        Demand,
        Achievement,
        Training,
    )
}
"""The GraphQL type of each node label."""
