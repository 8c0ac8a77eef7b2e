"""The private helpers the analytics share: the garbage-collector pause and igraph's seed."""

from __future__ import annotations

import gc
import random
import threading

import igraph as ig

from graphsvc.algorithms._analytics import gc_paused, seeded, without_gc


def test_gc_pauses_nest_and_restore() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_gc_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_concurrent_pauses_end_with_the_last() -> None:
    inside, release = threading.Event(), threading.Event()

    @without_gc
    def slow() -> int:
        inside.set()
        release.wait(10)
        return 7

    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(slow()))
    worker.start()
    inside.wait(10)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the worker's pause still holds
    release.set()
    worker.join(10)
    assert results == [7] and gc.isenabled()


def test_seeded_igraph_is_reproducible_and_restores_the_default() -> None:
    def run(seed: int) -> list[int]:
        g = ig.Graph.Famous("Zachary")
        with seeded(seed):
            part = g.community_leiden(objective_function="modularity", n_iterations=-1)
        return list(part.membership)

    assert run(3) == run(3)
    state = random.getstate()
    ig.Graph.Erdos_Renyi(n=10, m=5)  # igraph draws from the `random` module again
    assert random.getstate() != state
