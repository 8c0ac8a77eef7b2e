"""Every limit answers a clear GraphQL error (or HTTP 413), never a stack trace."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graphsvc.schema.limits import Limits
from graphsvc.store import MemoryStore
from tests.api.conftest import Run, Server


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    errors = response.json()["errors"]
    assert len(errors) >= 1
    return errors[0]  # type: ignore[no-any-return]


def test_depth_limit(mini_server: Server) -> None:
    deep = '{ industry(code: "C") { ' + "children { " * 12 + "code" + " }" * 12 + " } }"
    error = error_of(mini_server.post(deep))
    assert "exceeds maximum operation depth of 12" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    ok = '{ industry(code: "C") { ' + "children { " * 9 + "code" + " }" * 9 + " } }"
    assert mini_server.post(ok).json().get("errors") is None


def test_alias_limit(mini_server: Server) -> None:
    many = "{ " + " ".join(f"a{i}: stats {{ version }}" for i in range(31)) + " }"
    error = error_of(mini_server.post(many))
    assert error["message"] == "31 aliases found. Allowed: 30"
    fine = "{ " + " ".join(f"a{i}: stats {{ version }}" for i in range(30)) + " }"
    assert "errors" not in mini_server.post(fine).json()


def test_token_limit(mini_server: Server) -> None:
    huge = "{ " + " ".join(["__typename"] * 2100) + " }"
    error = error_of(mini_server.post(huge))
    assert "Document contains more than 2000 tokens" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize("first", [101, 1000, -1])
def test_first_is_capped_at_100(mini_server: Server, first: int) -> None:
    literal = error_of(mini_server.post(f"{{ enterprises(first: {first}) {{ totalCount }} }}"))
    assert literal["message"].startswith("`first` must be between 0 and 100")
    assert literal["extensions"]["code"] == "LIMIT_EXCEEDED"
    variable = error_of(
        mini_server.post("query($n: Int) { experts(first: $n) { totalCount } }", {"n": first})
    )
    assert variable["message"].startswith("`first` must be between 0 and 100")
    nested = error_of(
        mini_server.post(
            f'{{ expert(key: "EXP-1") {{ collaborators(first: {first}) {{ totalCount }} }} }}'
        )
    )
    assert nested["extensions"]["code"] == "LIMIT_EXCEEDED"
    search = error_of(mini_server.post(f'{{ search(text: "碳酸钙", first: {first}) {{ score }} }}'))
    assert search["extensions"]["code"] == "LIMIT_EXCEEDED"


def test_cost_limit_for_nested_connections(mini_server: Server) -> None:
    two_levels = """{ enterprises(first: 100) { edges { node {
        demands(first: 100) { totalCount } } } } }"""  # 100 + 100*100 nodes
    assert "errors" not in mini_server.post(two_levels).json()
    three = """{ enterprises(first: 100) { edges { node { demands(first: 100) { edges { node {
        keywords { demands(first: 100) { totalCount } } } } } } } } }"""  # + 1,000,000
    error = error_of(mini_server.post(three))
    assert error["message"].startswith(
        "the query may return 1010100 nodes, more than the limit of 25000"
    )
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert mini_server.post(three).json()["data"] is None


def test_cost_counts_fragments_variables_and_defaults(mini_server: Server) -> None:
    query = """query($n: Int = 100) { industries(first: $n) { ...Deep } }
        fragment Deep on IndustryConnection { edges { node { enterprises(first: $n) {
          edges { node { demands { totalCount } } } } } } }"""  # 100 + 10,000 + 200,000
    error = error_of(mini_server.post(query))
    assert "the query may return 210100 nodes" in error["message"]
    assert "errors" not in mini_server.post(query, {"n": 10}).json()  # 10 + 100 + 2,000


def test_body_size_limit(locked_server: Server) -> None:
    padding = " " * 2000
    big = httpx.post(
        f"{locked_server.url}/graphql",
        content=('{"query": "{ __typename }' + padding + '"}').encode(),
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    assert big.json()["errors"][0]["message"] == "the request body is larger than 1024 bytes"

    def chunks() -> Any:  # no content-length: counted as it streams in
        yield b'{"query": "{ __typename '
        for _ in range(40):
            yield b" " * 100
        yield b'}"}'

    streamed = httpx.post(
        f"{locked_server.url}/graphql",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert streamed.status_code == 413
    small = locked_server.post("{ __typename }")
    assert small.status_code == 200 and small.json() == {"data": {"__typename": "Query"}}


def test_timeout(locked_server: Server) -> None:
    response = locked_server.post(
        "{ enterprises(first: 3) { edges { node { county { city { name } } } } } }"
    )
    error = error_of(response)
    assert "the query ran longer than 1e-06 s and was stopped" in error["message"]
    assert error["extensions"]["code"] == "TIMEOUT"


class BrokenStore:
    """A store whose reads fail with an internal detail the client must not see."""

    remote = False

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.version = store.version

    def view(self) -> Any:
        return self._store.view()

    def get_nodes(self, label: str, keys: Any) -> Any:
        raise RuntimeError("connection to 10.0.0.7 refused: password=hunter2")


def test_unexpected_errors_are_masked(
    run_schema: Run, mini_store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    result = run_schema(BrokenStore(mini_store), '{ enterprise(key: "ENT-1") { name } }')
    assert [e.message for e in result.errors] == ["Unexpected error; it has been logged."]
    assert result.errors[0].original_error is None
    assert "hunter2" in caplog.text  # logged for the operator, with its traceback
    assert "Traceback" in caplog.text


def test_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_MAX_DEPTH", "5")
    monkeypatch.setenv("GRAPHSVC_MAX_COST", "100")
    limits = Limits()
    assert limits.max_depth == 5 and limits.max_cost == 100 and limits.max_first == 100
