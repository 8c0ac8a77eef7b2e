"""A load is atomic: a `graphsvc load` killed part-way (SIGKILL at random moments, SIGKILL
while the new snapshot is being written, Ctrl-C) leaves the data folder exactly as it was."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from graphsvc.loaders.demo import generate
from graphsvc.store import MemoryStore
from tests.loaders.conftest import MINI, Loader, State, graphsvc_command

LAST_FILE = "read training_attendance.csv:"  # printed once every file is checked


def snapshot(folder: Path) -> tuple[State, int, dict[str, int], dict[str, int]]:
    """The state, version and counts of a data folder (which must open cleanly)."""
    store = MemoryStore(folder)
    try:
        counts = store.counts()
        return State.of(store), store.version, counts.nodes, counts.relationships
    finally:
        store.close()


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and an
    # ignored signal stays ignored across exec: give the load the Ctrl-C a terminal would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(dataset: Path, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*graphsvc_command(), "load", str(dataset), "--data-dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        preexec_fn=_default_sigint,  # safe: the test starts no threads of its own
    )


def wait_for(process: subprocess.Popen[str], text: str) -> list[str]:
    """Read the load's stderr until a line containing `text`; return the lines read."""
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"the load ended without printing {text!r}: {lines}")


@pytest.mark.slow
def test_killed_or_interrupted_load_leaves_the_store_as_it_was(
    tmp_path: Path, load: Loader
) -> None:
    dataset = tmp_path / "guangxi"
    generate(dataset, seed=2024, scale=0.5)
    template = tmp_path / "template"  # a data folder holding the mini dataset
    store = MemoryStore(template)
    try:
        assert load(MINI, store).report.rejects == []
    finally:
        store.close()
    before = snapshot(template)

    def fresh(name: str) -> Path:
        folder = tmp_path / name
        shutil.copytree(template, folder)
        return folder

    # A complete load, timed: when reading starts (the first progress line) and when every
    # file is checked (the snapshot is written after that).
    complete = fresh("complete")
    began = time.monotonic()
    with start(dataset, complete) as process:
        first = wait_for(process, "read ")
        reading = time.monotonic() - began
        lines = first + wait_for(process, LAST_FILE)
        checked = time.monotonic() - began
        _, rest = process.communicate(timeout=300)
    assert process.returncode == 0, "".join(lines) + rest
    after = snapshot(complete)
    assert after[1] == before[1] + 1
    assert after[2]["Expert"] == before[2]["Expert"] + 1750
    assert checked - reading > 1.0, (reading, checked)  # long enough to kill it part-way

    # SIGKILL at random moments while the files are read, checked and applied in memory.
    rng = random.Random(20240517)
    for i in range(4):
        moment = reading + rng.uniform(0.0, 0.9) * (checked - reading)
        folder = fresh(f"kill-{i}")
        with start(dataset, folder) as process:
            time.sleep(moment)
            process.send_signal(signal.SIGKILL)
            code = process.wait(timeout=60)
        assert code == -signal.SIGKILL, f"the load ended by itself ({code}) before {moment:.1f} s"
        got = snapshot(folder)
        got[0].assert_equal(before[0])
        assert got[1:] == before[1:], moment

    # SIGKILL once every file is checked, while the new snapshot is being written.
    folder = fresh("kill-in-write")
    with start(dataset, folder) as process:
        wait_for(process, LAST_FILE)
        time.sleep(rng.uniform(0.0, 0.05))
        process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=60)
    got = snapshot(folder)
    expected = after if code == 0 else before
    got[0].assert_equal(expected[0])
    assert got[1:] == expected[1:]
    assert code == -signal.SIGKILL, "the load finished before it could be killed"

    # Ctrl-C in the middle of reading: a clean exit with a one-line reason, nothing loaded.
    with start(dataset, folder) as process:
        wait_for(process, "read experts.csv:")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert err.strip().splitlines()[-1] == "graphsvc: interrupted: nothing was loaded"
    got = snapshot(folder)
    got[0].assert_equal(before[0])
    assert got[1:] == before[1:]

    # After all that, a full load into the same folder succeeds and gives the complete graph.
    done = subprocess.run(
        [*graphsvc_command(), "load", str(dataset), "--data-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = snapshot(folder)
    got[0].assert_equal(after[0])
    assert got[1:] == after[1:]
