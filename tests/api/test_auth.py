"""Roles from bearer tokens; personal data and hidden objects; CORS."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import ORIGIN, TOKENS, Server

PERSONAL = (
    '{ a: expert(key: "EXP-1") { name phone email } b: expert(key: "EXP-4") { name phone email } }'
)


@pytest.mark.parametrize("role", [None, "portal"])
def test_personal_data_is_refused_below_planner(mini_server: Server, role: str | None) -> None:
    payload = mini_server.post(PERSONAL, role=role).json()
    assert payload["data"] == {
        "a": {"name": "李明", "phone": None, "email": None},
        "b": {"name": "陈静", "phone": None, "email": None},
    }
    # EXP-4 has no phone or email: the error is the same, so it reveals nothing
    messages = {
        (tuple(e["path"]), e["message"], e["extensions"]["code"]) for e in payload["errors"]
    }
    assert {path for path, _, _ in messages} == {
        ("a", "phone"),
        ("a", "email"),
        ("b", "phone"),
        ("b", "email"),
    }
    assert {m for _, m, _ in messages} == {
        "personal data needs the planner role or higher (Authorization: Bearer <token>)"
    }
    assert {c for _, _, c in messages} == {"FORBIDDEN"}


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_personal_data_for_planner_and_admin(mini_server: Server, role: str) -> None:
    data = mini_server.data(PERSONAL, role=role)
    assert data["a"] == {"name": "李明", "phone": "13800000001", "email": "liming@example.cn"}
    assert data["b"] == {"name": "陈静", "phone": None, "email": None}


def test_hidden_objects_look_like_missing_ones(mini_server: Server) -> None:
    deal_id = "RGVhbDpERUFMLTE"  # Deal:DEAL-1
    query = f"""{{ real: deal(key: "DEAL-1") {{ key }} fake: deal(key: "DEAL-999") {{ key }}
        node(id: "{deal_id}") {{ id }} missing: node(id: "RGVhbDpERUFMLTk5OQ") {{ id }} }}"""
    public = mini_server.data(query)
    assert public == {"real": None, "fake": None, "node": None, "missing": None}
    portal = mini_server.data(query, role="portal")
    assert portal["real"] == {"key": "DEAL-1"} and portal["node"] == {"id": deal_id}
    assert portal["fake"] is None and portal["missing"] is None


def test_portal_fields_fail_alone(mini_server: Server) -> None:
    query = """{ deals { totalCount } enterprise(key: "ENT-1") { name deals { key }
        serviceRecords { totalCount } } expert(key: "EXP-1") { name responses { rating } } }"""
    public = mini_server.post(query).json()
    assert public["data"] == {
        "deals": None,
        "enterprise": {"name": "贺州市华鑫新材料有限公司", "deals": None, "serviceRecords": None},
        "expert": {"name": "李明", "responses": None},
    }
    assert len(public["errors"]) == 4
    assert all(e["extensions"]["code"] == "FORBIDDEN" for e in public["errors"])
    for role in ("portal", "planner", "admin"):
        data = mini_server.data(query, role=role)
        assert data["deals"]["totalCount"] == 2
        assert data["enterprise"]["serviceRecords"]["totalCount"] == 1


@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong", "Bearer", "Basic YWRtaW46YWRtaW4=", f"Token {TOKENS['admin']}"],
)
def test_bad_credentials_are_401(mini_server: Server, authorization: str) -> None:
    response = httpx.post(
        f"{mini_server.url}/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": authorization},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {"errors": [{"message": "invalid or unknown bearer token"}]}


def test_cors_for_configured_origins_only(mini_server: Server) -> None:
    preflight = httpx.options(
        f"{mini_server.url}/graphql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    simple = httpx.post(
        f"{mini_server.url}/graphql", json={"query": "{ __typename }"}, headers={"Origin": ORIGIN}
    )
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    other = httpx.options(
        f"{mini_server.url}/graphql",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers
    plain = httpx.post(
        f"{mini_server.url}/graphql",
        json={"query": "{ __typename }"},
        headers={"Origin": "http://evil.example"},
    )
    assert "access-control-allow-origin" not in plain.headers


def test_no_cors_by_default(locked_server: Server) -> None:
    response = httpx.options(
        f"{locked_server.url}/graphql",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers
