"""The GraphQL schema: feature-sized modules merged into one Query."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from graphsvc.schema.context import Context, Info, Role
from graphsvc.schema.stats import StatsQuery

__all__ = ["Context", "Info", "Role", "build_schema", "sdl"]

Query = merge_types("Query", (StatsQuery,))


def build_schema() -> strawberry.Schema:
    """The service's schema."""
    return strawberry.Schema(query=Query)


def sdl() -> str:
    """The schema in SDL, as `graphsvc schema` prints it and schema.graphql holds it."""
    return build_schema().as_str() + "\n"
