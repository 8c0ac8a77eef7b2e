"""Relay global IDs and connection cursors: opaque, URL-safe, and checked on the way in.

Examples
--------
>>> gid = global_id("Expert", "EXP-1")
>>> gid
'RXhwZXJ0OkVYUC0x'
>>> parse_global_id(gid)
('Expert', 'EXP-1')
>>> parse_cursor(cursor("ENT-000042"))
'ENT-000042'
"""

from __future__ import annotations

import base64
import binascii

from graphsvc.schema.errors import BadInputError

__all__ = ["cursor", "global_id", "parse_cursor", "parse_global_id"]

_CURSOR_TAG = "c1:"


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(token: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def global_id(type_name: str, key: str) -> str:
    """The global ID of an object: its GraphQL type name and natural key, base64url-encoded."""
    return _encode(f"{type_name}:{key}")


def parse_global_id(gid: str) -> tuple[str, str] | None:
    """The type name and key inside a global ID, or None when it is not one of ours."""
    text = _decode(gid)
    if text is None or ":" not in text:
        return None
    type_name, _, key = text.partition(":")
    return (type_name, key) if type_name and key else None


def cursor(sort_key: str) -> str:
    """The cursor of an edge: its position in the connection's order, not an offset, so
    pages stay free of duplicates and gaps when the graph changes between requests."""
    return _encode(_CURSOR_TAG + sort_key)


def parse_cursor(token: str) -> str:
    """The position inside a cursor; a `BadInputError` error when the cursor is not ours."""
    text = _decode(token)
    if text is None or not text.startswith(_CURSOR_TAG):
        raise BadInputError(f"`after` is not a cursor returned by this API: {token[:40]!r}")
    return text[len(_CURSOR_TAG) :]
