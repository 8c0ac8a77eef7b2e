"""Plans over GraphQL: `planPairing`, `planCommissioners` and `planWhatIf` (planner role and
above). A plan changes nothing; the `commitPlan` mutation applies one.

Plans are computed in a worker thread from the recommender of the current graph version
and kept in the request's `VersionedCache` per version and arguments; reasons and paths of
an assignment are worked out when a query first asks for them, then kept with the plan.
docs/planning.md explains the model.
"""

from __future__ import annotations

import asyncio
import enum
import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry.permission import BasePermission

from graphsvc.algorithms import planning as algo
from graphsvc.algorithms.planning_rules import TERM_YEARS, PlanningError, PlanTooLargeError
from graphsvc.algorithms.planning_solve import SolverError
from graphsvc.algorithms.recommend import Model, Path
from graphsvc.auth import Role
from graphsvc.schema.context import Info
from graphsvc.schema.derived import derived
from graphsvc.schema.errors import BadInputError, LimitExceededError
from graphsvc.schema.recommend import RecommendationPath, _paths, warm_model
from graphsvc.schema.types import Enterprise, Expert, Institution

__all__ = ["PlanMode", "PlanQuery"]

PAGE = 100  # most assignments or unassigned enterprises per request


class PlannerPlans(BasePermission):
    """Plans: planners and admins."""

    error_extensions: ClassVar[dict[str, object]] = {"code": "FORBIDDEN"}  # type: ignore[misc]
    message = "plans need the planner role or higher (Authorization: Bearer <token>)"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.role >= Role.PLANNER


@strawberry.enum(description="How a plan is chosen.")
class PlanMode(enum.Enum):
    OPTIMAL = "optimal"
    STABLE = "stable"


@strawberry.enum(description="What a plan assigns.")
class PlanKind(enum.Enum):
    PAIRING = "pairing"
    COMMISSIONERS = "commissioners"


@strawberry.input(description="A capacity for one institution or expert, by key.")
class CapacityInput:
    key: str
    capacity: int


@strawberry.input(description="A quota for one city (code) or subgroup (key).")
class QuotaInput:
    key: str
    quota: int


@strawberry.input(description="An expert who must not serve an enterprise.")
class ConflictInput:
    expert: str
    enterprise: str


@strawberry.input(
    description=(
        "The options of a plan, for `planWhatIf` (the arguments of planPairing or "
        "planCommissioners; options of the other kind are refused)."
    )
)
class PlanOptions:
    mode: PlanMode = PlanMode.OPTIMAL
    capacities: list[CapacityInput] | None = None
    remove: list[str] | None = strawberry.field(
        default=None, description="Institutions (pairing) or experts (commissioners) left out."
    )
    enterprises: list[str] | None = None
    counties: list[str] | None = None
    start_on: str | None = None
    term_years: int = TERM_YEARS
    city_quotas: list[QuotaInput] | None = None
    subgroup_quotas: list[QuotaInput] | None = None
    conflicts: list[ConflictInput] | None = None
    preferences: int | None = None
    supplementary: bool = True


@strawberry.type(description="Coverage within one county or industry.")
class GroupCoverage:
    code: str
    name: str
    total: int = strawberry.field(description="Enterprises of the plan's scope in it.")
    before: int = strawberry.field(description="Covered before the plan.")
    after: int = strawberry.field(description="Covered with the plan.")


@strawberry.type(
    description=(
        "Enterprises covered (paired, or with a commissioner in the term) before and after."
    )
)
class PlanCoverage:
    total: int
    before: int
    after: int
    share_before: float
    share_after: float
    counties: list[GroupCoverage]
    industries: list[GroupCoverage] = strawberry.field(
        description="Per industry the enterprises are directly in."
    )


@strawberry.type(description="An enterprise the plan leaves out, and why.")
class UnassignedEnterprise:
    enterprise: Enterprise | None
    code: str = strawberry.field(
        description=(
            "NO_CANDIDATE, OUT_OF_REACH, CONFLICT, NO_CAPACITY, QUOTA or CAPACITY_USED "
            "(docs/planning.md)."
        )
    )
    reason: str = strawberry.field(description="Why, in Chinese.")


