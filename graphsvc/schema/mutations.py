"""Mutations (admin): post and update demands, record service, pair institutions, upsert
experts and enterprises.

Each input is checked as a one-row input file would be by the loader (same rules, same
messages), written as one batch with its audit entry and preconditions (durable before the
answer), and answered with the changed object and `errors { field message }`: an invalid
input changes nothing. A client may send an `idempotencyKey`: a retry with the same key and
the same input answers what the first call did and writes nothing; with another input, it
is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
import strawberry
from strawberry.utils.str_converters import to_camel_case

from graphsvc.algorithms.planning_commit import DEFAULT_PROGRAM, ProposedAssignment, commit_batch
from graphsvc.algorithms.planning_rules import TERM_YEARS
from graphsvc.loaders.load import Reject, rows_batch, stored_row
from graphsvc.schema.context import Info
from graphsvc.schema.errors import BadInputError
from graphsvc.schema.permissions import AdminOnly
from graphsvc.schema.planning import CapacityInput, ConflictInput, PlanKind, QuotaInput, _pairs
from graphsvc.schema.types import Demand, Enterprise, Expert, Institution, Pairing, ServiceRecord
from graphsvc.store.base import AuditEntry, Batch, ConflictError, GraphStore, Props, StoreError

__all__ = ["FieldError", "Mutation", "event_kind"]

ATTEMPTS = 3  # a write whose preconditions fail (a concurrent change) is prepared again
# updateDemand: where each status may go
DEMAND_STATUS = {"open": ("matched",), "matched": ("solved", "closed")}
EVENT_KINDS = {
    "postDemand": "DEMAND",
    "updateDemand": "DEMAND",
    "recordService": "SERVICE",
    "pairInstitution": "PAIRING",
    "upsertExpert": "EXPERT",
    "upsertEnterprise": "ENTERPRISE",
    "commitPlan": "PLAN",
}


def event_kind(mutation: str) -> str:
    """The event kind a mutation's audit entry is published as.

    >>> event_kind("recordService")
    'SERVICE'
    """
    return EVENT_KINDS.get(mutation, "OTHER")


@strawberry.type(description="Why an input was refused: the input field and the reason.")
class FieldError:
    field: str = strawberry.field(description="The input field, empty for the whole input.")
    message: str


# -- the write pipeline -----------------------------------------------------------------------


@dataclass
class Prepared:
    """A checked write: its batch, or what is wrong with the input; and the keys of the
    objects it changes (what the payload shows, and what a retry answers)."""

    batch: Batch | None = None
    errors: list[FieldError] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)


def _refused(errors: list[FieldError]) -> Prepared:
    return Prepared(errors=errors)


def _fingerprint(mutation: str, given: Mapping[str, Any]) -> str:
    """The same mutation with the same input has the same fingerprint.

    >>> _fingerprint("postDemand", {"a": 1, "b": 2}) == _fingerprint("postDemand", {"b": 2, "a": 1})
    True
    """
    body = orjson.dumps({"mutation": mutation, "input": given}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()[:32]


@dataclass
class Outcome:
    """What a mutation did: the keys of what it changed and the version it made, or why
    nothing changed."""

    result: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    version: int | None = None


def _replayed(entry: AuditEntry, fingerprint: str, key: str) -> Outcome:
    if entry.get("fingerprint") != fingerprint:
        message = (
            f"the idempotency key {key!r} was used for another request "
            f"(audit entry {entry['seq']}); use a new key for a new request"
        )
        return Outcome(errors=[FieldError(field="idempotencyKey", message=message)])
    return Outcome(dict(entry.get("result") or {}), version=entry.get("version"))


async def run_write(
    info: Info,
    mutation: str,
    given: Mapping[str, Any],
    prepare: Callable[[GraphStore], Prepared],
    idempotency_key: str | None = None,
) -> Outcome:
    """Check, write and audit one mutation; the keys of what changed, or the errors.

    `prepare` reads the store and builds the batch (in a worker thread); its preconditions
    are checked by the store atomically with the write, and it is prepared again when a
    concurrent write made them false.
    """
    ctx = info.context
    store = ctx.store
    fingerprint = _fingerprint(mutation, given)
    key = f"{mutation}:{idempotency_key}" if idempotency_key else None
    problem = "the graph kept changing under this write"
    for _ in range(ATTEMPTS):
        if key is not None:
            existing = await asyncio.to_thread(store.audit_entry, key)
            if existing is not None:
                return _replayed(existing, fingerprint, idempotency_key or "")
        prepared = await asyncio.to_thread(prepare, store)
        if prepared.errors or prepared.batch is None:
            if key is not None:  # the same key may have landed since the look-up above
                existing = await asyncio.to_thread(store.audit_entry, key)
                if existing is not None:
                    return _replayed(existing, fingerprint, idempotency_key or "")
            return Outcome(errors=prepared.errors)
        prepared.batch.audit(
            {
                "actor": ctx.actor,
                "mutation": mutation,
                "idempotency_key": key,
                "fingerprint": fingerprint,
                "input": dict(given),
                "result": prepared.result,
            }
        )
        try:
            version = await asyncio.shield(asyncio.to_thread(store.apply, prepared.batch))
        except ConflictError as e:
            if e.existing is not None:
                return _replayed(e.existing, fingerprint, idempotency_key or "")
            problem = str(e)
            continue
        except StoreError as e:
            message = f"the write failed, nothing changed: {e}"
            return Outcome(errors=[FieldError(field="", message=message)])
        if ctx.events is not None:
            ctx.events.notify()
        return Outcome(prepared.result, version=version)
    message = f"{problem}; nothing changed, please retry"
    return Outcome(errors=[FieldError(field="", message=message)])


def _given(input_: object) -> dict[str, Any]:
    """The fields a client set (left-out ones are UNSET), dates as ISO text."""
    out: dict[str, Any] = {}
    for name, value in vars(input_).items():
        if value is strawberry.UNSET:
            continue
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def _cells(given: Mapping[str, Any], columns: Mapping[str, str]) -> dict[str, Any]:
    """Input fields renamed to the input file's columns (others keep their names)."""
    return {columns.get(k, k): v for k, v in given.items() if k != "idempotency_key"}


