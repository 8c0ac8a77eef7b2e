"""The graph's ontology, declared once: labels, relationship types, properties and input files.

Everything else derives from these declarations: loader validation, the stores' writes,
Cypher parameters and the GraphQL types.

Examples
--------
>>> LABELS["Expert"].key
'key'
>>> LABELS["County"].prop("poverty_county").type
<PropType.BOOL: 'bool'>
>>> RELATIONSHIPS["SERVED"].sources, RELATIONSHIPS["SERVED"].targets
(('Expert',), ('Enterprise',))
>>> NODE_FILES["experts"].label
'Expert'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "LABELS",
    "NODE_FILES",
    "RELATIONSHIPS",
    "REL_FILES",
    "EdgeSpec",
    "Label",
    "NodeFile",
    "Prop",
    "PropType",
    "Ref",
    "RelFile",
    "RelType",
    "node_id",
    "split_node_id",
]


class PropType(StrEnum):
    """Value types of properties and input columns."""

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"  # stored as an ISO 8601 string, YYYY-MM-DD
    LIST = "list"  # list of strings, `;` or `；` separated in files


@dataclass(frozen=True)
class Prop:
    """A property of a node or relationship, or a column of an input file."""

    name: str
    type: PropType = PropType.STR
    required: bool = False
    choices: tuple[str, ...] = ()
    default: object = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    personal: bool = False  # personal data: visible to planner and admin only
    check: str | None = None  # a named rule beyond type and pattern (see loaders.validate)
    doc: str = ""


@dataclass(frozen=True)
class Label:
    """A node label: its natural key property and its properties (the key included)."""

    name: str
    key: str
    props: tuple[Prop, ...]
    doc: str = ""

    def prop(self, name: str) -> Prop:
        """The property called `name` (KeyError when the label has none)."""
        for p in self.props:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no property {name!r}")


@dataclass(frozen=True)
class RelType:
    """A relationship type: allowed endpoint labels, its properties, and which of them
    tell parallel relationships between the same two nodes apart (`identity`)."""

    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    props: tuple[Prop, ...] = ()
    identity: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Ref:
    """A column of a node file that refers to other nodes and becomes relationships.

    `reverse` means the relationship points from the referenced node to the row's node
    (a demand's `enterprise_key` becomes `(Enterprise)-[:POSTED]->(Demand)`).
    `keyword` columns create the Keyword nodes they name; `extract` ones are filled
    from the row's text when empty.
    """

    column: str
    rel: str
    target: str
    reverse: bool = False
    many: bool = False
    required: bool = False
    keyword: bool = False
    extract: bool = False


@dataclass(frozen=True)
class NodeFile:
    """An input file of nodes: `<name>.csv` or `<name>.jsonl`."""

    name: str
    label: str
    refs: tuple[Ref, ...] = ()
    one_of: tuple[str, ...] = ()  # at least one of these columns must be given
    text_columns: tuple[str, ...] = ()  # where keywords are extracted from

    @property
    def columns(self) -> tuple[Prop, ...]:
        """Every column the file declares: the label's properties, then its references."""
        ref_props = tuple(
            Prop(
                r.column,
                PropType.LIST if r.many else PropType.STR,
                required=r.required,
            )
            for r in self.refs
        )
        return LABELS[self.label].props + ref_props


@dataclass(frozen=True)
class EdgeSpec:
    """One relationship a relationship-file row produces (when its target column is given)."""

    rel: str
    source_column: str
    source_label: str
    target_column: str
    target_label: str
    props: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelFile:
    """An input file of relationships."""

    name: str
    columns: tuple[Prop, ...]
    edges: tuple[EdgeSpec, ...]
    key: str | None = None  # a column whose values are unique within the file
    one_of: tuple[str, ...] = ()
    identity: tuple[str, ...] = field(default=())  # columns unique together within the file


S, I, F, B, D, L = (
    PropType.STR,
    PropType.INT,
    PropType.FLOAT,
    PropType.BOOL,
    PropType.DATE,
    PropType.LIST,
)
_CODE6 = r"^\d{6}$"
_INDUSTRY = r"^([A-T]|\d{2,4})$"


def _key(doc: str = "natural key, unique within the label") -> Prop:
    return Prop("key", S, required=True, doc=doc)


_COORDS = (
    Prop("longitude", F, minimum=-180, maximum=180, doc="seat longitude (WGS 84)"),
    Prop("latitude", F, minimum=-90, maximum=90, doc="seat latitude (WGS 84)"),
)

LABELS: dict[str, Label] = {
    lb.name: lb
    for lb in (
        Label(
            "City",
            "code",
            (
                Prop("code", S, required=True, pattern=_CODE6, doc="GB/T 2260 code"),
                Prop("name", S, required=True),
                *_COORDS,
            ),
            "A prefecture-level city.",
        ),
        Label(
            "County",
            "code",
            (
                Prop("code", S, required=True, pattern=_CODE6, doc="GB/T 2260 code"),
                Prop("name", S, required=True),
                Prop("poverty_county", B, default=False),
                *_COORDS,
            ),
            "A county-level division.",
        ),
        Label(
            "Industry",
            "code",
            (
                Prop("code", S, required=True, pattern=_INDUSTRY, doc="GB/T 4754-2017 code"),
                Prop("name", S, required=True),
                Prop("tags", L, default=()),
            ),
            "A GB/T 4754-2017 section, division, group or class.",
        ),
        Label(
            "Subgroup",
            "key",
            (_key(), Prop("name", S, required=True)),
            "One of the six subgroups of the expert service corps.",
        ),
        Label(
            "Institution",
            "key",
            (
                _key(),
                Prop("name", S, required=True),
                Prop(
                    "kind",
                    S,
                    required=True,
                    choices=(
                        "university",
                        "institute",
                        "rnd_institution",
                        "enterprise_lab",
                        "service_platform",
                    ),
                ),
                Prop("size", S, choices=("small", "medium", "large")),
                Prop("capacity", I, minimum=0, doc="enterprises it can pair with at once"),
            ),
            "A university, research institute or other R&D body.",
        ),
        Label(
            "Expert",
            "key",
            (
                _key(),
                Prop("name", S, required=True),
                Prop("title", S),
                Prop("commissioner", B, default=False, doc="a dispatched S&T commissioner"),
                Prop("capacity", I, default=3, minimum=0, doc="enterprises served at once"),
                Prop("phone", S, personal=True),
                Prop("email", S, personal=True),
            ),
            "An expert; commissioners are dispatched to serve enterprises.",
        ),
        Label(
            "Enterprise",
            "key",
            (
                _key(),
                Prop("name", S, required=True),
                Prop(
                    "credit_code",
                    S,
                    pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$",
                    check="uscc",
                    doc="unified social credit code (GB 32100-2015)",
                ),
                Prop("size", S, choices=("micro", "small", "medium", "large")),
                Prop("high_tech", B, default=False),
                Prop("benchmark", B, default=False, doc="one of the 1000 benchmark enterprises"),
                Prop("rd_staff", I, minimum=0),
                Prop("rd_platform", B, default=False),
                Prop("rd_spend_wan", F, minimum=0),
                Prop("founded_year", I, minimum=1800, maximum=2100),
            ),
            "A county enterprise.",
        ),
        Label(
            "Demand",
            "key",
            (
                _key(),
                Prop("title", S, required=True),
                Prop("description", S),
                Prop("posted_on", D),
                Prop(
                    "status",
                    S,
                    default="open",
                    choices=("open", "matched", "solved", "closed"),
                ),
                Prop("budget_wan", F, minimum=0),
            ),
            "A technology demand posted by an enterprise.",
        ),
        Label(
            "Achievement",
            "key",
            (
                _key(),
                Prop("title", S, required=True),
                Prop("description", S),
                Prop(
                    "kind",
                    S,
                    choices=("patent", "software", "variety", "standard", "technique", "other"),
                ),
                Prop("maturity", I, minimum=1, maximum=9),
                Prop("price_wan", F, minimum=0),
                Prop("listed_on", D),
            ),
            "A listed technology achievement.",
        ),
        Label(
            "Training",
            "key",
            (
                _key(),
                Prop("title", S, required=True),
                Prop("held_on", D),
                Prop("kind", S, choices=("class", "base_visit", "study_point", "online")),
                Prop("organizer", S),
                Prop("attendees", I, minimum=0),
            ),
            "A training event, base visit or study-point session.",
        ),
        Label(
            "Keyword",
            "key",
            (_key("the term itself"),),
            "A technical term, from keyword columns or extracted from text.",
        ),
    )
}

_WEIGHT = Prop("weight", F, minimum=0, doc="term weight (TF-IDF for extracted keywords)")
_RATING = Prop("rating", I, minimum=1, maximum=5)
_OUTCOME = Prop("outcome", S, choices=("solved", "ongoing", "failed"))

RELATIONSHIPS: dict[str, RelType] = {
    r.name: r
    for r in (
        RelType("IN_CITY", ("County",), ("City",)),
        RelType("SUBCLASS_OF", ("Industry",), ("Industry",)),
        RelType("COVERS", ("Subgroup",), ("Industry",)),
        RelType("LOCATED_IN", ("Institution", "Enterprise"), ("City", "County")),
        RelType("AFFILIATED_WITH", ("Expert",), ("Institution",)),
        RelType("BASED_IN", ("Expert",), ("City",)),
        RelType("MEMBER_OF", ("Expert",), ("Subgroup",)),
        RelType("EXPERT_IN", ("Expert",), ("Industry",)),
        RelType("HAS_SKILL", ("Expert",), ("Keyword",)),
        RelType("IN_INDUSTRY", ("Enterprise",), ("Industry",)),
        RelType("POSTED", ("Enterprise",), ("Demand",)),
        RelType("CONCERNS", ("Demand",), ("Industry",)),
        RelType("MENTIONS", ("Demand", "Achievement"), ("Keyword",), (_WEIGHT,)),
        RelType("OWNS", ("Expert", "Institution", "Enterprise"), ("Achievement",)),
        RelType("APPLIES_TO", ("Achievement",), ("Industry",)),
        RelType(
            "SERVED",
            ("Expert",),
            ("Enterprise",),
            (
                Prop("role", S, choices=("commissioner", "team", "consultant", "visit")),
                Prop("start_on", D),
                Prop("end_on", D, doc="empty: ongoing"),
                _RATING,
                _OUTCOME,
                Prop("demand_key", S, doc="the demand the service addressed"),
            ),
            identity=("role", "start_on"),
        ),
        RelType("ADDRESSED", ("Expert",), ("Demand",), (_RATING, _OUTCOME)),
        RelType(
            "PAIRED_WITH",
            ("Institution",),
            ("Enterprise",),
            (Prop("program", S), Prop("since", D)),
        ),
        RelType(
            "DEAL",
            ("Enterprise",),
            ("Achievement", "Expert", "Institution"),
            (
                Prop("key", S, required=True),
                Prop("stage", S, required=True, choices=("intention", "contract")),
                Prop("amount_wan", F, minimum=0),
                Prop("signed_on", D),
            ),
            identity=("key",),
        ),
        RelType(
            "COLLABORATES_WITH",
            ("Expert",),
            ("Expert",),
            (
                Prop("kind", S, choices=("coauthor", "project", "service_team", "other")),
                Prop("count", I, default=1, minimum=1),
                Prop("since", D),
            ),
        ),
        RelType("ATTENDED", ("Enterprise",), ("Training",), (Prop("attendees", I, minimum=0),)),
        RelType("HELD_IN", ("Training",), ("City",)),
    )
}

NODE_FILES: dict[str, NodeFile] = {
    f.name: f
    for f in (
        NodeFile("cities", "City"),
        NodeFile("counties", "County", (Ref("city_code", "IN_CITY", "City", required=True),)),
        NodeFile("industries", "Industry", (Ref("parent_code", "SUBCLASS_OF", "Industry"),)),
        NodeFile(
            "subgroups", "Subgroup", (Ref("industry_codes", "COVERS", "Industry", many=True),)
        ),
        NodeFile("institutions", "Institution", (Ref("city_code", "LOCATED_IN", "City"),)),
        NodeFile(
            "experts",
            "Expert",
            (
                Ref("institution_key", "AFFILIATED_WITH", "Institution"),
                Ref("city_code", "BASED_IN", "City"),
                Ref("subgroup_keys", "MEMBER_OF", "Subgroup", many=True),
                Ref("industry_codes", "EXPERT_IN", "Industry", many=True),
                Ref("keywords", "HAS_SKILL", "Keyword", many=True, keyword=True),
            ),
        ),
        NodeFile(
            "enterprises",
            "Enterprise",
            (
                Ref("county_code", "LOCATED_IN", "County", required=True),
                Ref("industry_codes", "IN_INDUSTRY", "Industry", many=True),
            ),
        ),
        NodeFile(
            "demands",
            "Demand",
            (
                Ref("enterprise_key", "POSTED", "Enterprise", reverse=True, required=True),
                Ref("industry_codes", "CONCERNS", "Industry", many=True),
                Ref("keywords", "MENTIONS", "Keyword", many=True, keyword=True, extract=True),
            ),
            text_columns=("title", "description"),
        ),
        NodeFile(
            "achievements",
            "Achievement",
            (
                Ref("owner_expert_key", "OWNS", "Expert", reverse=True),
                Ref("owner_institution_key", "OWNS", "Institution", reverse=True),
                Ref("owner_enterprise_key", "OWNS", "Enterprise", reverse=True),
                Ref("industry_codes", "APPLIES_TO", "Industry", many=True),
                Ref("keywords", "MENTIONS", "Keyword", many=True, keyword=True, extract=True),
            ),
            one_of=("owner_expert_key", "owner_institution_key", "owner_enterprise_key"),
            text_columns=("title", "description"),
        ),
        NodeFile("trainings", "Training", (Ref("city_code", "HELD_IN", "City"),)),
    )
}

REL_FILES: dict[str, RelFile] = {
    f.name: f
    for f in (
        RelFile(
            "service_records",
            (
                Prop("expert_key", S, required=True),
                Prop("enterprise_key", S, required=True),
                *RELATIONSHIPS["SERVED"].props[:5],
                Prop("demand_key", S),
            ),
            (
                EdgeSpec(
                    "SERVED",
                    "expert_key",
                    "Expert",
                    "enterprise_key",
                    "Enterprise",
                    ("role", "start_on", "end_on", "rating", "outcome", "demand_key"),
                ),
                EdgeSpec(
                    "ADDRESSED",
                    "expert_key",
                    "Expert",
                    "demand_key",
                    "Demand",
                    ("rating", "outcome"),
                ),
            ),
            identity=("expert_key", "enterprise_key", "role", "start_on"),
        ),
        RelFile(
            "pairings",
            (
                Prop("institution_key", S, required=True),
                Prop("enterprise_key", S, required=True),
                *RELATIONSHIPS["PAIRED_WITH"].props,
            ),
            (
                EdgeSpec(
                    "PAIRED_WITH",
                    "institution_key",
                    "Institution",
                    "enterprise_key",
                    "Enterprise",
                    ("program", "since"),
                ),
            ),
            identity=("institution_key", "enterprise_key"),
        ),
        RelFile(
            "deals",
            (
                Prop("enterprise_key", S, required=True),
                Prop("achievement_key", S),
                Prop("expert_key", S),
                Prop("institution_key", S),
                *RELATIONSHIPS["DEAL"].props,
            ),
            tuple(
                EdgeSpec(
                    "DEAL",
                    "enterprise_key",
                    "Enterprise",
                    column,
                    label,
                    ("key", "stage", "amount_wan", "signed_on"),
                )
                for column, label in (
                    ("achievement_key", "Achievement"),
                    ("expert_key", "Expert"),
                    ("institution_key", "Institution"),
                )
            ),
            key="key",
            one_of=("achievement_key", "expert_key", "institution_key"),
        ),
        RelFile(
            "collaborations",
            (
                Prop("expert_key_a", S, required=True),
                Prop("expert_key_b", S, required=True),
                *RELATIONSHIPS["COLLABORATES_WITH"].props,
            ),
            (
                EdgeSpec(
                    "COLLABORATES_WITH",
                    "expert_key_a",
                    "Expert",
                    "expert_key_b",
                    "Expert",
                    ("kind", "count", "since"),
                ),
            ),
            identity=("expert_key_a", "expert_key_b"),
        ),
        RelFile(
            "training_attendance",
            (
                Prop("training_key", S, required=True),
                Prop("enterprise_key", S, required=True),
                Prop("attendees", I, minimum=0),
            ),
            (
                EdgeSpec(
                    "ATTENDED",
                    "enterprise_key",
                    "Enterprise",
                    "training_key",
                    "Training",
                    ("attendees",),
                ),
            ),
            identity=("training_key", "enterprise_key"),
        ),
    )
}


def node_id(label: str, key: str) -> str:
    """The store-wide id of a node.

    >>> node_id("Expert", "EXP-000001")
    'Expert:EXP-000001'
    """
    return f"{label}:{key}"


def split_node_id(nid: str) -> tuple[str, str]:
    """The label and key of a node id.

    >>> split_node_id("Keyword:a:b")
    ('Keyword', 'a:b')
    """
    label, _, key = nid.partition(":")
    return label, key
