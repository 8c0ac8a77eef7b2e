"""Roles and bearer tokens: public < portal < planner < admin.

Examples
--------
>>> tokens = Tokens({"s3cret": Role.ADMIN})
>>> tokens.role_of("Bearer s3cret"), tokens.role_of(None), tokens.role_of("Bearer nope")
(<Role.ADMIN: 3>, <Role.PUBLIC: 0>, None)
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from enum import IntEnum

__all__ = ["Role", "TokenError", "Tokens", "parse_tokens"]


class Role(IntEnum):
    """Who is asking; each role may do what the ones below it may."""

    PUBLIC = 0
    PORTAL = 1
    PLANNER = 2
    ADMIN = 3


class TokenError(Exception):
    """A tokens file cannot be used; the message says where and why."""


def parse_tokens(lines: Iterable[str], source: str) -> dict[str, Role]:
    """Parse `TOKEN ROLE` lines (blank lines and `#` comments ignored).

    >>> parse_tokens(["# portal", "abc portal", "", "xyz planner"], "tokens")
    {'abc': <Role.PORTAL: 1>, 'xyz': <Role.PLANNER: 2>}
    """
    tokens: dict[str, Role] = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split()
        if len(parts) != 2 or parts[1].upper() not in Role.__members__:
            raise TokenError(
                f"{source}: line {number}: expected `TOKEN ROLE` with ROLE one of "
                f"{', '.join(r.name.lower() for r in Role)}"
            )
        tokens[parts[0]] = Role[parts[1].upper()]
    return tokens


class Tokens:
    """Known bearer tokens and their roles."""

    def __init__(self, tokens: dict[str, Role] | None = None) -> None:
        self._tokens = dict(tokens or {})

    def role_of(self, authorization: str | None) -> Role | None:
        """The role of an `Authorization` header: PUBLIC without one, None for a bad token."""
        if not authorization:
            return Role.PUBLIC
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        found = None
        for known, role in self._tokens.items():  # compare all: no timing hint
            if secrets.compare_digest(known.encode(), token.encode()):
                found = role
        return found
