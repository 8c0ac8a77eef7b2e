"""Errors the API means to show: their messages reach the client; every other error is masked.

Examples
--------
>>> str(LimitExceededError("too deep"))
'too deep'
>>> is_expected(BadInputError("x")), is_expected(KeyError("x"))
(True, False)
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.exceptions import StrawberryGraphQLError

__all__ = [
    "ApiError",
    "BadInputError",
    "LimitExceededError",
    "QueryTimeoutError",
    "is_expected",
    "should_mask",
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


def is_expected(error: BaseException | None) -> bool:
    """True for errors whose message may be shown as it is."""
    return isinstance(error, ApiError | StrawberryGraphQLError)


def should_mask(error: GraphQLError) -> bool:
    """Mask errors raised by unexpected exceptions; keep validation, parse and API errors."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not is_expected(original)