def _field_errors(problems: list[Reject], columns: Mapping[str, str]) -> list[FieldError]:
    """Loader problems with the input's field names (camelCase) instead of file columns."""
    names = {column: to_camel_case(name) for name, column in columns.items()}
    return [
        FieldError(field=names.get(p.column, to_camel_case(p.column)), message=p.reason)
        for p in problems
    ]


def _load_row(
    store: GraphStore,
    file: str,
    cells: dict[str, Any],
    columns: Mapping[str, str],
    info: Info,
    trusted: dict[str, Any] | None = None,
) -> tuple[Batch | None, list[FieldError]]:
    batch, problems = rows_batch(
        store, file, [cells], segmenter=info.context.segmenter, trusted=[trusted or {}]
    )
    if problems:
        return None, _field_errors(problems, columns)
    return batch, []


def _merged(
    store: GraphStore, file: str, key: str, cells: dict[str, Any], rewrite: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """The row to load for an upsert: the stored row with the given cells over it; stored
    values that only the store holds are kept unless a cell of theirs, or one of the
    `rewrite` cells they derive from, is given. Also whether the node exists."""
    found = stored_row(store, file, key)
    if found is None:
        return cells, {}, False
    row, trusted = found
    row.update(cells)
    if any(c in cells for c in rewrite):
        for column in trusted:
            if column not in cells:
                row[column] = None  # derived from changed text: derive it again
        trusted = {}
    trusted = {k: v for k, v in trusted.items() if k not in cells}
    return row, trusted, True


# -- inputs and payloads ----------------------------------------------------------------------

IDEMPOTENCY = (
    "A key of the client's choosing: a retry with the same key and input changes nothing "
    "and answers as the first call did."
)


@strawberry.input(description="A new technology demand of an enterprise.")
class PostDemandInput:
    enterprise: str = strawberry.field(description="The enterprise's key.")
    title: str
    key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The demand's key; generated when left out. A retry with the same key "
        "and input changes nothing.",
    )
    description: str | None = strawberry.UNSET
    keywords: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Extracted from the title and description if left out.",
    )
    industries: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Industry codes; the enterprise's if left out."
    )
    budget_wan: float | None = strawberry.UNSET
    posted_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="Today if left out."
    )
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=IDEMPOTENCY
    )


