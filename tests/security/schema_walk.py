"""The schema as the security tests see it: which role each field needs (from its permission
classes), what a role can reach from the roots, and the smallest query that asks for a field.

Everything is derived from the schema, so a field added later is covered without a change
here; a field the walk cannot reach makes the tests fail and say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)

from graphsvc.auth import Role
from graphsvc.schema import build_schema
from graphsvc.schema.ids import global_id

__all__ = [
    "KEYS",
    "Probe",
    "graphql_schema",
    "probe",
    "protected_fields",
    "reachable",
    "required_role",
]

# A real key per Node type in tests/data/mini (a new Node type needs one here).
KEYS = {
    "Achievement": "ACH-1",
    "City": "451100",
    "County": "451102",
    "Deal": "DEAL-1",
    "Demand": "DEM-1",
    "Enterprise": "ENT-1",
    "Expert": "EXP-1",
    "Industry": "309",
    "Institution": "INST-GXKJ",
    "Keyword": "碳酸钙",
    "Subgroup": "SG-KJCX",
    "Training": "TRN-1",
}
# Argument values by name: real ones where they matter (a lookup that finds something).
ARGUMENTS = {
    "demand": "DEM-1",
    "enterprise": "ENT-1",
    "expert": "EXP-1",
    "institution": "INST-GXKJ",
    "from": "EXP-1",
    "to": "EXP-2",
    "text": "碳酸钙",
    "key": "EXP-1",
    "code": "451100",
}


def graphql_schema() -> GraphQLSchema:
    """The service's schema (as served; the tests also compare it with the live one)."""
    return build_schema()._schema


def required_role(field: GraphQLField) -> Role:
    """The lowest role that may read `field`, found by asking each of its permission classes
    about a caller of each role (so it holds whatever the class looks at in the role)."""
    definition = field.extensions.get("strawberry-definition")
    permissions = [p() for p in getattr(definition, "permission_classes", ())]
    for role in sorted(Role):
        caller = SimpleNamespace(context=SimpleNamespace(role=role))
        if all(p.has_permission(None, caller) is True for p in permissions):
            return role
    raise AssertionError(f"no role may read {field}")


def _object_types(named: GraphQLNamedType, schema: GraphQLSchema) -> list[GraphQLObjectType]:
    if isinstance(named, GraphQLObjectType):
        return [named]
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        return list(schema.get_possible_types(named))
    return []


def _roots(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    return [t for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t]


def protected_fields(schema: GraphQLSchema) -> Iterator[tuple[str, str, Role]]:
    """Every (type, field, role) whose field needs more than the public role."""
    for name, kind in sorted(schema.type_map.items()):
        if name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        for field_name, field in kind.fields.items():
            role = required_role(field)
            if role > Role.PUBLIC:
                yield name, field_name, role


def reachable(schema: GraphQLSchema, role: Role) -> set[tuple[str, str]]:
    """Every (type, field) a caller of `role` can read, walking from the roots through the
    fields it may read (a field it may not read answers null: nothing below it)."""
    seen: set[tuple[str, str]] = set()
    visited: set[str] = set()
    todo = list(_roots(schema))
    while todo:
        kind = todo.pop()
        if kind.name in visited:
            continue
        visited.add(kind.name)
        for field_name, field in kind.fields.items():
            if required_role(field) > role:
                continue
            seen.add((kind.name, field_name))
            todo.extend(_object_types(get_named_type(field.type), schema))
    return seen


# -- probes: the smallest query that asks for one field ----------------------------------------


@dataclass(frozen=True)
class Probe:
    """A query asking for one field, and the response path where its value lands."""

    operation: str
    path: tuple[str | int, ...]
    variables: dict[str, object]


def probe(schema: GraphQLSchema, type_name: str, field_name: str) -> Probe:
    """A query (or mutation, or subscription) that reads `type_name.field_name`.

    Root fields are asked for directly; fields of Node types through `node(id:)` on a real
    object; anything else is refused with an AssertionError naming it.
    """
    kind = schema.type_map[type_name]
    assert isinstance(kind, GraphQLObjectType)
    field = kind.fields[field_name]
    call = f"{field_name}{_arguments(field)}{_selection(field.type)}"
    roots = {
        getattr(schema.query_type, "name", ""): "query",
        getattr(schema.mutation_type, "name", ""): "mutation",
        getattr(schema.subscription_type, "name", ""): "subscription",
    }
    if type_name in roots:
        return Probe(f"{roots[type_name]} {{ {call} }}", (field_name,), {})
    node = schema.type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    if kind in schema.get_possible_types(node):
        assert type_name in KEYS, f"no key of a {type_name} in the mini dataset: add one to KEYS"
        gid = global_id(type_name, KEYS[type_name])
        operation = f'query {{ node(id: "{gid}") {{ ... on {type_name} {{ {call} }} }} }}'
        return Probe(operation, ("node", field_name), {})
    raise AssertionError(
        f"{type_name}.{field_name} needs a role but is on a type the security tests cannot "
        "reach directly: teach tests/security/schema_walk.probe a way to it"
    )


def _arguments(field: GraphQLField) -> str:
    given = [
        f"{name}: {_literal(arg.type, name)}"
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]
    return f"({', '.join(given)})" if given else ""


def _literal(kind: GraphQLInputType, name: str) -> str:
    """A GraphQL literal of `kind` that passes validation (a real key where it helps)."""
    if isinstance(kind, GraphQLNonNull):
        return _literal(kind.of_type, name)
    if isinstance(kind, GraphQLList):
        return f"[{_literal(kind.of_type, name)}]"
    if isinstance(kind, GraphQLEnumType):
        return str(next(iter(kind.values)))
    if isinstance(kind, GraphQLInputObjectType):
        fields = [
            f"{n}: {_literal(f.type, n)}"
            for n, f in kind.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        ]
        return f"{{{', '.join(fields)}}}"
    assert isinstance(kind, GraphQLScalarType), kind
    if kind.name in ("Int", "Float"):
        return "1"
    if kind.name == "Boolean":
        return "false"
    if kind.name == "Date":
        return '"2024-01-01"'
    if kind.name == "ID":
        return f'"{global_id("Expert", "EXP-1")}"'
    if kind.name == "JSON":
        return "{}"
    return f'"{ARGUMENTS.get(name, "x")}"'


def _selection(kind: GraphQLOutputType) -> str:
    named = get_named_type(kind)
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return " { __typename }"
    return ""
