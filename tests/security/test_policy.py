"""Who may see what, checked on the schema itself: every personal property of the ontology is
a field only planners and admins can read; every mutation needs the admin role and every
subscription the portal role; and walking the schema from its roots as each role, nothing a
role may not see is reachable (personal data, opaque JSON, service records, responses,
deals, audit entries), except through the lookups that hide such objects (`deal`, `node`).

The live behaviour of the same rules, role by role, is in test_roles.py.
"""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType, get_named_type
from strawberry.utils.str_converters import to_camel_case

from graphsvc.auth import Role
from graphsvc.ontology import LABELS
from tests.security.schema_walk import graphql_schema, reachable, required_role

SCHEMA = graphql_schema()
# Types whose objects only some roles see (docs/api.md, Auth), and the lowest such role.
RESTRICTED_TYPES = {
    "ServiceRecord": Role.PORTAL,
    "DemandResponse": Role.PORTAL,
    "Deal": Role.PORTAL,
    "AuditRecord": Role.PLANNER,
}
# Lookups that answer null for an object the caller may not see, as for one that does not
# exist (tests/api/test_auth.py and test_roles.py check it); they may return such types.
HIDING_LOOKUPS = {("Query", "deal"), ("Query", "node")}
PERSONAL = {
    (label, to_camel_case(prop.name))
    for label, spec in LABELS.items()
    for prop in spec.props
    if prop.personal
}


def test_the_ontology_flags_personal_data() -> None:
    assert {("Expert", "phone"), ("Expert", "email")} <= PERSONAL


@pytest.mark.parametrize(("type_name", "field_name"), sorted(PERSONAL))
def test_personal_properties_need_the_planner_role(type_name: str, field_name: str) -> None:
    kind = SCHEMA.type_map[type_name]
    assert isinstance(kind, GraphQLObjectType) and field_name in kind.fields
    assert required_role(kind.fields[field_name]) >= Role.PLANNER


def test_every_mutation_needs_admin_and_every_subscription_portal() -> None:
    assert SCHEMA.mutation_type is not None and SCHEMA.subscription_type is not None
    assert {n: required_role(f) for n, f in SCHEMA.mutation_type.fields.items()} == {
        n: Role.ADMIN for n in SCHEMA.mutation_type.fields
    }
    for name, field in SCHEMA.subscription_type.fields.items():
        assert required_role(field) >= Role.PORTAL, name


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.PORTAL, Role.PLANNER], ids=lambda r: r.name)
def test_nothing_beyond_a_role_is_reachable(role: Role) -> None:
    personal_names = {field for _, field in PERSONAL}
    for type_name, field_name in sorted(reachable(SCHEMA, role)):
        kind = SCHEMA.type_map[type_name]
        assert isinstance(kind, GraphQLObjectType)
        returned = get_named_type(kind.fields[field_name].type).name
        where = f"{role.name} reaches {type_name}.{field_name} ({returned})"
        if role < Role.PLANNER:
            assert field_name not in personal_names, where
            assert returned != "JSON", where  # opaque data: could hold anything
        needed = RESTRICTED_TYPES.get(returned, Role.PUBLIC)
        if needed > role and (type_name, field_name) not in HIDING_LOOKUPS:
            raise AssertionError(f"{where}, which needs {needed.name}")
        connection = SCHEMA.type_map[returned]
        if returned.endswith("Connection") and isinstance(connection, GraphQLObjectType):
            edges = get_named_type(connection.fields["edges"].type)
            assert isinstance(edges, GraphQLObjectType)
            node = get_named_type(edges.fields["node"].type).name
            assert RESTRICTED_TYPES.get(node, Role.PUBLIC) <= role, f"{where} of {node}"


def test_the_walk_sees_the_whole_schema_as_admin() -> None:
    every = {
        (name, field)
        for name, kind in SCHEMA.type_map.items()
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__")
        for field in kind.fields
    }
    unreachable = every - reachable(SCHEMA, Role.ADMIN)
    assert not unreachable, f"types the walk never meets: {sorted(unreachable)[:10]}"