@strawberry.input(description="Changes to a demand; fields left out stay as they are.")
class UpdateDemandInput:
    key: str
    status: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="open → matched → solved or closed; no other change is allowed.",
    )
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    keywords: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Extracted again from the text when the title or description changes "
        "and keywords are left out.",
    )
    industries: list[str] | None = strawberry.UNSET
    budget_wan: float | None = strawberry.UNSET
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=IDEMPOTENCY
    )


@strawberry.input(
    description="A service of an expert to an enterprise. The expert, enterprise, role and "
    "start date identify it: recording it again (say, with a rating) updates it."
)
class RecordServiceInput:
    expert: str
    enterprise: str
    role: str = strawberry.field(description="commissioner, team, consultant or visit.")
    start_on: date
    demand: str | None = strawberry.field(
        default=strawberry.UNSET, description="A demand the enterprise posted."
    )
    end_on: date | None = strawberry.UNSET
    rating: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 5.")
    outcome: str | None = strawberry.field(
        default=strawberry.UNSET, description="solved, ongoing or failed."
    )
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=IDEMPOTENCY
    )


@strawberry.input(description="Pair an institution with an enterprise.")
class PairInstitutionInput:
    institution: str
    enterprise: str
    program: str | None = strawberry.UNSET
    since: date | None = strawberry.field(
        default=strawberry.UNSET, description="Today if left out."
    )
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=IDEMPOTENCY
    )


@strawberry.input(
    description="An expert, created or changed; for an existing expert, fields left out stay "
    "as they are and null clears one."
)
class UpsertExpertInput:
    key: str
    name: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    commissioner: bool | None = strawberry.UNSET
    capacity: int | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    institution: str | None = strawberry.UNSET
    city: str | None = strawberry.field(default=strawberry.UNSET, description="A city code.")
    subgroups: list[str] | None = strawberry.UNSET
    industries: list[str] | None = strawberry.UNSET
    keywords: list[str] | None = strawberry.UNSET
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=IDEMPOTENCY
    )


@strawberry.input(
    description="An enterprise, created or changed; for an existing enterprise, fields left "
    "out stay as they are and null clears one."
)
class UpsertEnterpriseInput:
    key: str
    name: str | None = strawberry.UNSET
    credit_code: str | None = strawberry.UNSET
    size: str | None = strawberry.UNSET
    high_tech: bool | None = strawberry.UNSET
    benchmark: bool | None = strawberry.UNSET
    rd_staff: int | None = strawberry.UNSET
    rd_platform: bool | None = strawberry.UNSET
    rd_spend_wan: float | None = strawberry.UNSET
    founded_year: int | None = strawberry.UNSET
    county: str | None = strawberry.field(default=strawberry.UNSET, description="A county code.")
    industries: list[str] | None = strawberry.UNSET
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=IDEMPOTENCY
    )


@strawberry.input(description="One assignment of a plan, by natural keys.")
class PlanAssignmentInput:
    enterprise: str
    institution: str | None = strawberry.field(default=None, description="For a pairing.")
    expert: str | None = strawberry.field(default=None, description="For commissioners.")


@strawberry.input(
    description="A plan to write, as planPairing or planCommissioners gave it, or as a "
    "planner edited it; checked against the graph as it is now, and written whole or not at "
    "all. Committing it again writes nothing new."
)
class CommitPlanInput:
    kind: PlanKind
    assignments: list[PlanAssignmentInput]
    start_on: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="Pairings: their `since`; commissioners: the term's first day. Today if "
        "left out.",
    )
    term_years: int = TERM_YEARS
    program: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"The pairings' programme ({DEFAULT_PROGRAM})."
    )
    capacities: list[CapacityInput] | None = strawberry.UNSET
    city_quotas: list[QuotaInput] | None = strawberry.UNSET
    subgroup_quotas: list[QuotaInput] | None = strawberry.UNSET
    conflicts: list[ConflictInput] | None = strawberry.UNSET
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=IDEMPOTENCY
    )


@strawberry.type
class CommitPlanPayload:
    version: int | None = strawberry.field(description="The graph version the commit made.")
    written: int = strawberry.field(description="Assignments written now.")
    unchanged: int = strawberry.field(description="Assignments the graph had already.")
    errors: list[FieldError]


@strawberry.type
class DemandPayload:
    demand: Demand | None
    errors: list[FieldError]


@strawberry.type
class ServicePayload:
    service: ServiceRecord | None
    errors: list[FieldError]


