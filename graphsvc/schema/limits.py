"""Protection against abusive queries: depth, aliases, tokens, `first`, cost, body size, time.

Every limit is a `GRAPHSVC_*` environment variable (see `Limits`). Depth and aliases are
validation rules (built once, so strawberry's ValidationCache keeps hitting), tokens a parser
option, the cost a check before execution once variables are known, in the spirit of GitHub's
node limit: a connection asked for with `first: n` inside connections asked for with
`first: a` and `first: b` may return `a * b * n` nodes, and the sum over all connections of
the query must stay under `max_cost`.

Examples
--------
>>> from graphql import build_schema, parse
>>> schema = build_schema('''
...   type Query { things(first: Int = 10): [Thing] }
...   type Thing { name: String, parts(first: Int = 10): [Thing] }
... ''')
>>> query_cost(schema, parse("{ things(first: 50) { parts(first: 20) { name } } }"),
...            None, {}, max_first=100)
1050
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.language import OperationType as AstOperationType
from graphql.validation import ASTValidationRule
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from graphsvc.schema.errors import ApiError, LimitExceededError, should_mask

__all__ = [
    "DEFAULT_FIRST",
    "MASKED",
    "Guard",
    "Limits",
    "check_first",
    "error_code",
    "log_unexpected",
    "query_cost",
    "validation_rules",
]

log = logging.getLogger(__name__)
MASKED = "Unexpected error; it has been logged."
DEFAULT_FIRST = 20  # `first` when a query gives none (the schema's default too)


class Limits(BaseSettings):
    """The API's limits, from `GRAPHSVC_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="GRAPHSVC_", extra="ignore")

    max_depth: int = Field(12, ge=1, description="deepest field nesting of an operation")
    max_aliases: int = Field(30, ge=0, description="aliased fields in a document")
    max_tokens: int = Field(2000, ge=10, description="lexical tokens in a document")
    max_first: int = Field(100, ge=1, description="largest `first` of a connection")
    max_cost: int = Field(25_000, ge=1, description="nodes a query may ask for (see module)")
    max_body_bytes: int = Field(64 * 1024, ge=256, description="largest request body")
    query_timeout: float = Field(5.0, gt=0, description="seconds an operation may run")
    write_timeout: float = Field(
        30.0,
        gt=0,
        description="seconds a mutation may run: writes take turns, and wait for the "
        "index builds running when they come",
    )
    fresh_wait: float = Field(
        1.5,
        ge=0,
        description="seconds a query waits for a rebuild after a write (recommender, "
        "analytics, plans) before answering from the previous graph version",
    )
    max_plan_pairs: int = Field(
        40_000_000,
        ge=1,
        description="enterprise × candidate pairs a plan may score (its dense fit matrices "
        "take 100–150 bytes a pair)",
    )
    response_cache: int = Field(
        4096, ge=0, description="error-free POST answers kept per graph version (0: none)"
    )


def check_first(first: int | None, limits: Limits) -> int:
    """`first` as a page size: the default when absent, an error when out of range."""
    if first is None:
        return DEFAULT_FIRST
    if first < 0 or first > limits.max_first:
        raise LimitExceededError(f"`first` must be between 0 and {limits.max_first} (got {first})")
    return first


def validation_rules(limits: Limits, *, introspection: bool) -> tuple[type[ASTValidationRule], ...]:
    """The extra validation rules, created once per schema so validation results cache."""
    rules = [depth_rule(limits.max_depth, None), alias_rule(limits.max_aliases)]
    if not introspection:
        from graphql.validation import NoSchemaIntrospectionCustomRule

        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


