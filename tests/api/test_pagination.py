"""Walking connections to their end: every row once, in order, with consistent page info."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.auth import Role
from graphsvc.store import MemoryStore
from tests.api.conftest import Run, Server


def walk(fetch: Any, first: int) -> tuple[list[str], list[dict[str, Any]]]:
    """Follow endCursor until hasNextPage is false; return the keys and every page."""
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(10_000):
        page = fetch(first, after)
        pages.append(page)
        seen.extend(e["node"]["key"] for e in page["edges"])
        info = page["pageInfo"]
        if not info["hasNextPage"]:
            return seen, pages
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        after = info["endCursor"]
    raise AssertionError("the connection did not end")


@pytest.mark.parametrize("first", [1, 2, 3, 100])
def test_walk_over_http(mini_server: Server, first: int) -> None:
    query = """query($first: Int, $after: String) {
        enterprises(first: $first, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { key } } } }"""

    def fetch(n: int, after: str | None) -> dict[str, Any]:
        page: dict[str, Any] = mini_server.data(query, {"first": n, "after": after})["enterprises"]
        return page

    seen, pages = walk(fetch, first)
    assert seen == ["ENT-1", "ENT-2", "ENT-3"]
    assert all(p["totalCount"] == 3 for p in pages)
    assert not pages[0]["pageInfo"]["hasPreviousPage"]
    assert all(p["pageInfo"]["hasPreviousPage"] for p in pages[1:])


@pytest.mark.parametrize(
    ("field", "label", "flt"),
    [
        ("enterprises", "Enterprise", ""),
        ("enterprises", "Enterprise", 'filter: {industry: "C"}'),
        ("experts", "Expert", ""),
        ("demands", "Demand", 'filter: {status: ["open", "matched", "solved"]}'),
        ("achievements", "Achievement", ""),
        ("industries", "Industry", ""),
        ("trainings", "Training", ""),
    ],
)
def test_walk_demo_connections_without_duplicates_or_gaps(
    run_schema: Run, demo_store: MemoryStore, field: str, label: str, flt: str
) -> None:
    key = "code" if label == "Industry" else "key"
    args = f"{flt}, first: $first, after: $after" if flt else "first: $first, after: $after"
    query = f"""query($first: Int, $after: String) {{ {field}({args}) {{
        totalCount pageInfo {{ hasNextPage endCursor }}
        edges {{ cursor node {{ key: {key} }} }} }} }}"""

    def fetch(n: int, after: str | None) -> dict[str, Any]:
        result = run_schema(demo_store, query, first=n, after=after)
        assert result.errors is None, result.errors
        page: dict[str, Any] = result.data[field]
        return page

    seen, pages = walk(fetch, 7)
    total = pages[0]["totalCount"]
    assert total > 7, "the demo data should need several pages"
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)
    if not flt:
        assert set(seen) == {p[key] for p in demo_store.iter_nodes(label)}
    every = run_schema(demo_store, query, first=100)
    assert every.errors is None


def test_nested_connections_paginate_too(run_schema: Run, demo_store: MemoryStore) -> None:
    busiest = max(
        demo_store.iter_nodes("Expert"),
        key=lambda e: len(demo_store.neighbours("Expert", [e["key"]], "SERVED")[0]),
    )
    query = """query($key: String!, $first: Int, $after: String) { expert(key: $key) {
        serviceRecords(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
          edges { cursor node { key: startOn enterprise { key } role } } } } }"""
    rows: list[tuple[str, str, str]] = []

    def fetch(n: int, after: str | None) -> dict[str, Any]:
        result = run_schema(
            demo_store, query, role=Role.PORTAL, key=busiest["key"], first=n, after=after
        )
        assert result.errors is None, result.errors
        page: dict[str, Any] = result.data["expert"]["serviceRecords"]
        rows.extend(
            (e["node"]["key"], e["node"]["enterprise"]["key"], e["node"]["role"])
            for e in page["edges"]
        )
        for e in page["edges"]:
            e["node"]["key"] = e["cursor"]  # cursors are unique even where dates repeat
        return page

    seen, pages = walk(fetch, 2)
    assert len(seen) == len(set(seen)) == pages[0]["totalCount"] >= 3
    assert len(set(rows)) == len(rows)


def test_bad_cursor_is_a_clear_error(mini_server: Server) -> None:
    payload = mini_server.post('{ enterprises(after: "not-a-cursor") { totalCount } }').json()
    assert payload["errors"][0]["message"].startswith(
        "`after` is not a cursor returned by this API"
    )
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