@strawberry.type
class PairingPayload:
    pairing: Pairing | None
    errors: list[FieldError]


@strawberry.type
class ExpertPayload:
    expert: Expert | None
    created: bool | None = strawberry.field(description="True when the expert is new.")
    errors: list[FieldError]


@strawberry.type
class EnterprisePayload:
    enterprise: Enterprise | None
    created: bool | None = strawberry.field(description="True when the enterprise is new.")
    errors: list[FieldError]


# -- reading back what was written ------------------------------------------------------------


def _node_props(store: GraphStore, label: str, key: str | None) -> Props | None:
    return None if key is None else store.get_nodes(label, [key])[0]


def _service(store: GraphStore, result: Mapping[str, Any]) -> ServiceRecord | None:
    expert = _node_props(store, "Expert", result.get("expert"))
    enterprise = _node_props(store, "Enterprise", result.get("enterprise"))
    if expert is None or enterprise is None:
        return None
    for _, props, rel in store.neighbours("Expert", [expert["key"]], "SERVED")[0]:
        same = (props["key"], rel.get("role"), rel.get("start_on")) == (
            enterprise["key"],
            result.get("role"),
            result.get("start_on"),
        )
        if same:
            return ServiceRecord.make(
                Expert.from_props(expert), Enterprise.from_props(enterprise), rel
            )
    return None


def _pairing(store: GraphStore, result: Mapping[str, Any]) -> Pairing | None:
    institution = _node_props(store, "Institution", result.get("institution"))
    enterprise = _node_props(store, "Enterprise", result.get("enterprise"))
    if institution is None or enterprise is None:
        return None
    for _, props, rel in store.neighbours("Institution", [institution["key"]], "PAIRED_WITH")[0]:
        if props["key"] == enterprise["key"]:
            return Pairing.make(
                Institution.from_props(institution), Enterprise.from_props(enterprise), rel
            )
    return None


def _demand(store: GraphStore, result: Mapping[str, Any]) -> Demand | None:
    props = _node_props(store, "Demand", result.get("demand"))
    return None if props is None else Demand.from_props(props)


# -- the mutations ----------------------------------------------------------------------------

DEMAND_COLUMNS = {
    "enterprise": "enterprise_key",
    "industries": "industry_codes",
}
SERVICE_COLUMNS = {"expert": "expert_key", "enterprise": "enterprise_key", "demand": "demand_key"}
PAIRING_COLUMNS = {"institution": "institution_key", "enterprise": "enterprise_key"}
EXPERT_COLUMNS = {
    "institution": "institution_key",
    "city": "city_code",
    "subgroups": "subgroup_keys",
    "industries": "industry_codes",
}
ENTERPRISE_COLUMNS = {"county": "county_code", "industries": "industry_codes"}


