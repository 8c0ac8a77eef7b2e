"""The SDL: committed, printed by `graphsvc schema`, and in step with the ontology."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import GraphQLObjectType, build_schema

from graphsvc.ontology import LABELS
from graphsvc.schema import sdl

ROOT = Path(__file__).resolve().parent.parent.parent


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "schema.graphql").read_text("utf-8")
    assert committed == sdl(), "schema.graphql is stale: run `graphsvc schema > schema.graphql`"


def test_cli_prints_the_sdl() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", "schema"], capture_output=True, check=False
    )
    if out.returncode != 0 or not out.stdout:  # the module may not run as a script
        out = subprocess.run(
            [str(Path(sys.executable).parent / "graphsvc"), "schema"],
            capture_output=True,
            check=True,
        )
    assert out.stdout.decode("utf-8") == sdl()


def test_every_label_and_property_is_in_the_schema() -> None:
    schema = build_schema(sdl())
    for label in LABELS.values():
        gql = schema.get_type(label.name)
        assert isinstance(gql, GraphQLObjectType), label.name
        assert "Node" in {i.name for i in gql.interfaces}
        assert "id" in gql.fields
        for prop in label.props:
            assert camel(prop.name) in gql.fields, f"{label.name}.{prop.name}"


def test_contract_names() -> None:
    query = build_schema(sdl()).query_type
    assert query is not None
    for field in (
        "node enterprise expert institution industry subgroup demand achievement county city "
        "training deal keyword enterprises experts institutions industries demands achievements "
        "trainings deals search stats"
    ).split():
        assert field in query.fields, field
    for field in (
        "enterprises",
        "experts",
        "institutions",
        "industries",
        "demands",
        "achievements",
    ):
        args = query.fields[field].args
        assert {"filter", "first", "after"} <= set(args), field
        conn = query.fields[field].type
        assert {"edges", "pageInfo", "totalCount"} <= set(conn.of_type.fields)
