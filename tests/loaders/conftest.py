"""Helpers for the loader tests: datasets derived from tests/data/mini, loads, graph comparisons.

Most cases copy the mini dataset, break one thing, load it and check two things: the exact
report (file, line, column, reason) and that nothing else changed, by comparing the whole
graph (every node's properties, every edge with its key and properties) with a load of the
untouched mini dataset minus exactly what the broken row should take with it.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graphsvc.loaders.load import FileResult, LoadReport, load_dataset
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter

MINI = Path(__file__).parents[1] / "data" / "mini"
BAD = Path(__file__).parents[1] / "data" / "bad"

# Rows of each mini file, as the dataset was written (test_mini.py checks the graph they make).
MINI_ROWS = {
    "cities.csv": 2,
    "counties.csv": 3,
    "industries.csv": 5,
    "subgroups.csv": 2,
    "institutions.csv": 2,
    "experts.csv": 4,
    "enterprises.csv": 3,
    "demands.csv": 3,
    "achievements.csv": 3,
    "trainings.csv": 1,
    "service_records.csv": 3,
    "pairings.csv": 1,
    "deals.csv": 2,
    "collaborations.csv": 2,
    "training_attendance.csv": 2,
}

Nodes = dict[str, dict[str, Any]]
Edges = dict[tuple[str, str, str], dict[str, Any]]


# -- graph state ------------------------------------------------------------------------------
@dataclass
class State:
    """Every node with its properties and every edge (source, target, key) with its properties."""

    nodes: Nodes
    edges: Edges

    @classmethod
    def of(cls, store: MemoryStore) -> State:
        g = store.view()
        nodes = {n: dict(d) for n, d in g.nodes(data=True)}
        edges = {(u, v, k): dict(d) for u, v, k, d in g.edges(keys=True, data=True)}
        return cls(nodes, edges)

    def without(
        self, nodes: Iterable[str] = (), edges: Iterable[tuple[str, str, str]] = ()
    ) -> State:
        """This state less some nodes (with their edges) and edges, and less the Keyword
        nodes left without any edge (keywords exist only through the rows that name them)."""
        gone = set(nodes)
        missing = gone - set(self.nodes)
        assert not missing, f"not in the graph: {missing}"
        dropped = set(edges)
        missing_edges = dropped - set(self.edges)
        assert not missing_edges, f"not in the graph: {missing_edges}"
        kept_edges = {
            e: p
            for e, p in self.edges.items()
            if e not in dropped and e[0] not in gone and e[1] not in gone
        }
        linked = {n for e in kept_edges for n in e[:2]}
        kept_nodes = {
            n: p
            for n, p in self.nodes.items()
            if n not in gone and (not n.startswith("Keyword:") or n in linked)
        }
        return State(kept_nodes, kept_edges)

    def assert_equal(self, other: State) -> None:
        """Equal, with a readable difference when not."""
        only_self = sorted(set(self.nodes) - set(other.nodes))
        only_other = sorted(set(other.nodes) - set(self.nodes))
        assert (only_self, only_other) == ([], []), "nodes differ"
        changed = {
            n: (self.nodes[n], other.nodes[n])
            for n in self.nodes
            if self.nodes[n] != other.nodes[n]
        }
        assert changed == {}, "node properties differ"
        e_self = sorted(set(self.edges) - set(other.edges))
        e_other = sorted(set(other.edges) - set(self.edges))
        assert (e_self, e_other) == ([], []), "edges differ"
        e_changed = {
            e: (self.edges[e], other.edges[e])
            for e in self.edges
            if self.edges[e] != other.edges[e]
        }
        assert e_changed == {}, "edge properties differ"


# -- loads ------------------------------------------------------------------------------------
@dataclass
class Loaded:
    """A load's report and the store it went into."""

    report: LoadReport
    store: MemoryStore

    def file(self, name: str) -> FileResult:
        [result] = [f for f in self.report.files if f.file == name]
        return result

    def node(self, nid: str) -> dict[str, Any] | None:
        label, _, key = nid.partition(":")
        [props] = self.store.get_nodes(label, [key])
        return props

    def targets(self, nid: str, rel: str, direction: str = "out") -> dict[str, dict[str, Any]]:
        """Neighbour node id -> relationship properties (one relationship per neighbour)."""
        label, _, key = nid.partition(":")
        [found] = self.store.neighbours(label, [key], rel, direction)  # type: ignore[arg-type]
        out = {
            f"{lb}:{props.get('key', props.get('code'))}": rel_props
            for lb, props, rel_props in found
        }
        assert len(out) == len(found), f"parallel {rel} relationships at {nid}: {found}"
        return out

    def state(self) -> State:
        return State.of(self.store)


Loader = Callable[..., Loaded]


@pytest.fixture(scope="session")
def segmenter() -> Segmenter:
    """One segmenter for the session (building one takes most of a second).

    It has seen the mini dataset, so its dictionary holds every mini term; a test whose
    dataset brings new keyword terms, and which depends on segmentation, uses its own.
    """
    seg = Segmenter()
    with tempfile.TemporaryDirectory() as tmp:
        store = MemoryStore(Path(tmp))
        try:
            load_dataset(store, MINI, segmenter=seg)
        finally:
            store.close()
    return seg


