"""The GraphQL schema: feature-sized modules merged into one Query, guarded by limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from graphsvc.schema.analytics import AnalyticsQuery
from graphsvc.schema.audit import AuditQuery, Subscription
from graphsvc.schema.context import Context, Info, Role
from graphsvc.schema.errors import (
    QueryTimeoutError,
    should_mask,
    store_unavailable,
    without_suggestions,
)
from graphsvc.schema.limits import MASKED, Guard, Limits, log_unexpected, validation_rules
from graphsvc.schema.mutations import Mutation
from graphsvc.schema.planning import PlanQuery
from graphsvc.schema.queries import EntityQuery
from graphsvc.schema.recommend import RecommendQuery
from graphsvc.schema.search import SearchQuery
from graphsvc.schema.stats import StatsQuery
from graphsvc.schema.types import Deal, Node

__all__ = ["Context", "GuardedSchema", "Info", "Limits", "Role", "build_schema", "sdl"]

Query = merge_types(
    "Query",
    (EntityQuery, SearchQuery, StatsQuery, AnalyticsQuery, RecommendQuery, PlanQuery, AuditQuery),
)
CACHE_SIZE = 512  # parsed and validated documents kept


class GuardedSchema(strawberry.Schema):
    """A schema whose operations stop after `limits.query_timeout` seconds, whose unexpected
    errors are masked (and logged, alone), and which reports each operation to the context's
    `record_operation`."""

    limits: Limits
    masker: MaskErrors

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[Any] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Execute with a time budget; a late operation answers one timeout error.
        Subscriptions are served over websockets only (graphql-transport-ws)."""
        if allowed_operation_types is not None:
            allowed_operation_types = set(allowed_operation_types) - {OperationType.SUBSCRIPTION}
        started = time.perf_counter()
        status = "ok"
        try:
            async with asyncio.timeout(self.limits.query_timeout) as budget:
                if isinstance(context_value, Context):
                    context_value.budget = budget  # a mutation gets more, once parsed
                result = await super().execute(
                    query,
                    variable_values=variable_values,
                    context_value=context_value,
                    root_value=root_value,
                    operation_name=operation_name,
                    allowed_operation_types=allowed_operation_types,
                    operation_extensions=operation_extensions,
                )
        except TimeoutError:
            status = "timeout"
            if getattr(context_value, "operation_kind", None) == "mutation":
                message = (
                    f"the mutation ran longer than {self.limits.write_timeout:g} s; it may "
                    "still land: retry with the same idempotencyKey to learn its outcome"
                )
            else:
                seconds = self.limits.query_timeout
                message = f"the query ran longer than {seconds:g} s and was stopped"
            result = ExecutionResult(
                data=None,
                errors=[GraphQLError(message, extensions={"code": QueryTimeoutError.code})],
            )
        if result.errors:
            status = "error" if status == "ok" else status
            mask = self.masker
            errors = [store_unavailable(e) for e in result.errors]
            result.errors = [mask.anonymise_error(e) if should_mask(e) else e for e in errors]
        if isinstance(context_value, Context):
            name = context_value.operation or operation_name or "anonymous"
            context_value.record_operation(name, status, time.perf_counter() - started)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected errors with their traceback; expected ones are not logged. Without
        introspection, no error suggests names either."""
        if self.config.disable_field_suggestions:
            for error in errors:
                error.message = without_suggestions(error.message)
        log_unexpected(errors)


def build_schema(*, limits: Limits | None = None, introspection: bool = True) -> GuardedSchema:
    """The service's schema, with its limits and caches."""
    limits = limits or Limits()
    rules = validation_rules(limits, introspection=introspection)
    schema = GuardedSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Deal, Node],
        extensions=[lambda: Guard(limits, rules, CACHE_SIZE)],
        config=StrawberryConfig(disable_field_suggestions=not introspection),
    )
    schema.limits = limits
    schema.masker = MaskErrors(should_mask_error=should_mask, error_message=MASKED)
    return schema


def sdl() -> str:
    """The schema in SDL, as `graphsvc schema` prints it and schema.graphql holds it."""
    return build_schema().as_str() + "\n"
