"""Connection filters: GraphQL input types and what each selects from the catalog.

A filter becomes a hashable key and a function from the catalog to the sorted keys it
selects; the catalog caches the result per graph version, so paging through a filtered
connection computes the filter once. Relationship criteria become key sets that are
intersected; property criteria are then checked row by row. An industry criterion includes
every industry below it (SUBCLASS_OF).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date
from typing import Any, TypeAlias

import strawberry

from graphsvc.ontology import LABELS, RELATIONSHIPS
from graphsvc.schema.catalog import Catalog, is_ongoing
from graphsvc.schema.errors import BadInputError
from graphsvc.text import normalise_term

__all__ = [
    "AchievementFilter",
    "DateRange",
    "DealFilter",
    "DemandFilter",
    "EnterpriseFilter",
    "ExpertFilter",
    "IndustryFilter",
    "InstitutionFilter",
    "Selection",
    "TrainingFilter",
    "select_all",
]

Compute: TypeAlias = Callable[[Catalog], list[str]]
Selection: TypeAlias = tuple[Hashable, Compute]
Pred: TypeAlias = Callable[[Mapping[str, Any]], bool]


def _choices(label: str, prop: str) -> tuple[str, ...]:
    return LABELS[label].prop(prop).choices


def _check_choice(value: str | None, choices: tuple[str, ...], what: str) -> None:
    if value is not None and value not in choices:
        raise BadInputError(f"`{what}` must be one of {', '.join(choices)} (got {value!r})")


@strawberry.input(description="An inclusive range of dates; leave either end open.")
class DateRange:
    from_: date | None = strawberry.field(default=None, name="from")
    to: date | None = None

    def key(self) -> tuple[str | None, str | None]:
        """The range as ISO strings (how dates are stored)."""
        return (
            self.from_.isoformat() if self.from_ else None,
            self.to.isoformat() if self.to else None,
        )


def _in_range(prop: str, rng: DateRange) -> Pred:
    lo, hi = rng.key()

    def pred(p: Mapping[str, Any]) -> bool:
        value = p.get(prop)
        if value is None:
            return False
        s = str(value)
        return (lo is None or s >= lo) and (hi is None or s <= hi)

    return pred


def _finish(cat: Catalog, label: str, sets: list[set[str]], preds: list[Pred]) -> list[str]:
    if sets:
        sets.sort(key=len)
        found = set(sets[0]).intersection(*sets[1:])
        keys = sorted(found)
    else:
        keys = cat.keys(label)
    if not preds:
        return list(keys)
    out = []
    for k in keys:
        props = cat.props(label, k)
        if props is not None and all(pred(props) for pred in preds):
            out.append(k)
    return out


def _industries(cat: Catalog, code: str) -> list[tuple[str, str]]:
    return [("Industry", c) for c in cat.industry_closure(code)]


def _counties_of(cat: Catalog, city: str) -> list[tuple[str, str]]:
    return [("County", c) for c in cat.linked("County", "IN_CITY", [("City", city)])]


def _enterprises_in(cat: Catalog, city: str | None, county: str | None) -> set[str] | None:
    found: set[str] | None = None
    if city is not None:
        found = cat.linked("Enterprise", "LOCATED_IN", _counties_of(cat, city))
    if county is not None:
        in_county = cat.linked("Enterprise", "LOCATED_IN", [("County", county)])
        found = in_county if found is None else found & in_county
    return found


def _refs(label: str, keys: Iterable[str]) -> list[tuple[str, str]]:
    return [(label, k) for k in keys]


def three_no(props: Mapping[str, Any]) -> bool:
    """A "three-no" enterprise: no R&D staff, no R&D platform, no R&D spending.

    >>> three_no({"rd_staff": 0, "rd_platform": False}), three_no({"rd_staff": 2})
    (True, False)
    """
    return (
        not props.get("rd_staff") and not props.get("rd_platform") and not props.get("rd_spend_wan")
    )


def _commissioned(cat: Catalog, expert: str | None = None) -> set[str]:
    """Enterprises with a current commissioner (or with this expert as one)."""
    today = cat.today()
    experts = [expert] if expert is not None else cat.keys("Expert")
    found: set[str] = set()
    for e in experts:
        for other, rel in cat.edges("Expert", e, "SERVED"):
            if rel.get("role") == "commissioner" and is_ongoing(rel, today):
                found.add(other.partition(":")[2])
    return found


def expert_load(cat: Catalog, expert: str) -> int:
    """Enterprises an expert serves now (ongoing SERVED records, counted once each)."""
    today = cat.today()
    return len({o for o, rel in cat.edges("Expert", expert, "SERVED") if is_ongoing(rel, today)})


def _flag(prop: str, want: bool) -> Pred:
    return lambda p: bool(p.get(prop)) == want


@strawberry.input(description="Which enterprises; every criterion given must hold.")
class EnterpriseFilter:
    city: str | None = strawberry.field(default=None, description="City code.")
    county: str | None = strawberry.field(default=None, description="County code.")
    industry: str | None = strawberry.field(
        default=None, description="Industry code; includes its sub-industries."
    )
    institution: str | None = strawberry.field(
        default=None, description="Paired with this institution (key)."
    )
    program: str | None = strawberry.field(default=None, description="Paired under this programme.")
    paired: bool | None = strawberry.field(default=None, description="Paired with any institution.")
    commissioner: str | None = strawberry.field(
        default=None, description="Served now by this expert (key) as commissioner."
    )
    has_commissioner: bool | None = strawberry.field(
        default=None, description="Has a commissioner now."
    )
    benchmark: bool | None = None
    high_tech: bool | None = None
    three_no: bool | None = strawberry.field(
        default=None, description="No R&D staff, no R&D platform and no R&D spending."
    )
    size: str | None = strawberry.field(default=None, description="micro, small, medium, large.")

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        _check_choice(self.size, _choices("Enterprise", "size"), "size")
        key = ("Enterprise", *vars(self).values())

        def compute(cat: Catalog) -> list[str]:
            sets: list[set[str]] = []
            preds: list[Pred] = []
            located = _enterprises_in(cat, self.city, self.county)
            if located is not None:
                sets.append(located)
            if self.industry is not None:
                sets.append(
                    cat.linked("Enterprise", "IN_INDUSTRY", _industries(cat, self.industry))
                )
            if self.institution is not None:
                sets.append(
                    cat.linked(
                        "Enterprise", "PAIRED_WITH", [("Institution", self.institution)], "in"
                    )
                )
            if self.program is not None or self.paired is not None:
                paired: set[str] = set()
                for inst in cat.keys("Institution"):
                    for other, rel in cat.edges("Institution", inst, "PAIRED_WITH"):
                        if self.program is None or rel.get("program") == self.program:
                            paired.add(other.partition(":")[2])
                if self.program is not None:
                    sets.append(paired)
                if self.paired is not None:
                    want = self.paired
                    preds.append(lambda p: (p["key"] in paired) == want)
            if self.commissioner is not None:
                sets.append(_commissioned(cat, self.commissioner))
            if self.has_commissioner is not None:
                served = _commissioned(cat)
                want_c = self.has_commissioner
                preds.append(lambda p: (p["key"] in served) == want_c)
            for prop, value in (("benchmark", self.benchmark), ("high_tech", self.high_tech)):
                if value is not None:
                    preds.append(_flag(prop, value))
            if self.three_no is not None:
                want_t = self.three_no
                preds.append(lambda p: three_no(p) == want_t)
            if self.size is not None:
                size = self.size
                preds.append(lambda p: p.get("size") == size)
            return _finish(cat, "Enterprise", sets, preds)

        return key, compute


@strawberry.input(description="Which experts; every criterion given must hold.")
class ExpertFilter:
    city: str | None = strawberry.field(default=None, description="Based in this city (code).")
    institution: str | None = strawberry.field(
        default=None, description="Affiliated with this institution (key)."
    )
    subgroup: str | None = strawberry.field(default=None, description="Member of this subgroup.")
    industry: str | None = strawberry.field(
        default=None, description="Expert in this industry or one below it (code)."
    )
    keyword: str | None = strawberry.field(default=None, description="Has this skill keyword.")
    commissioner: bool | None = strawberry.field(
        default=None, description="A dispatched S&T commissioner."
    )
    available: bool | None = strawberry.field(
        default=None, description="Serves fewer enterprises now than their capacity."
    )

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        key = ("Expert", *vars(self).values())

        def compute(cat: Catalog) -> list[str]:
            sets: list[set[str]] = []
            preds: list[Pred] = []
            for value, rel, label in (
                (self.city, "BASED_IN", "City"),
                (self.institution, "AFFILIATED_WITH", "Institution"),
                (self.subgroup, "MEMBER_OF", "Subgroup"),
            ):
                if value is not None:
                    sets.append(cat.linked("Expert", rel, [(label, value)]))
            if self.industry is not None:
                sets.append(cat.linked("Expert", "EXPERT_IN", _industries(cat, self.industry)))
            if self.keyword is not None:
                term = normalise_term(self.keyword)
                sets.append(cat.linked("Expert", "HAS_SKILL", [("Keyword", term)]))
            if self.commissioner is not None:
                want = self.commissioner
                preds.append(lambda p: bool(p.get("commissioner")) == want)
            if self.available is not None:
                want_a = self.available
                default = LABELS["Expert"].prop("capacity").default
                preds.append(
                    lambda p: (
                        (expert_load(cat, p["key"]) < (p.get("capacity", default) or 0)) == want_a
                    )
                )
            return _finish(cat, "Expert", sets, preds)

        return key, compute


@strawberry.input(description="Which institutions; every criterion given must hold.")
class InstitutionFilter:
    city: str | None = strawberry.field(default=None, description="Located in this city (code).")
    kind: str | None = strawberry.field(
        default=None,
        description="university, institute, rnd_institution, enterprise_lab, service_platform.",
    )

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        _check_choice(self.kind, _choices("Institution", "kind"), "kind")
        key = ("Institution", self.city, self.kind)

        def compute(cat: Catalog) -> list[str]:
            sets: list[set[str]] = []
            preds: list[Pred] = []
            if self.city is not None:
                sets.append(cat.linked("Institution", "LOCATED_IN", [("City", self.city)]))
            if self.kind is not None:
                kind = self.kind
                preds.append(lambda p: p.get("kind") == kind)
            return _finish(cat, "Institution", sets, preds)

        return key, compute


@strawberry.input(description="Which industries; every criterion given must hold.")
class IndustryFilter:
    parent: str | None = strawberry.field(
        default=None, description="Directly below this industry (code)."
    )
    under: str | None = strawberry.field(
        default=None, description="Anywhere below this industry (code), itself excluded."
    )
    top_level: bool | None = strawberry.field(
        default=None, description="Sections (no parent) only, or none of them."
    )
    tag: str | None = strawberry.field(default=None, description="Carries this tag.")

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        key = ("Industry", self.parent, self.under, self.top_level, self.tag)

        def compute(cat: Catalog) -> list[str]:
            sets: list[set[str]] = []
            preds: list[Pred] = []
            if self.parent is not None:
                sets.append(cat.linked("Industry", "SUBCLASS_OF", [("Industry", self.parent)]))
            if self.under is not None:
                sets.append(set(cat.industry_closure(self.under)) - {self.under})
            if self.top_level is not None:
                with_parent = {
                    k for k in cat.keys("Industry") if any(cat.edges("Industry", k, "SUBCLASS_OF"))
                }
                want = self.top_level
                preds.append(lambda p: (p["code"] not in with_parent) == want)
            if self.tag is not None:
                tag = self.tag
                preds.append(lambda p: tag in (p.get("tags") or ()))
            return _finish(cat, "Industry", sets, preds)

        return key, compute


@strawberry.input(description="Which demands; every criterion given must hold.")
class DemandFilter:
    status: list[str] | None = strawberry.field(
        default=None, description="Any of these: open, matched, solved, closed."
    )
    enterprise: str | None = strawberry.field(default=None, description="Posted by (key).")
    city: str | None = strawberry.field(default=None, description="Posted from this city.")
    county: str | None = strawberry.field(default=None, description="Posted from this county.")
    industry: str | None = strawberry.field(
        default=None, description="Concerns this industry or one below it (code)."
    )
    keyword: str | None = strawberry.field(default=None, description="Mentions this keyword.")
    posted_on: DateRange | None = None

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        for s in self.status or ():
            _check_choice(s, _choices("Demand", "status"), "status")
        status = tuple(sorted(set(self.status))) if self.status is not None else None
        key = (
            "Demand",
            status,
            self.enterprise,
            self.city,
            self.county,
            self.industry,
            self.keyword,
            self.posted_on.key() if self.posted_on else None,
        )

        def compute(cat: Catalog) -> list[str]:
            sets: list[set[str]] = []
            preds: list[Pred] = []
            if self.enterprise is not None:
                sets.append(cat.linked("Demand", "POSTED", [("Enterprise", self.enterprise)], "in"))
            located = _enterprises_in(cat, self.city, self.county)
            if located is not None:
                sets.append(cat.linked("Demand", "POSTED", _refs("Enterprise", located), "in"))
            if self.industry is not None:
                sets.append(cat.linked("Demand", "CONCERNS", _industries(cat, self.industry)))
            if self.keyword is not None:
                term = normalise_term(self.keyword)
                sets.append(cat.linked("Demand", "MENTIONS", [("Keyword", term)]))
            if status is not None:
                default = LABELS["Demand"].prop("status").default
                preds.append(lambda p: p.get("status", default) in status)
            if self.posted_on is not None:
                preds.append(_in_range("posted_on", self.posted_on))
            return _finish(cat, "Demand", sets, preds)

        return key, compute


@strawberry.input(description="Which achievements; every criterion given must hold.")
class AchievementFilter:
    industry: str | None = strawberry.field(
        default=None, description="Applies to this industry or one below it (code)."
    )
    kind: str | None = strawberry.field(
        default=None, description="patent, software, variety, standard, technique, other."
    )
    owner: str | None = strawberry.field(
        default=None, description="Owned by this expert, institution or enterprise (key)."
    )
    keyword: str | None = strawberry.field(default=None, description="Mentions this keyword.")
    min_maturity: int | None = strawberry.field(default=None, description="Maturity at least.")
    listed_on: DateRange | None = None

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        _check_choice(self.kind, _choices("Achievement", "kind"), "kind")
        key = (
            "Achievement",
            self.industry,
            self.kind,
            self.owner,
            self.keyword,
            self.min_maturity,
            self.listed_on.key() if self.listed_on else None,
        )

        def compute(cat: Catalog) -> list[str]:
            sets: list[set[str]] = []
            preds: list[Pred] = []
            if self.industry is not None:
                sets.append(
                    cat.linked("Achievement", "APPLIES_TO", _industries(cat, self.industry))
                )
            if self.owner is not None:
                owners = [(label, self.owner) for label in RELATIONSHIPS["OWNS"].sources]
                sets.append(cat.linked("Achievement", "OWNS", owners, "in"))
            if self.keyword is not None:
                term = normalise_term(self.keyword)
                sets.append(cat.linked("Achievement", "MENTIONS", [("Keyword", term)]))
            if self.kind is not None:
                kind = self.kind
                preds.append(lambda p: p.get("kind") == kind)
            if self.min_maturity is not None:
                least = self.min_maturity
                preds.append(lambda p: (p.get("maturity") or 0) >= least)
            if self.listed_on is not None:
                preds.append(_in_range("listed_on", self.listed_on))
            return _finish(cat, "Achievement", sets, preds)

        return key, compute


@strawberry.input(description="Which training events; every criterion given must hold.")
class TrainingFilter:
    city: str | None = strawberry.field(default=None, description="Held in this city (code).")
    kind: str | None = strawberry.field(
        default=None, description="class, base_visit, study_point, online."
    )
    organizer: str | None = strawberry.field(default=None, description="Organised by exactly this.")
    enterprise: str | None = strawberry.field(
        default=None, description="Attended by this enterprise (key)."
    )
    held_on: DateRange | None = None

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        _check_choice(self.kind, _choices("Training", "kind"), "kind")
        key = (
            "Training",
            self.city,
            self.kind,
            self.organizer,
            self.enterprise,
            self.held_on.key() if self.held_on else None,
        )

        def compute(cat: Catalog) -> list[str]:
            sets: list[set[str]] = []
            preds: list[Pred] = []
            if self.city is not None:
                sets.append(cat.linked("Training", "HELD_IN", [("City", self.city)]))
            if self.enterprise is not None:
                sets.append(
                    cat.linked("Training", "ATTENDED", [("Enterprise", self.enterprise)], "in")
                )
            if self.kind is not None:
                kind = self.kind
                preds.append(lambda p: p.get("kind") == kind)
            if self.organizer is not None:
                organizer = self.organizer
                preds.append(lambda p: p.get("organizer") == organizer)
            if self.held_on is not None:
                preds.append(_in_range("held_on", self.held_on))
            return _finish(cat, "Training", sets, preds)

        return key, compute


@strawberry.input(description="Which deals; every criterion given must hold.")
class DealFilter:
    stage: str | None = strawberry.field(default=None, description="intention or contract.")
    enterprise: str | None = strawberry.field(default=None, description="The buyer (key).")
    city: str | None = strawberry.field(default=None, description="The buyer's city (code).")
    county: str | None = strawberry.field(default=None, description="The buyer's county (code).")
    achievement: str | None = None
    expert: str | None = None
    institution: str | None = None
    signed_on: DateRange | None = None

    def selection(self) -> Selection:
        """The cache key and selector of this filter."""
        stages = next(p for p in RELATIONSHIPS["DEAL"].props if p.name == "stage").choices
        _check_choice(self.stage, stages, "stage")
        rng = self.signed_on.key() if self.signed_on else None
        key = (
            "Deal",
            self.stage,
            self.enterprise,
            self.city,
            self.county,
            self.achievement,
            self.expert,
            self.institution,
            rng,
        )

        def compute(cat: Catalog) -> list[str]:
            located = _enterprises_in(cat, self.city, self.county)
            out = []
            for k, d in cat.deals().items():
                if (
                    (self.stage is None or d.stage == self.stage)
                    and (self.enterprise is None or d.enterprise == self.enterprise)
                    and (located is None or d.enterprise in located)
                    and (self.achievement is None or d.achievement == self.achievement)
                    and (self.expert is None or d.expert == self.expert)
                    and (self.institution is None or d.institution == self.institution)
                    and (
                        rng is None
                        or (
                            d.signed_on is not None
                            and (rng[0] is None or d.signed_on >= rng[0])
                            and (rng[1] is None or d.signed_on <= rng[1])
                        )
                    )
                ):
                    out.append(k)
            return out

        return key, compute


def select_all(label: str) -> Selection:
    """Every node of a label, for a connection without a filter."""
    return (label,), lambda cat: cat.keys(label)