def _new_demand_key(today: date) -> str:
    """A fresh demand key, e.g. D20261127-3FA2C1."""
    return f"D{today:%Y%m%d}-{secrets.token_hex(3).upper()}"


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Post a new demand (status open); keywords are extracted from its text "
        "when not given.",
        permission_classes=[AdminOnly],
    )
    async def post_demand(self, info: Info, input: PostDemandInput) -> DemandPayload:
        given = _given(input)
        cells = _cells(given, DEMAND_COLUMNS)
        cells["status"] = "open"
        cells.setdefault("posted_on", date.today().isoformat())
        chosen = cells.get("key")

        def prepare(store: GraphStore) -> Prepared:
            key = chosen or _new_demand_key(date.today())
            if chosen and store.get_nodes("Demand", [key])[0] is not None:
                message = f"demand {key!r} exists already; change it with updateDemand"
                return _refused([FieldError(field="key", message=message)])
            batch, errors = _load_row(store, "demands", {**cells, "key": key}, DEMAND_COLUMNS, info)
            if batch is None:
                return _refused(errors)
            batch.require("Demand", key, None, False)  # nobody took the key meanwhile
            return Prepared(batch, result={"demand": key})

        # A demand key the client chose makes the request idempotent by itself.
        ident = given.get("idempotency_key") or (f"key:{chosen}" if chosen else None)
        done = await run_write(info, "postDemand", given, prepare, ident)
        return DemandPayload(demand=_demand(info.context.store, done.result), errors=done.errors)

    @strawberry.mutation(
        description="Change a demand: its status along open → matched → solved/closed, its "
        "text, keywords, industries or budget.",
        permission_classes=[AdminOnly],
    )
    async def update_demand(self, info: Info, input: UpdateDemandInput) -> DemandPayload:
        given = _given(input)
        cells = _cells(given, DEMAND_COLUMNS)
        key = input.key

        def prepare(store: GraphStore) -> Prepared:
            row, trusted, exists = _merged(
                store, "demands", key, cells, rewrite=("title", "description")
            )
            if not exists:
                return _refused([FieldError(field="key", message=f"no demand {key!r}")])
            stored = store.get_nodes("Demand", [key])[0] or {}
            before, after = stored.get("status") or "open", row.get("status")
            if after != before and after not in DEMAND_STATUS.get(before, ()):
                allowed = " or ".join(DEMAND_STATUS.get(before, ())) or "nothing (it is final)"
                message = f"a {before} demand can change to {allowed}, not to {after}"
                return _refused([FieldError(field="status", message=message)])
            batch, errors = _load_row(store, "demands", row, DEMAND_COLUMNS, info, trusted)
            if batch is None:
                return _refused(errors)
            batch.require("Demand", key, "status", stored.get("status"))
            return Prepared(batch, result={"demand": key})

        ident = given.get("idempotency_key")
        done = await run_write(info, "updateDemand", given, prepare, ident)
        return DemandPayload(demand=_demand(info.context.store, done.result), errors=done.errors)

    @strawberry.mutation(
        description="Record (or update) a service of an expert to an enterprise, with its "
        "rating and outcome.",
        permission_classes=[AdminOnly],
    )
    async def record_service(self, info: Info, input: RecordServiceInput) -> ServicePayload:
        given = _given(input)
        cells = _cells(given, SERVICE_COLUMNS)

        def prepare(store: GraphStore) -> Prepared:
            demand = cells.get("demand_key")
            if demand:
                posted = store.neighbours("Demand", [demand], "POSTED", "in")[0]
                owners = [p["key"] for _, p, _ in posted]
                if owners and cells.get("enterprise_key") not in owners:
                    message = f"demand {demand!r} was posted by {owners[0]}, not this enterprise"
                    return _refused([FieldError(field="demand", message=message)])
            batch, errors = _load_row(store, "service_records", cells, SERVICE_COLUMNS, info)
            if batch is None:
                return _refused(errors)
            result = {
                "expert": cells["expert_key"],
                "enterprise": cells["enterprise_key"],
                "role": cells.get("role"),
                "start_on": cells.get("start_on"),
            }
            return Prepared(batch, result=result)

        ident = given.get("idempotency_key")
        done = await run_write(info, "recordService", given, prepare, ident)
        return ServicePayload(service=_service(info.context.store, done.result), errors=done.errors)

    @strawberry.mutation(
        description="Pair an institution with an enterprise (pairing again updates it).",
        permission_classes=[AdminOnly],
    )
    async def pair_institution(self, info: Info, input: PairInstitutionInput) -> PairingPayload:
        given = _given(input)
        cells = _cells(given, PAIRING_COLUMNS)
        cells.setdefault("since", date.today().isoformat())

        def prepare(store: GraphStore) -> Prepared:
            batch, errors = _load_row(store, "pairings", cells, PAIRING_COLUMNS, info)
            if batch is None:
                return _refused(errors)
            result = {
                "institution": cells["institution_key"],
                "enterprise": cells["enterprise_key"],
            }
            return Prepared(batch, result=result)

        ident = given.get("idempotency_key")
        done = await run_write(info, "pairInstitution", given, prepare, ident)
        return PairingPayload(pairing=_pairing(info.context.store, done.result), errors=done.errors)

    @strawberry.mutation(
        description="Write a plan (pairings or commissioner services) after checking it "
        "against the graph as it is now: all of it, or nothing when any assignment fails.",
        permission_classes=[AdminOnly],
    )
    async def commit_plan(self, info: Info, input: CommitPlanInput) -> CommitPlanPayload:
        return await _commit_plan(info, input)

    @strawberry.mutation(description="Create or change an expert.", permission_classes=[AdminOnly])
    async def upsert_expert(self, info: Info, input: UpsertExpertInput) -> ExpertPayload:
        given = _given(input)
        done = await _upsert(info, "upsertExpert", "experts", given, EXPERT_COLUMNS)
        props = _node_props(info.context.store, "Expert", done.result.get("expert"))
        expert = None if props is None else Expert.from_props(props)
        return ExpertPayload(expert=expert, created=done.result.get("created"), errors=done.errors)

    @strawberry.mutation(
        description="Create or change an enterprise.", permission_classes=[AdminOnly]
    )
    async def upsert_enterprise(
        self,
        info: Info,
        input: UpsertEnterpriseInput,
    ) -> EnterprisePayload:
        given = _given(input)
        done = await _upsert(info, "upsertEnterprise", "enterprises", given, ENTERPRISE_COLUMNS)
        props = _node_props(info.context.store, "Enterprise", done.result.get("enterprise"))
        enterprise = None if props is None else Enterprise.from_props(props)
        created = done.result.get("created")
        return EnterprisePayload(enterprise=enterprise, created=created, errors=done.errors)


