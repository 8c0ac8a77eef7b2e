"""Who may see what: roles public < portal < planner < admin.

- public: the programme's directory (places, industries, subgroups, institutions, experts,
  enterprises, demands, achievements, trainings, keywords), search and stats;
- portal: also service records, expert responses to demands and deals;
- planner: also personal data (phone, email, flagged `personal` in the ontology);
- admin: also mutations.

A field the caller may not see fails with the same error whether or not it holds a value,
and a lookup of a hidden object answers null, like one that does not exist.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from graphsvc.auth import Role
from graphsvc.schema.context import Info

__all__ = ["AdminOnly", "PlannerOnly", "PortalOnly", "can_see"]


def can_see(info: Info, role: Role) -> bool:
    """True when the caller's role is `role` or above."""
    return info.context.role >= role


class _AtLeast(BasePermission):
    role: ClassVar[Role]

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.role >= self.role


class PortalOnly(_AtLeast):
    """Service records, responses and deals."""

    role = Role.PORTAL
    error_extensions: ClassVar[dict[str, object]] = {"code": "FORBIDDEN"}  # type: ignore[misc]
    message = "this field needs the portal role or higher (Authorization: Bearer <token>)"


class PlannerOnly(_AtLeast):
    """Personal data."""

    role = Role.PLANNER
    error_extensions: ClassVar[dict[str, object]] = {"code": "FORBIDDEN"}  # type: ignore[misc]
    message = "personal data needs the planner role or higher (Authorization: Bearer <token>)"


class AdminOnly(_AtLeast):
    """Mutations."""

    role = Role.ADMIN
    error_extensions: ClassVar[dict[str, object]] = {"code": "FORBIDDEN"}  # type: ignore[misc]
    message = "changes need the admin role (Authorization: Bearer <admin token>)"
