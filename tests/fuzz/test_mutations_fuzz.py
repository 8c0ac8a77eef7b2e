"""Hypothesis over every mutation's input, through a live server: random strings (real keys
among them), numbers, dates, lists and keys in every field the schema declares, optional
fields left out or null. The answer is always a payload, with errors or without: never a
5xx, never a top-level error. And the store stays consistent: a refused input changes
nothing; a success adds one version and one audit entry (or none, for a replay); every
posted demand is a new Demand node; versions and audit entries keep in step.

The inputs are derived from the committed schema, so a new mutation or field is fuzzed
without a change here. GRAPHSVC_FUZZ_EXAMPLES scales the examples (`make fuzz`).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    build_schema,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.api.conftest import MINI, Server, load_folder, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("GRAPHSVC_FUZZ_EXAMPLES", "3")) * 10
SCHEMA = build_schema((ROOT / "schema.graphql").read_text("utf-8"))
MUTATIONS = SCHEMA.mutation_type.fields if SCHEMA.mutation_type else {}


def _keys(file: str) -> list[str]:
    rows = list(csv.reader((MINI / file).read_text("utf-8").splitlines()))[1:]
    return [row[0] for row in rows if row]


# Values that fit a field of that name, from the mini dataset: drawn two times in three, so
# inputs get past their references and reach the writes.
POOLS = {
    "enterprise": _keys("enterprises.csv"),
    "expert": _keys("experts.csv"),
    "institution": _keys("institutions.csv"),
    "demand": _keys("demands.csv"),
    "county": _keys("counties.csv"),
    "city": _keys("cities.csv"),
    "industries": _keys("industries.csv"),
    "subgroups": _keys("subgroups.csv"),
    "role": ["commissioner", "team", "consultant", "visit"],
    "status": ["open", "matched", "solved", "closed"],
    "outcome": ["solved", "ongoing", "failed"],
    "size": ["micro", "small", "medium", "large"],
}
POOLS["key"] = [*POOLS["demand"], *POOLS["expert"], *POOLS["enterprise"]]
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12),
    st.sampled_from(["", " ", "null", "0", "-1", "1e999", "2024-02-30", "DEM-1 ", "ＥＮＴ-1"]),
)


def text_for(name: str) -> st.SearchStrategy[str]:
    """Text for a field: mostly a fitting value when the field names a kind of thing."""
    pool = POOLS.get(name)
    return TEXT if pool is None else st.one_of(st.sampled_from(pool), st.sampled_from(pool), TEXT)


def values(kind: GraphQLInputType, name: str, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a GraphQL input type that pass the type check (so the mutation sees them):
    null too where the type allows it."""
    if isinstance(kind, GraphQLNonNull):
        return _values(kind.of_type, name, depth)
    return st.none() | _values(kind, name, depth)


def _values(kind: GraphQLInputType, name: str, depth: int) -> st.SearchStrategy[Any]:
    if isinstance(kind, GraphQLList):
        return st.lists(values(kind.of_type, name, depth + 1), max_size=4)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(sorted(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return inputs(kind, depth + 1)
    assert isinstance(kind, GraphQLScalarType), kind
    if kind.name == "Int":
        return st.integers(-(2**31), 2**31 - 1) | st.integers(-2, 10)
    if kind.name == "Float":
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 1000)
    if kind.name == "Boolean":
        return st.booleans()
    if kind.name == "Date":
        return st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
    if kind.name == "JSON":
        return st.dictionaries(st.text(max_size=5), TEXT | st.integers(), max_size=3)
    return text_for(name)  # String, ID


def inputs(kind: GraphQLInputObjectType, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """An input object: required fields always, optional ones sometimes (null or a value)."""
    fields = kind.fields.items()
    required = {n: values(f.type, n, depth) for n, f in fields if _required(f)}
    optional = {n: values(f.type, n, depth) for n, f in fields if not _required(f)}
    return st.fixed_dictionaries(required, optional=optional if depth <= 2 else {})


def _required(field: GraphQLInputField) -> bool:
    return isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined


@st.composite
def mutation_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(MUTATIONS)))
    kind = MUTATIONS[name].args["input"].type
    assert isinstance(kind, GraphQLNonNull) and isinstance(kind.of_type, GraphQLInputObjectType)
    return name, draw(inputs(kind.of_type))


def operation(name: str) -> str:
    """The mutation with a selection every payload has: its errors."""
    kind = MUTATIONS[name].args["input"].type
    assert isinstance(kind, GraphQLNonNull)
    return (
        f"mutation($i: {kind.of_type.name}!) {{ {name}(input: $i) "
        "{ __typename errors { field message } } }"
    )


STATE = """{ stats { version nodeCounts { label count } }
  auditLog(first: 1, newestFirst: true) { totalCount edges { node { seq version mutation } } } }"""


def state(server: Server) -> tuple[int, int, int]:
    """The graph version, the number of audit entries and of demands."""
    data = server.data(STATE, role="admin")
    demands = {c["label"]: c["count"] for c in data["stats"]["nodeCounts"]}.get("Demand", 0)
    return data["stats"]["version"], data["auditLog"]["totalCount"], demands


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """graphsvc on its own copy of the mini dataset: these writes land."""
    tmp = tmp_path_factory.mktemp("fuzz-mutations")
    load_folder(MINI, tmp / "graph")
    server = start_server(tmp / "graph", tmp)
    yield server
    stop_server(server)


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(call=mutation_calls())
@example(  # answered a top-level BAD_USER_INPUT (and data: null) before it was a payload error
    call=(
        "commitPlan",
        {
            "kind": "PAIRING",
            "assignments": [{"enterprise": "ENT-2", "institution": "INST-GXKJ"}],
            "capacities": [
                {"key": "INST-GXKJ", "capacity": 1},
                {"key": "INST-GXKJ", "capacity": 2},
            ],
        },
    )
)
def test_mutation_inputs_get_a_payload_and_keep_the_store_consistent(
    server: Server, call: tuple[str, dict[str, Any]]
) -> None:
    name, given_input = call
    version, audited, demands = state(server)
    base = version - audited  # the version the load made; every write since is audited
    response = server.post(operation(name), {"i": given_input}, role="admin")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, (name, given_input, body["errors"])
    payload = body["data"][name]
    after_version, after_audited, after_demands = state(server)
    assert after_version - after_audited == base  # versions and audit entries in step
    for error in payload["errors"]:
        assert error["message"] and isinstance(error["field"], str), error
    if payload["errors"]:
        assert (after_version, after_demands) == (version, demands), (name, payload)
    else:
        assert after_version in (version, version + 1)  # a replay writes nothing
        landed = after_version == version + 1
        new_demand = name == "postDemand" and landed
        assert after_demands == demands + new_demand, (name, given_input)
