"""Property: random damage to the cells of valid rows never crashes the loader, and every row
is either loaded or reported (loaded + rejected == rows, for every file)."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.loaders.load import load_dataset
from graphsvc.ontology import NODE_FILES, REL_FILES
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter
from tests.loaders.conftest import MINI, MINI_ROWS

FILES = sorted(MINI_ROWS)
STRUCTURE = b'",\r\n'  # bytes that would change the CSV structure, not a cell


def records(name: str) -> tuple[list[str], list[list[str]]]:
    with (MINI / name).open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


NO_SURROGATES = st.characters(codec="utf-8")  # any text a file can hold


def plain(excluded: str, min_size: int = 0) -> st.SearchStrategy[str]:
    chars = st.characters(codec="utf-8", exclude_characters=excluded)
    return st.text(chars, min_size=min_size, max_size=8)


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, bytes, int]:
    """A mini file with up to three cells of one row replaced: by random text (written as
    CSV), by random bytes, or by a quoted value with text after its closing quote (the row
    cannot be parsed). Returns (file name, content, number of records)."""
    name = draw(st.sampled_from(FILES))
    header, rows = records(name)
    r = draw(st.integers(0, len(rows) - 1))
    kinds = draw(
        st.lists(st.sampled_from(["text", "text", "bytes", "quote"]), min_size=1, max_size=3)
    )
    # One non-blank cell stays as it was, so the row never becomes a blank line (skipped).
    keep = draw(st.sampled_from([i for i, v in enumerate(rows[r]) if v.strip()]))
    raw: list[bytes] = []
    for kind in kinds:
        c = draw(st.sampled_from([i for i in range(len(header)) if i != keep]))
        if kind == "text":
            # After a row that cannot be parsed the reader goes on at the next line, so a
            # line break in a later cell of that row would start a row of its own.
            text = draw(
                st.text(NO_SURROGATES, min_size=1, max_size=20)
                if "quote" not in kinds
                else plain("\r\n", min_size=1)
            )
            rows[r][c] = text
            continue
        if kind == "bytes":
            cell = draw(
                st.binary(min_size=1, max_size=8).filter(lambda b: not set(b) & set(STRUCTURE))
            )
        else:
            inside, after = draw(plain('"\r\n')), draw(plain('",\r\n', min_size=1))
            cell = f'"{inside}"{after}'.encode()
        rows[r][c] = f"\x00CELL{len(raw)}\x00"
        raw.append(cell)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    content = buf.getvalue().encode()
    for i, cell in enumerate(raw):
        content = content.replace(f"\x00CELL{i}\x00".encode(), cell)
    return name, content, len(rows)


@pytest.fixture(scope="module")
def own_segmenter() -> Segmenter:
    """Random keywords go into this dictionary, not the one the other tests share."""
    return Segmenter()


LABEL_OF = {f"{n}.csv": spec.label for n, spec in NODE_FILES.items()}
EDGES_OF = {
    "pairings.csv": "PAIRED_WITH",
    "collaborations.csv": "COLLABORATES_WITH",
    "training_attendance.csv": "ATTENDED",
    "service_records.csv": "SERVED",
}
assert set(LABEL_OF) | set(EDGES_OF) | {"deals.csv"} == set(MINI_ROWS)
assert {f"{n}.csv" for n in REL_FILES} == set(EDGES_OF) | {"deals.csv"}


@pytest.mark.slow
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=damage())
def test_damaged_cells_never_crash_and_no_row_goes_unaccounted(
    own_segmenter: Segmenter, case: tuple[str, bytes, int]
) -> None:
    name, content, count = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(MINI, folder)
        (folder / name).write_bytes(content)
        store = MemoryStore(Path(tmp) / "graph")
        try:
            report = load_dataset(store, folder, segmenter=own_segmenter)
            counts = store.counts()
            deal_keys = {k for _, _, k in store.view().edges(keys=True) if k.startswith("DEAL|")}
        finally:
            store.close()
    assert report.aborted is None
    assert sorted(f.file for f in report.files) == FILES
    lines: dict[str, set[int]] = {}
    for r in report.rejects:
        lines.setdefault(r.file, set()).add(r.line)
        assert r.reason, r
    for f in report.files:
        if f.error is not None:
            assert f.file == name and f.file in f.error, f
            assert (f.rows, f.loaded, f.rejected) == (0, 0, 0), f
            assert f.file not in lines
            continue
        expected = count if f.file == name else MINI_ROWS[f.file]
        assert f.rows == expected, f
        assert f.loaded + f.rejected == f.rows, f
        assert f.rejected == len(lines.get(f.file, ())), (f, lines.get(f.file))
        assert all(2 <= line <= f.rows + 1 for line in lines.get(f.file, ())), f
        if f.file in LABEL_OF:
            assert counts.nodes.get(LABEL_OF[f.file], 0) == f.loaded, f
        elif f.file in EDGES_OF:
            assert counts.relationships.get(EDGES_OF[f.file], 0) == f.loaded, f
        else:
            assert len(deal_keys) == f.loaded, f
