"""Benchmark steps that hold a graph run in a child process of their own, so that the
measuring process never keeps a store's memory after the step.

>>> in_child(sum, [1, 2, 3])
6
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.store import MemoryStore

T = TypeVar("T")


def in_child(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a fresh (spawned) process, which ends afterwards."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def load_store(scale: float, dataset: Path | None, folder: Path, data_dir: Path) -> float:
    """Generate the dataset into `folder` unless `dataset` is given, load it; seconds taken."""
    t0 = time.perf_counter()
    if dataset is None:
        generate(folder, seed=2024, scale=scale)
    store = MemoryStore(data_dir)
    try:
        load_dataset(store, dataset or folder)
    finally:
        store.close()
    return round(time.perf_counter() - t0, 1)
