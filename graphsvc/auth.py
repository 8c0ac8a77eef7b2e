"""Roles and bearer tokens: public < portal < planner < admin.

Examples
--------
>>> tokens = Tokens({"s3cret": Role.ADMIN})
>>> tokens.role_of("Bearer s3cret"), tokens.role_of(None), tokens.role_of("Bearer nope")
(<Role.ADMIN: 3>, <Role.PUBLIC: 0>, None)
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from enum import IntEnum

__all__ = ["Role", "TokenError", "Tokens", "parse_token_file", "parse_tokens"]


class Role(IntEnum):
    """Who is asking; each role may do what the ones below it may."""

    PUBLIC = 0
    PORTAL = 1
    PLANNER = 2
    ADMIN = 3


class TokenError(Exception):
    """A tokens file cannot be used; the message says where and why."""


def parse_token_file(lines: Iterable[str], source: str) -> tuple[dict[str, Role], dict[str, str]]:
    """Parse `TOKEN ROLE [NAME]` lines (blank lines and `#` comments ignored): the roles of
    the tokens, and the names of those that have one (the audit trail shows them).

    >>> parse_token_file(["# portal", "abc portal", "", "xyz planner 王规划"], "tokens")
    ({'abc': <Role.PORTAL: 1>, 'xyz': <Role.PLANNER: 2>}, {'xyz': '王规划'})
    """
    tokens: dict[str, Role] = {}
    names: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(maxsplit=2)
        if len(parts) < 2 or parts[1].upper() not in Role.__members__:
            raise TokenError(
                f"{source}: line {number}: expected `TOKEN ROLE [NAME]` with ROLE one of "
                f"{', '.join(r.name.lower() for r in Role)}"
            )
        tokens[parts[0]] = Role[parts[1].upper()]
        if len(parts) == 3:
            names[parts[0]] = parts[2]
    return tokens, names


def parse_tokens(lines: Iterable[str], source: str) -> dict[str, Role]:
    """Parse `TOKEN ROLE [NAME]` lines into the roles of the tokens.

    >>> parse_tokens(["# portal", "abc portal", "", "xyz planner"], "tokens")
    {'abc': <Role.PORTAL: 1>, 'xyz': <Role.PLANNER: 2>}
    """
    return parse_token_file(lines, source)[0]


class Tokens:
    """Known bearer tokens and their roles."""

    def __init__(
        self, tokens: dict[str, Role] | None = None, names: dict[str, str] | None = None
    ) -> None:
        self._tokens = dict(tokens or {})
        self._names = dict(names or {})

    def actor_of(self, authorization: str | None) -> str:
        """Who a known caller is, for the audit trail: the token's name, or its role and a
        tag derived from the token (never the token itself).

        >>> Tokens({"s3cret": Role.ADMIN}, {"s3cret": "ops"}).actor_of("Bearer s3cret")
        'ops'
        >>> Tokens({"s3cret": Role.PORTAL}).actor_of("Bearer s3cret")
        'portal#1ec1c2'
        >>> Tokens().actor_of(None)
        'public'
        """
        role = self.role_of(authorization)
        if role is None or role is Role.PUBLIC or authorization is None:
            return "public"
        token = authorization.partition(" ")[2].strip()
        name = self._names.get(token)
        if name is not None:
            return name
        return f"{role.name.lower()}#{hashlib.sha256(token.encode()).hexdigest()[:6]}"

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
