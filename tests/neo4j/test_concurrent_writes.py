"""The write load test on Neo4j: 20 writers over HTTP, spread over two graphsvc servers
sharing one Neo4j (the service is stateless there), while readers query; then both servers
are killed (SIGKILL) and a new one starts: every acknowledged write is there, and nothing
else. The suite runs 50 mutations a writer (Neo4j takes a few milliseconds a write); set
GRAPHSVC_TEST_NEO4J_MUTATIONS=500 for the full 20 × 500 of the embedded store's test."""

from __future__ import annotations

import os
from pathlib import Path

from graphsvc.loaders.load import load_dataset
from graphsvc.store.neo4j import Neo4jStore
from tests.api.conftest import MINI, start_server, stop_server
from tests.mutations.test_concurrency import _counts, check_everything_landed, hammer, kill


def test_concurrent_writers_on_neo4j_lose_nothing_across_kills(
    neo4j_store: Neo4jStore, neo4j_uri: str, tmp_path: Path
) -> None:
    assert not load_dataset(neo4j_store, MINI).rejects
    env = {"GRAPHSVC_BACKEND": "neo4j", "GRAPHSVC_NEO4J_URI": neo4j_uri}
    for name in "abc":
        (tmp_path / name).mkdir()
    servers = [start_server(tmp_path / "unused", tmp_path / name, **env) for name in "ab"]
    try:
        before = _counts(servers[0])
        written = hammer(servers, int(os.environ.get("GRAPHSVC_TEST_NEO4J_MUTATIONS", "50")))
    finally:
        for server in servers:
            kill(server)
    server = start_server(tmp_path / "unused", tmp_path / "c", **env)
    try:
        check_everything_landed(server, before, written)
    finally:
        stop_server(server)
