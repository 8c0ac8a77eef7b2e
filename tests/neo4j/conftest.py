"""Fixtures of the Neo4j tests: one real Neo4j per session, a clean database per test.

The session starts the project's launcher (neo4j/) on a free port with its database in a
temporary folder, or uses the server at GRAPHSVC_TEST_NEO4J_URI when that is set (its
database is erased: point it at a scratch database).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.store import MemoryStore
from graphsvc.store.base import GraphStore
from graphsvc.store.neo4j import Neo4jStore
from tests.neo4j import launcher


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Bolt URI of the session's Neo4j."""
    given = os.environ.get("GRAPHSVC_TEST_NEO4J_URI")
    if given:
        yield given
        return
    server = launcher.start(tmp_path_factory.mktemp("neo4j") / "data")
    try:
        yield server.uri
    finally:
        launcher.stop(server)


@pytest.fixture(scope="session")
def shared_neo4j_store(neo4j_uri: str) -> Iterator[Neo4jStore]:
    """One store (one driver) for the session."""
    store = Neo4jStore(neo4j_uri)
    yield store
    store.close()


@pytest.fixture
def neo4j_store(shared_neo4j_store: Neo4jStore) -> Neo4jStore:
    """The session's Neo4j, emptied for this test."""
    shared_neo4j_store.erase()
    return shared_neo4j_store


@pytest.fixture(params=["memory", "neo4j"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each backend: the protocol's conformance tests run on both."""
    if request.param == "memory":
        store = MemoryStore(tmp_path / "graph")
        yield store
        store.close()
    else:
        yield request.getfixturevalue("neo4j_store")
