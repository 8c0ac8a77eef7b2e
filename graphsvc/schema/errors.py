"""Errors the API means to show: their messages reach the client; every other error is masked.

Examples
--------
>>> str(LimitExceededError("too deep"))
'too deep'
>>> is_expected(BadInputError("x")), is_expected(KeyError("x"))
(True, False)
"""

from __future__ import annotations

import re

from graphql import GraphQLError
from strawberry.exceptions import StrawberryGraphQLError

from graphsvc.store.base import StoreError

__all__ = [
    "ApiError",
    "BadInputError",
    "LimitExceededError",
    "QueryTimeoutError",
    "is_expected",
    "should_mask",
    "store_unavailable",
    "without_suggestions",
]


class ApiError(Exception):
    """An error whose message is meant for the client."""

    code = "BAD_REQUEST"


class BadInputError(ApiError):
    """An argument is malformed or out of range."""

    code = "BAD_USER_INPUT"


class LimitExceededError(ApiError):
    """The query asks for more than the service allows (depth, cost, `first`, ...)."""

    code = "LIMIT_EXCEEDED"


class QueryTimeoutError(ApiError):
    """The query ran out of its time budget."""

    code = "TIMEOUT"


STORE_UNAVAILABLE = "the graph store could not answer; retry shortly"


def store_unavailable(error: GraphQLError) -> GraphQLError:
    """`error`, or, when a store error caused it (Neo4j away, a disk error), a clear error
    that keeps the cause, which is logged, from the client.

    >>> store_unavailable(GraphQLError("x", original_error=StoreError("bolt://10.0.0.7"))).message
    'the graph store could not answer; retry shortly'
    """
    if not isinstance(error.original_error, StoreError):
        return error
    code = {"code": "STORE_UNAVAILABLE"}
    return GraphQLError(STORE_UNAVAILABLE, error.nodes, path=error.path, extensions=code)


def without_suggestions(message: str) -> str:
    """`message` without graphql-core's "Did you mean ...?" hints, which name arguments,
    types, input fields and enum values (the schema, piece by piece, when introspection is
    off); strawberry's `disable_field_suggestions` only removes those of fields.

    >>> without_suggestions("Unknown argument 'kee' on field 'Query.expert'. Did you mean 'key'?")
    "Unknown argument 'kee' on field 'Query.expert'."
    >>> without_suggestions("Unknown field 'statu'. Did you mean 'status'? Found: {statu: 1}.")
    "Unknown field 'statu'. Found: {statu: 1}."
    """
    return _SUGGESTION.sub("", message)


_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def is_expected(error: BaseException | None) -> bool:
    """True for errors whose message may be shown as it is."""
    return isinstance(error, ApiError | StrawberryGraphQLError)


def should_mask(error: GraphQLError) -> bool:
    """Mask errors raised by unexpected exceptions; keep validation, parse and API errors."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not is_expected(original)
