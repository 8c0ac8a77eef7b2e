"""After a write, whole-graph results (recommender, analytics, plans) are rebuilt in the
background: a query waits `fresh_wait` for the new one, then answers from the previous one
instead of failing; one build per result runs at a time, whatever the number of writes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.auth import Role
from graphsvc.cache import VersionedCache
from graphsvc.loaders.load import rows_batch
from graphsvc.schema import Context, Limits, build_schema
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter
from tests.api.conftest import MINI, load_folder

BROKERS = "{ brokers(first: 3) { expert { key } } }"
COVERAGE = "{ coverage { benchmarkTotal benchmarkPaired } }"
RECOMMEND = "query($d: String!) { recommendExperts(demand: $d, first: 3) { expert { key } } }"


def test_rebuilds_run_one_at_a_time_and_one_per_key() -> None:
    cache = VersionedCache()
    started: list[Any] = []
    release = threading.Event()

    def slow(tag: Any) -> Any:
        def build() -> Any:
            started.append(tag)
            release.wait(10)
            return tag

        return build

    first = cache.refresh(1, "k", slow(1))
    assert first.prompt  # the rebuild thread was idle
    joined = cache.refresh(2, "k", slow(2))  # a newer version while the first one builds
    assert joined.job is first.job
    other = cache.refresh(1, "other", slow("other"))
    assert not other.prompt  # queued behind the first: one at a time
    release.set()
    assert first.job.result(10) == 1 and other.job.result(10) == "other"
    assert started == [1, "other"] and cache.latest("k") == (1, 1)
    assert cache.refresh(2, "k", slow(2)).job.result(10) == 2  # the newer one, now
    assert cache.latest("k") == (2, 2)
    assert cache.get(1, "k", lambda: -1) == -1  # an older version: built, not kept
    assert cache.peek(2, "k") == (True, 2) and cache.latest("k") == (2, 2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MemoryStore]:
    load_folder(MINI, tmp_path / "graph")
    s = MemoryStore(tmp_path / "graph")
    yield s
    s.close()


def test_after_a_write_queries_answer_from_the_previous_graph_until_the_new_one_is_built(
    store: MemoryStore,
) -> None:
    schema = build_schema()
    cache = VersionedCache()
    segmenter = Segmenter()

    def run(query: str, limits: Limits, **variables: Any) -> Any:
        ctx = Context(
            store=store, segmenter=segmenter, role=Role.PLANNER, limits=limits, cache=cache
        )
        result = asyncio.run(schema.execute(query, variable_values=variables, context_value=ctx))
        assert result.errors is None, result.errors
        return result.data

    patient = Limits(fresh_wait=30)
    before = run(COVERAGE, patient)["coverage"]
    batch, problems = rows_batch(
        store,
        "pairings",
        [{"institution_key": "INST-GXKJ", "enterprise_key": "ENT-3"}],
        segmenter=segmenter,
    )
    assert not problems
    store.apply(batch)
    hurried = Limits(fresh_wait=0)
    held = store._rw.gen_wlock()  # holds every rebuild back: it reads the graph
    held.acquire()
    try:
        assert run(COVERAGE, hurried)["coverage"] == before  # the previous graph's, at once
    finally:
        held.release()
    deadline = time.monotonic() + 30
    while run(COVERAGE, hurried)["coverage"] == before:  # the rebuild lands
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert run(COVERAGE, patient)["coverage"]["benchmarkPaired"] == before["benchmarkPaired"] + 1


def test_a_demand_posted_since_the_model_was_built_waits_for_the_new_model(
    store: MemoryStore,
) -> None:
    schema = build_schema()
    cache = VersionedCache()
    segmenter = Segmenter()

    def run(query: str, **variables: Any) -> Any:
        ctx = Context(
            store=store,
            segmenter=segmenter,
            role=Role.PORTAL,
            limits=Limits(fresh_wait=0),
            cache=cache,
        )
        return asyncio.run(schema.execute(query, variable_values=variables, context_value=ctx))

    assert run(RECOMMEND, d="DEM-1").errors is None  # the model of this version
    batch, _ = rows_batch(
        store,
        "demands",
        [
            {
                "key": "DEM-NEW",
                "enterprise_key": "ENT-1",
                "title": "重质碳酸钙表面改性",
                "status": "open",
            }
        ],
        segmenter=segmenter,
    )
    store.apply(batch)
    fresh = run(RECOMMEND, d="DEM-NEW")
    assert fresh.errors is None, fresh.errors
    assert fresh.data["recommendExperts"]


def test_a_mutation_waiting_its_turn_has_the_write_budget(store: MemoryStore) -> None:
    """Writes take turns and wait for the graph walks running when they come: a mutation
    gets `write_timeout`, not the queries' `query_timeout`."""
    schema = build_schema()
    limits = Limits(query_timeout=0.2, write_timeout=30)
    post = (
        'mutation { postDemand(input: {enterprise: "ENT-1", title: "石粉综合利用"}) '
        "{ demand { key } errors { message } } }"
    )
    ctx = Context(store=store, segmenter=Segmenter(), role=Role.ADMIN, limits=limits)
    walking = store.reading()
    walking.__enter__()  # an index build is walking the graph: the write waits for it
    timer = threading.Timer(0.6, walking.__exit__, args=(None, None, None))
    timer.start()
    try:
        result = asyncio.run(schema.execute(post, context_value=ctx))
    finally:
        timer.join()
    assert result.errors is None, result.errors
    assert result.data is not None and result.data["postDemand"]["errors"] == []