def _plan_input(input_: CommitPlanInput) -> dict[str, Any]:
    """The plan input as JSON values, for the audit trail and the idempotency fingerprint."""
    given = _given(input_)
    given["kind"] = input_.kind.value
    given["assignments"] = [vars(a) for a in input_.assignments]
    for name in ("capacities", "city_quotas", "subgroup_quotas", "conflicts"):
        if given.get(name) is not None:
            given[name] = [vars(item) for item in given[name]]
    return given


async def _commit_plan(info: Info, input_: CommitPlanInput) -> CommitPlanPayload:
    given = _plan_input(input_)
    if not input_.assignments:
        message = "a plan to commit has at least one assignment"
        return CommitPlanPayload(
            version=None,
            written=0,
            unchanged=0,
            errors=[FieldError(field="assignments", message=message)],
        )
    limits: dict[str, dict[str, int]] = {}
    for name in ("capacities", "city_quotas", "subgroup_quotas"):
        try:
            limits[name] = _pairs(getattr(input_, name) or None)
        except BadInputError as e:  # a key given twice: the input's error, like any other
            error = FieldError(field=to_camel_case(name), message=str(e))
            return CommitPlanPayload(version=None, written=0, unchanged=0, errors=[error])
    start = given.get("start_on") or date.today().isoformat()
    proposed = [
        ProposedAssignment(a.enterprise, a.institution, a.expert) for a in input_.assignments
    ]

    def prepare(store: GraphStore) -> Prepared:
        with store.reading():
            version = store.version
            batch, problems = commit_batch(
                store.view(),
                input_.kind.value,
                proposed,
                start_on=start,
                term_years=input_.term_years,
                program=given.get("program") or DEFAULT_PROGRAM,
                capacities=limits["capacities"],
                city_quotas=limits["city_quotas"],
                subgroup_quotas=limits["subgroup_quotas"],
                declared_conflicts=[(c.expert, c.enterprise) for c in input_.conflicts or ()],
            )
        if problems:
            return _refused(
                [FieldError(field=to_camel_case(p.field), message=p.message) for p in problems]
            )
        batch.require_version(version)  # capacities were counted on this version
        written = sum(1 for op in batch.ops if op[0] == "R")
        result = {
            "kind": input_.kind.value,
            "written": written,
            "unchanged": len(proposed) - written,
        }
        return Prepared(batch, result=result)

    done = await run_write(info, "commitPlan", given, prepare, given.get("idempotency_key"))
    return CommitPlanPayload(
        version=done.version,
        written=int(done.result.get("written", 0)),
        unchanged=int(done.result.get("unchanged", 0)),
        errors=done.errors,
    )


async def _upsert(
    info: Info, mutation: str, file: str, given: dict[str, Any], columns: Mapping[str, str]
) -> Outcome:
    cells = _cells(given, columns)
    key = str(cells["key"])
    label = "expert" if file == "experts" else "enterprise"

    def prepare(store: GraphStore) -> Prepared:
        row, trusted, exists = _merged(store, file, key, cells)
        batch, errors = _load_row(store, file, row, columns, info, trusted)
        if batch is None:
            return _refused(errors)
        batch.require(label.capitalize(), key, None, exists)  # created or changed, as checked
        return Prepared(batch, result={label: key, "created": not exists})

    return await run_write(info, mutation, given, prepare, given.get("idempotency_key"))