@pytest.fixture
def load(tmp_path: Path, segmenter: Segmenter) -> Iterator[Loader]:
    """`load(folder, store=None, max_errors=None, segmenter=...)`: load into a new store (or
    the one given) and return the report with the store; stores are closed afterwards."""
    stores: list[MemoryStore] = []
    count = 0

    def run(
        folder: Path,
        store: MemoryStore | None = None,
        *,
        max_errors: int | None = None,
        seg: Segmenter | None = None,
    ) -> Loaded:
        nonlocal count
        if store is None:
            count += 1
            store = MemoryStore(tmp_path / f"graph-{count}")
            stores.append(store)
        report = load_dataset(store, folder, max_errors=max_errors, segmenter=seg or segmenter)
        return Loaded(report, store)

    yield run
    for s in stores:
        s.close()


@pytest.fixture
def mini_state(load: Loader) -> Callable[[], State]:
    """The graph of the untouched mini dataset, loaded when asked for (after the load under
    test, so that both saw the same segmenter dictionary)."""

    def state() -> State:
        loaded = load(MINI)
        assert loaded.report.rejects == []
        return loaded.state()

    return state


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A writable copy of the mini dataset."""
    folder = tmp_path / "dataset"
    shutil.copytree(MINI, folder)
    return folder


# -- editing files ----------------------------------------------------------------------------
def read_rows(folder: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and rows (as dicts)."""
    with (folder / name).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any] | dict[str, Any]]) -> str:
    """CSV text with `\\n` line ends (rows as lists, or dicts by header name)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return buf.getvalue()


def write_rows(
    folder: Path,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any] | dict[str, Any]],
    encoding: str = "utf-8",
) -> Path:
    path = folder / name
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


def append_row(folder: Path, name: str, /, **cells: str) -> int:
    """Append a row (unnamed cells empty); return its line number."""
    header, rows = read_rows(folder, name)
    unknown = set(cells) - set(header)
    assert not unknown, f"{name} has no column {unknown}"
    rows.append(cells)
    write_rows(folder, name, header, rows)
    return len(rows) + 1


def set_cells(folder: Path, name: str, line: int, /, **cells: str) -> None:
    """Change cells of the row on `line` (files without multi-line cells)."""
    header, rows = read_rows(folder, name)
    assert set(cells) <= set(header)
    rows[line - 2].update(cells)
    write_rows(folder, name, header, rows)


def row_of(folder: Path, name: str, line: int) -> dict[str, str]:
    """A copy of the row on `line`."""
    return dict(read_rows(folder, name)[1][line - 2])


# -- assertions -------------------------------------------------------------------------------
Expected = tuple[str, int, str, Sequence[str]]  # file, line, column, words in the reason


def assert_rejects(loaded: Loaded, expected: Sequence[Expected]) -> None:
    """The report's rejects are exactly these (in any order), each reason with its words."""
    got = sorted(loaded.report.rejects, key=lambda r: (r.file, r.line, r.column))
    want = sorted(expected, key=lambda e: (e[0], e[1], e[2]))
    assert [(r.file, r.line, r.column) for r in got] == [e[:3] for e in want], [
        (r.file, r.line, r.column, r.reason) for r in got
    ]
    for r, (_, _, _, words) in zip(got, want, strict=True):
        for word in words:
            assert word in r.reason, (word, r)


def assert_files(
    loaded: Loaded,
    rows: Mapping[str, int] | None = None,
    refused: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Every file's counts add up: rows as given (default the mini counts), rejected as
    reported, loaded = rows - rejected; refused files (name -> words of the message) only."""
    rows = {**MINI_ROWS, **(rows or {})}
    refused = refused or {}
    per_file: dict[str, int] = {}  # rejected rows (a row may have several reasons)
    for file, _ in {(r.file, r.line) for r in loaded.report.rejects}:
        per_file[file] = per_file.get(file, 0) + 1
    seen = {f.file for f in loaded.report.files}
    for name in rows:
        stem = name.rsplit(".", 1)[0]
        assert name in seen or any(s.rsplit(".", 1)[0] == stem for s in seen), name
    for f in loaded.report.files:
        if f.file in refused:
            assert f.error is not None, f
            assert f.file in f.error or f.file.rsplit(".", 1)[0] in f.error, f.error
            for word in refused[f.file]:
                assert word in f.error, (word, f.error)
            assert (f.loaded, per_file.get(f.file, 0)) == (0, 0), f
            continue
        assert f.error is None, f
        assert f.rows == rows[f.file], f
        assert f.rejected == per_file.get(f.file, 0), f
        assert f.loaded == f.rows - f.rejected, f
    assert set(refused) <= seen


def expect(
    loaded: Loaded,
    baseline: State,
    *,
    rejects: Sequence[Expected] = (),
    rows: Mapping[str, int] | None = None,
    refused: Mapping[str, Sequence[str]] | None = None,
    drop_nodes: Iterable[str] = (),
    drop_edges: Iterable[tuple[str, str, str]] = (),
    added_nodes: Iterable[str] = (),
) -> None:
    """The report is exactly `rejects` (and `refused`), the file counts add up, and the graph
    is the baseline less exactly what the rejected rows should take with them (and plus the
    `added_nodes` of good rows added to the files, with their relationships)."""
    assert_rejects(loaded, rejects)
    assert_files(loaded, rows, refused)
    got = loaded.state().without(added_nodes)
    got.assert_equal(baseline.without(drop_nodes, drop_edges))


def graphsvc_command() -> list[str]:
    """The `graphsvc` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("graphsvc")
    assert script.exists(), script
    return [str(script)]
