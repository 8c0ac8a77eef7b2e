"""Neo4j going away: a kill -9 during a load leaves no partial load, readiness follows the
database, and writes through GraphQL on Neo4j are visible to the next read, from any server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphsvc.loaders.load import load_dataset
from graphsvc.store import Batch, StoreError
from graphsvc.store.neo4j import Neo4jStore
from tests.api.conftest import MINI, Server, start_server, stop_server
from tests.neo4j import launcher


@pytest.fixture
def own_neo4j(tmp_path: Path) -> Iterator[list[launcher.Neo4jProcess]]:
    """A Neo4j of this test's own (it gets killed); the list holds each start of it."""
    started = [launcher.start(tmp_path / "neo4j")]
    yield started
    for server in started:
        if server.process.poll() is None:
            launcher.stop(server)


def test_a_kill_during_a_load_leaves_no_partial_load(
    tmp_path: Path, own_neo4j: list[launcher.Neo4jProcess]
) -> None:
    first = own_neo4j[0]
    store = Neo4jStore(first.uri, max_retry_time=1)
    before = Batch()
    before.upsert_node("City", "451100", {"code": "451100", "name": "贺州市"})
    assert store.apply(before) == 1
    killed: list[str] = []

    def progress(stage: str, done: int, total: int | None) -> None:
        # By now cities to experts have been written into the load's transaction.
        if stage.startswith("read enterprises") and not killed:
            launcher.kill(first)
            killed.append(stage)

    with pytest.raises(StoreError, match="Neo4j"):
        load_dataset(store, MINI, progress=progress)
    assert killed
    assert not store.ping()
    store.close()

    again = launcher.start(tmp_path / "neo4j")  # the same data folder: recovery runs
    own_neo4j.append(again)
    store = Neo4jStore(again.uri)
    try:
        assert store.version == 1
        assert store.counts().nodes == {"City": 1}
        assert store.counts().relationships == {}
        assert store.get_nodes("City", ["451100"]) == [{"code": "451100", "name": "贺州市"}]
        report = load_dataset(store, MINI)  # and the same load then lands whole
        assert not report.rejects and report.version == 2
        assert store.counts().nodes["Expert"] > 0
    finally:
        store.close()


def test_readiness_follows_neo4j_and_errors_stay_clear(
    tmp_path: Path, own_neo4j: list[launcher.Neo4jProcess]
) -> None:
    first = own_neo4j[0]
    store = Neo4jStore(first.uri)
    load_dataset(store, MINI)
    store.close()
    server = start_server(
        tmp_path / "unused",
        tmp_path,
        GRAPHSVC_BACKEND="neo4j",
        GRAPHSVC_NEO4J_URI=first.uri,
        GRAPHSVC_NEO4J_MAX_RETRY_TIME="1",
    )
    try:
        assert server.data('{ expert(key: "EXP-1") { name } }') == {"expert": {"name": "李明"}}
        launcher.kill(first)
        assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 503
        response = server.post('{ expert(key: "EXP-2") { name } }')
        assert response.status_code in (200, 503)
        assert "Traceback" not in response.text and "neo4j._sync" not in response.text
        again = launcher.start(tmp_path / "neo4j", port=first.port)
        own_neo4j.append(again)
        assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
        assert server.data('{ expert(key: "EXP-2") { key } }') == {"expert": {"key": "EXP-2"}}
    finally:
        stop_server(server)


@pytest.fixture
def two_servers(
    tmp_path: Path, neo4j_store: Neo4jStore, neo4j_uri: str
) -> Iterator[tuple[Server, Server]]:
    """Two servers on one Neo4j holding the mini dataset: the service keeps no state."""
    assert not load_dataset(neo4j_store, MINI).rejects
    env = {"GRAPHSVC_BACKEND": "neo4j", "GRAPHSVC_NEO4J_URI": neo4j_uri}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = start_server(tmp_path / "unused", tmp_path / "a", **env)
    try:
        b = start_server(tmp_path / "unused", tmp_path / "b", **env)
    except BaseException:
        stop_server(a)
        raise
    yield a, b
    stop_server(b)
    stop_server(a)


POST = """mutation($i: PostDemandInput!) { postDemand(input: $i) {
  demand { key status } errors { field message } } }"""
READ = """query($k: String!) { demand(key: $k) { key title status enterprise { key } }
  enterprise(key: "ENT-1") { demands(first: 100) { totalCount } }
  stats { version } }"""


def test_a_write_through_graphql_is_visible_to_the_next_read(
    two_servers: tuple[Server, Server],
) -> None:
    a, b = two_servers
    before = a.data(READ, {"k": "D-NEO4J-1"})
    assert before["demand"] is None
    posted = a.data(
        POST,
        {"i": {"key": "D-NEO4J-1", "enterprise": "ENT-1", "title": "石墨烯导热膜量产工艺"}},
        role="admin",
    )["postDemand"]
    assert posted == {"demand": {"key": "D-NEO4J-1", "status": "open"}, "errors": []}
    for server in (a, b):  # the writer and another process see it at once
        after = server.data(READ, {"k": "D-NEO4J-1"})
        assert after["demand"] == {
            "key": "D-NEO4J-1",
            "title": "石墨烯导热膜量产工艺",
            "status": "open",
            "enterprise": {"key": "ENT-1"},
        }
        total = after["enterprise"]["demands"]["totalCount"]
        assert total == before["enterprise"]["demands"]["totalCount"] + 1
        assert after["stats"]["version"] == before["stats"]["version"] + 1
    retried = b.data(
        POST,
        {"i": {"key": "D-NEO4J-1", "enterprise": "ENT-1", "title": "石墨烯导热膜量产工艺"}},
        role="admin",
    )["postDemand"]
    assert retried["demand"] == {"key": "D-NEO4J-1", "status": "open"}  # a retry: no change
    assert b.data(READ, {"k": "D-NEO4J-1"})["stats"] == after["stats"]


def test_concurrent_writers_on_two_servers_lose_nothing(
    two_servers: tuple[Server, Server],
) -> None:
    """Writers on two processes at once: every write lands once, the version counts them all,
    and the same key posted from both servers makes one demand."""
    from concurrent.futures import ThreadPoolExecutor

    a, b = two_servers
    before = a.data(READ, {"k": "none"})

    def post(job: tuple[Server, str]) -> dict[str, object]:
        server, key = job
        i = {"key": key, "enterprise": "ENT-1", "title": f"并发需求{key}"}
        return dict(server.data(POST, {"i": i}, role="admin")["postDemand"])

    jobs = [(a if n % 2 else b, f"D-CC-{n:02d}") for n in range(24)]
    jobs += [(a, "D-CC-SAME"), (b, "D-CC-SAME"), (a, "D-CC-SAME"), (b, "D-CC-SAME")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, jobs))
    assert [r for r in results if r["errors"]] == []
    after = b.data(READ, {"k": "D-CC-SAME"})
    assert after["demand"]["key"] == "D-CC-SAME"
    demands = after["enterprise"]["demands"]["totalCount"]
    added = demands - before["enterprise"]["demands"]["totalCount"]
    assert added == 25
    assert after["stats"]["version"] == before["stats"]["version"] + 25