def _argument(
    node: FieldNode,
    name: str,
    default: Any,
    variables: Mapping[str, Any],
    var_defaults: Mapping[str, Any],
) -> Any:
    for arg in node.arguments or ():
        if arg.name.value != name:
            continue
        value = arg.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            var = value.name.value
            if variables.get(var) is not None:
                return variables[var]
            return var_defaults.get(var, default)
        if isinstance(value, NullValueNode):
            return default
        return default  # a wrong literal type: validation reports it
    return default


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    max_first: int,
) -> int:
    """How many nodes an operation may return: the sum over its connections (fields with a
    `first` argument) of the product of `first` along the path from the root.

    Raises `LimitExceededError` when a `first` is outside 0..max_first.
    """
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for d in document.definitions:
        if isinstance(d, FragmentDefinitionNode):
            fragments[d.name.value] = d
        elif isinstance(d, OperationDefinitionNode):
            operations.append(d)
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if not chosen:
        return 0
    op = chosen[0]
    var_defaults: dict[str, Any] = {}
    for vd in op.variable_definitions or ():
        if isinstance(vd.default_value, IntValueNode):
            var_defaults[vd.variable.name.value] = int(vd.default_value.value)
    root = {
        AstOperationType.QUERY: schema.query_type,
        AstOperationType.MUTATION: schema.mutation_type,
        AstOperationType.SUBSCRIPTION: schema.subscription_type,
    }[op.operation]
    if root is None:
        return 0
    walker = _CostWalker(schema, fragments, variables or {}, var_defaults, max_first)
    return walker.walk(op.selection_set, root, 1, frozenset())


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        var_defaults: Mapping[str, Any],
        max_first: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.var_defaults = var_defaults
        self.max_first = max_first

    def walk(
        self, selections: SelectionSetNode, parent: Any, mult: int, seen: frozenset[str]
    ) -> int:
        total = 0
        for sel in selections.selections:
            if isinstance(sel, FieldNode):
                fields = getattr(parent, "fields", None)
                fdef = fields.get(sel.name.value) if fields else None
                if fdef is None:
                    continue
                child = mult
                if "first" in fdef.args:
                    first = _argument(
                        sel,
                        "first",
                        fdef.args["first"].default_value,
                        self.variables,
                        self.var_defaults,
                    )
                    if not isinstance(first, int):
                        first = self.max_first
                    if first < 0 or first > self.max_first:
                        raise LimitExceededError(
                            f"`first` must be between 0 and {self.max_first} (got {first} "
                            f"on `{sel.name.value}`)"
                        )
                    child = mult * first
                    total += child
                if sel.selection_set is not None:
                    total += self.walk(sel.selection_set, get_named_type(fdef.type), child, seen)
            elif isinstance(sel, InlineFragmentNode):
                target = parent
                if sel.type_condition is not None:
                    target = self.schema.get_type(sel.type_condition.name.value) or parent
                total += self.walk(sel.selection_set, target, mult, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = self.fragments.get(name)
                if frag is None or name in seen:
                    continue
                target = self.schema.get_type(frag.type_condition.name.value) or parent
                total += self.walk(frag.selection_set, target, mult, seen | {name})
        return total


def error_code(error: GraphQLError) -> str | None:
    """A machine-readable `extensions.code` for an error the client gets."""
    if error.extensions and "code" in error.extensions:
        return None  # already tagged
    original = error.original_error
    if isinstance(original, ApiError):
        return original.code
    if error.message == MASKED:
        return "INTERNAL_SERVER_ERROR"
    if original is None and error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if original is None and error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return None


class Guard(ParserCache, ValidationCache):
    """The per-operation limits in one extension with two hooks (hooks cost time on every
    request): strawberry's parser cache with the token limit, and its validation cache with
    the depth, alias (and introspection) rules, followed by the cost check, which needs the
    operation's variables."""

    def __init__(
        self, limits: Limits, rules: tuple[type[ASTValidationRule], ...], cache_size: int
    ) -> None:
        ParserCache.__init__(self, maxsize=cache_size)
        ValidationCache.__init__(self, maxsize=cache_size)
        self.limits = limits
        self.rules = rules

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        ec.parse_options["max_tokens"] = self.limits.max_tokens
        yield from ParserCache.on_parse(self)
        setter = getattr(ec.context, "set_operation", None)
        if setter is not None:
            setter(_operation_name(ec), _operation_kind(ec))

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        ec.validation_rules = ec.validation_rules + self.rules
        validate = ValidationCache.on_validate(self)
        next(validate)  # validates (or finds the cached result)
        if not ec.pre_execution_errors and ec.graphql_document is not None:
            error = self._cost_error()
            if error is not None:
                ec.pre_execution_errors = [error]
        yield
        next(validate, None)

    def _cost_error(self) -> GraphQLError | None:
        ec = self.execution_context
        assert ec.graphql_document is not None
        try:
            cost = query_cost(
                ec.schema._schema,
                ec.graphql_document,
                ec.operation_name,
                ec.variables,
                max_first=self.limits.max_first,
            )
        except LimitExceededError as e:
            return GraphQLError(str(e), extensions={"code": e.code})
        if cost <= self.limits.max_cost:
            return None
        return GraphQLError(
            f"the query may return {cost} nodes, more than the limit of "
            f"{self.limits.max_cost}; ask for smaller pages (`first`) of nested connections",
            extensions={"code": LimitExceededError.code},
        )


def _operation_name(ec: Any) -> str:
    try:
        name = ec.operation_name
    except Exception:  # a document that did not parse
        return "invalid"
    return name or "anonymous"


def _operation_kind(ec: Any) -> str:
    try:
        return str(ec.operation_type.value)
    except Exception:  # a document that did not parse, or an unknown operation
        return "invalid"


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log errors that will be masked, with their traceback; expected ones are not logged."""
    for error in errors:
        if should_mask(error):
            log.error("unexpected error in %s", error.path, exc_info=error.original_error)