@dataclass
class _Held:
    """A computed plan and the explanations worked out so far."""

    plan: algo.Plan
    model: Model
    explained: dict[int, tuple[tuple[str, ...], tuple[Path, ...]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def explanation(self, i: int) -> tuple[tuple[str, ...], tuple[Path, ...]]:
        with self.lock:
            found = self.explained.get(i)
        if found is None:
            a = self.plan.assignments[i]
            reasons, paths = algo.explain_one(self.model, a)
            found = (reasons + (("补充轮安排",) if a.round == 2 else ()), paths)
            with self.lock:
                self.explained[i] = found
        return found


@strawberry.type(description="One planned pair, with the recommender's reasons and paths.")
class PlanAssignment:
    enterprise: Enterprise | None
    institution: Institution | None
    expert: Expert | None
    score: float = strawberry.field(description="The fit the plan optimised.")
    round: int = strawberry.field(description="2: placed by the supplementary round.")
    _held: strawberry.Private[_Held]
    _index: strawberry.Private[int]

    @strawberry.field(description="Why, strongest first (Chinese).")
    async def reasons(self) -> list[str]:
        found = await asyncio.to_thread(self._held.explanation, self._index)
        return list(found[0])

    @strawberry.field(description="Real paths in the graph from the enterprise to its match.")
    async def paths(self) -> list[RecommendationPath]:
        found = await asyncio.to_thread(self._held.explanation, self._index)
        return _paths(found[1], self._held.model)


PageFirst = Annotated[int, strawberry.argument(description=f"How many, at most {PAGE}.")]
PageOffset = Annotated[int, strawberry.argument(description="How many to skip.")]


def _page(first: int, offset: int, total: int) -> range:
    if first < 0 or first > PAGE:
        raise LimitExceededError(f"`first` must be between 0 and {PAGE} (got {first})")
    if offset < 0:
        raise BadInputError(f"`offset` must not be negative (got {offset})")
    return range(min(offset, total), min(offset + first, total))


@strawberry.type(description="A plan: computed from the current graph, changing nothing.")
class Plan:
    kind: PlanKind
    mode: PlanMode
    version: int = strawberry.field(description="The graph version it was computed from.")
    start_on: str | None = strawberry.field(description="Commissioners: the term's first day.")
    term_end: str | None = strawberry.field(
        description="Commissioners: the day after the term's last day."
    )
    coverage: PlanCoverage
    total_fit: float = strawberry.field(description="The sum of the assignments' scores.")
    kept: int = strawberry.field(
        description="Existing pairings (or services in the term) the plan keeps."
    )
    assignment_count: int
    unassigned_count: int
    _held: strawberry.Private[_Held]

    @strawberry.field(description="The planned pairs, by enterprise key.")
    async def assignments(
        self, info: Info, first: PageFirst = PAGE, offset: PageOffset = 0
    ) -> list[PlanAssignment]:
        items = self._held.plan.assignments
        chosen = [items[i] for i in _page(first, offset, len(items))]
        ents = await info.context.loaders.node("Enterprise").load_many(
            [a.enterprise for a in chosen]
        )
        insts = await info.context.loaders.node("Institution").load_many(
            [a.institution for a in chosen if a.institution]
        )
        experts = await info.context.loaders.node("Expert").load_many(
            [a.expert for a in chosen if a.expert]
        )
        inst_of = {p["key"]: p for p in insts if p is not None}
        exp_of = {p["key"]: p for p in experts if p is not None}
        out = []
        for i, a, e in zip(_page(first, offset, len(items)), chosen, ents, strict=True):
            ip = inst_of.get(a.institution or "")
            xp = exp_of.get(a.expert or "")
            out.append(
                PlanAssignment(
                    enterprise=None if e is None else Enterprise.from_props(e),
                    institution=None if ip is None else Institution.from_props(ip),
                    expert=None if xp is None else Expert.from_props(xp),
                    score=a.score,
                    round=a.round,
                    _held=self._held,
                    _index=i,
                )
            )
        return out

    @strawberry.field(description="Enterprises left without a match, by key, with the reason.")
    async def unassigned(
        self, info: Info, first: PageFirst = PAGE, offset: PageOffset = 0
    ) -> list[UnassignedEnterprise]:
        items = self._held.plan.unassigned
        chosen = [items[i] for i in _page(first, offset, len(items))]
        ents = await info.context.loaders.node("Enterprise").load_many(
            [u.enterprise for u in chosen]
        )
        return [
            UnassignedEnterprise(
                enterprise=None if e is None else Enterprise.from_props(e),
                code=u.code,
                reason=u.reason,
            )
            for u, e in zip(chosen, ents, strict=True)
        ]


@strawberry.type(description="A county's or industry's coverage under two plans.")
class CoverageChange:
    code: str
    name: str
    total: int
    base: int
    variant: int
    change: int


@strawberry.type(description="How a variant plan's coverage differs from the base plan's.")
class PlanComparison:
    total: int
    base_covered: int
    variant_covered: int
    change: int
    base_fit: float
    variant_fit: float
    moved: int = strawberry.field(description="Enterprises whose match differs.")
    counties: list[CoverageChange] = strawberry.field(description="Changed ones, losses first.")
    industries: list[CoverageChange]


# -- plumbing -----------------------------------------------------------------------------------


def _pairs(items: Sequence[CapacityInput] | Sequence[QuotaInput] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items or ():
        value = item.capacity if isinstance(item, CapacityInput) else item.quota
        if item.key in out:
            raise BadInputError(f"{item.key!r} is given twice")
        out[item.key] = value
    return out


def _options_key(kind: PlanKind, o: PlanOptions) -> tuple[Hashable, ...]:
    return (
        "plan",
        kind.value,
        o.mode.value,
        tuple(sorted(_pairs(o.capacities).items())),
        tuple(sorted(set(o.remove or ()))),
        tuple(sorted(set(o.enterprises or ()))) if o.enterprises is not None else None,
        tuple(sorted(set(o.counties or ()))) if o.counties is not None else None,
        o.start_on,
        o.term_years,
        tuple(sorted(_pairs(o.city_quotas).items())),
        tuple(sorted(_pairs(o.subgroup_quotas).items())),
        tuple(sorted({(c.expert, c.enterprise) for c in o.conflicts or ()})),
        o.preferences,
        o.supplementary,
    )


def _compute(kind: PlanKind, o: PlanOptions, model: Model, max_pairs: int) -> algo.Plan:
    view = model.index.view
    if kind is PlanKind.PAIRING:
        extra = [
            name
            for name, value in (
                ("counties", o.counties),
                ("startOn", o.start_on),
                ("cityQuotas", o.city_quotas),
                ("subgroupQuotas", o.subgroup_quotas),
                ("conflicts", o.conflicts),
            )
            if value is not None
        ]
        if extra or o.term_years != TERM_YEARS:
            raise PlanningError(
                f"a pairing plan takes no {', '.join(extra) or 'termYears'} "
                "(those are commissioner plan options)"
            )
        return algo.plan_pairing(
            view,
            model,
            capacities=_pairs(o.capacities),
            mode=o.mode.value,
            remove=o.remove or (),
            enterprises=o.enterprises,
            preferences=o.preferences,
            supplementary=o.supplementary,
            explain=False,
            max_pairs=max_pairs,
        )
    return algo.plan_commissioners(
        view,
        model,
        counties=o.counties,
        enterprises=o.enterprises,
        start_on=o.start_on,
        term_years=o.term_years,
        capacities=_pairs(o.capacities),
        city_quotas=_pairs(o.city_quotas),
        subgroup_quotas=_pairs(o.subgroup_quotas),
        mode=o.mode.value,
        remove=o.remove or (),
        declared_conflicts=[(c.expert, c.enterprise) for c in o.conflicts or ()],
        preferences=o.preferences,
        supplementary=o.supplementary,
        explain=False,
        max_pairs=max_pairs,
    )


async def _held(info: Info, kind: PlanKind, options: PlanOptions) -> _Held:
    """The plan for these options at the current version, computed in a background thread
    when missing (right after a write, the previous version's while it is computed: see
    graphsvc.schema.derived); bad options become input errors."""
    ctx = info.context
    store = ctx.store

    def build() -> _Held:
        model = warm_model(store, ctx.cache)  # the current version's, built here if need be
        with store.reading():  # plans walk the graph: no write lands meanwhile
            return _Held(_compute(kind, options, model, ctx.limits.max_plan_pairs), model)

    try:
        held = await derived(info, _options_key(kind, options), build, what="the plan")
    except PlanTooLargeError as e:
        narrow = "`enterprises`" if kind is PlanKind.PAIRING else "`counties` or `enterprises`"
        raise LimitExceededError(f"{e} ({narrow})") from None
    except (PlanningError, SolverError) as e:
        raise BadInputError(str(e)) from None
    ctx.check_time()
    return held


def _plan(held: _Held) -> Plan:
    p = held.plan
    c = p.coverage

    def groups(items: Sequence[algo.GroupCoverage]) -> list[GroupCoverage]:
        return [
            GroupCoverage(code=g.code, name=g.name, total=g.total, before=g.before, after=g.after)
            for g in items
        ]

    return Plan(
        kind=PlanKind(p.kind.value),
        mode=PlanMode(p.mode.value),
        version=p.version,
        start_on=p.start_on,
        term_end=p.term_end,
        coverage=PlanCoverage(
            total=c.total,
            before=c.before,
            after=c.after,
            share_before=round(c.share_before, 4),
            share_after=round(c.share_after, 4),
            counties=groups(c.counties),
            industries=groups(c.industries),
        ),
        total_fit=p.total_fit,
        kept=p.kept,
        assignment_count=len(p.assignments),
        unassigned_count=len(p.unassigned),
        _held=held,
    )


def _changes(items: Sequence[algo.GroupDelta]) -> list[CoverageChange]:
    return [
        CoverageChange(
            code=d.code, name=d.name, total=d.total, base=d.base, variant=d.variant, change=d.change
        )
        for d in items
    ]


ModeArg = Annotated[PlanMode, strawberry.argument(description="OPTIMAL or STABLE.")]
Capacities = Annotated[
    list[CapacityInput] | None,
    strawberry.argument(description="Capacities overriding the graph's, by key."),
]
Remove = Annotated[list[str] | None, strawberry.argument(description="Keys left out (what-if).")]
Preferences = Annotated[
    int | None,
    strawberry.argument(description="STABLE: candidates each enterprise lists in round one."),
]
Supplementary = Annotated[
    bool, strawberry.argument(description="STABLE: re-plan the enterprises left unmatched.")
]


@strawberry.type
class PlanQuery:
    @strawberry.field(
        description=(
            "Pair every unpaired benchmark enterprise (or the given ones) with an institution "
            "within capacity; existing pairings are kept (planner role and above)."
        ),
        permission_classes=[PlannerPlans],
    )
    async def plan_pairing(
        self,
        info: Info,
        mode: ModeArg = PlanMode.OPTIMAL,
        capacities: Capacities = None,
        remove: Remove = None,
        enterprises: list[str] | None = None,
        preferences: Preferences = None,
        supplementary: Supplementary = True,
    ) -> Plan:
        options = PlanOptions(
            mode=mode,
            capacities=capacities,
            remove=remove,
            enterprises=enterprises,
            preferences=preferences,
            supplementary=supplementary,
        )
        return _plan(await _held(info, PlanKind.PAIRING, options))

    @strawberry.field(
        description=(
            "Give the enterprises of these counties (or these enterprises; default: all) a "
            "commissioner for a term, within capacity, travel, quotas and conflicts "
            "(planner role and above)."
        ),
        permission_classes=[PlannerPlans],
    )
    async def plan_commissioners(
        self,
        info: Info,
        counties: list[str] | None = None,
        enterprises: list[str] | None = None,
        start_on: Annotated[
            str | None,
            strawberry.argument(description="The term's first day (default: today)."),
        ] = None,
        term_years: int = TERM_YEARS,
        mode: ModeArg = PlanMode.OPTIMAL,
        capacities: Capacities = None,
        city_quotas: list[QuotaInput] | None = None,
        subgroup_quotas: list[QuotaInput] | None = None,
        remove: Remove = None,
        conflicts: list[ConflictInput] | None = None,
        preferences: Preferences = None,
        supplementary: Supplementary = True,
    ) -> Plan:
        options = PlanOptions(
            mode=mode,
            capacities=capacities,
            remove=remove,
            enterprises=enterprises,
            counties=counties,
            start_on=start_on,
            term_years=term_years,
            city_quotas=city_quotas,
            subgroup_quotas=subgroup_quotas,
            conflicts=conflicts,
            preferences=preferences,
            supplementary=supplementary,
        )
        return _plan(await _held(info, PlanKind.COMMISSIONERS, options))

    @strawberry.field(
        description=(
            "What-if: the change in coverage, per county and per industry, from the base "
            "plan to the variant (e.g. institutions removed, capacities or quotas changed)."
        ),
        permission_classes=[PlannerPlans],
    )
    async def plan_what_if(
        self,
        info: Info,
        kind: PlanKind,
        variant: PlanOptions,
        base: Annotated[
            PlanOptions | None, strawberry.argument(description="Default: the default plan.")
        ] = None,
    ) -> PlanComparison:
        first = await _held(info, kind, base or PlanOptions())
        second = await _held(info, kind, variant)
        d = algo.compare_plans(first.plan, second.plan)
        return PlanComparison(
            total=d.total,
            base_covered=d.base_covered,
            variant_covered=d.variant_covered,
            change=d.change,
            base_fit=d.base_fit,
            variant_fit=d.variant_fit,
            moved=d.moved,
            counties=_changes(d.counties),
            industries=_changes(d.industries),
        )
