"""Hypothesis fuzz of the loaders, beyond the damaged cells of tests/loaders/test_property.py:
whole input files replaced by random bytes, cut short, re-encoded in the wrong codec, or (as
JSON Lines) filled with random JSON values and broken lines — for every input file type.

Whatever the bytes, the load never crashes; a file that cannot be read at all is refused
with an error naming it; every other row is either loaded or reported with its file, its
line and the column at fault ("" when the row as a whole is unreadable), and the store
holds exactly what the report says was loaded.

GRAPHSVC_FUZZ_EXAMPLES scales the examples (`make fuzz`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.loaders.load import LoadReport, load_dataset
from graphsvc.ontology import NODE_FILES, REL_FILES
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter
from tests.loaders.conftest import MINI, MINI_ROWS

EXAMPLES = int(os.environ.get("GRAPHSVC_FUZZ_EXAMPLES", "3")) * 10
STEMS = sorted(name.removesuffix(".csv") for name in MINI_ROWS)
DECLARED = {name: {p.name for p in spec.columns} for name, spec in NODE_FILES.items()} | {
    name: {p.name for p in spec.columns} for name, spec in REL_FILES.items()
}
CODECS = ["utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "shift_jis", "big5", "koi8-r"]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Case = tuple[str, bytes]  # (file name, its bytes)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _mini(stem: str) -> bytes:
    return (MINI / f"{stem}.csv").read_bytes()


def _as_jsonl(stem: str) -> list[dict[str, Any]]:
    """The mini file's rows as JSON objects (every value a string, as a CSV cell is)."""
    return list(csv.DictReader(io.StringIO(_mini(stem).decode("utf-8"))))


@st.composite
def garbage(draw: st.DrawFn) -> Case:
    """Random bytes, or the mini file cut at a random byte, as a CSV or a JSON Lines file."""
    stem = draw(st.sampled_from(STEMS))
    suffix = draw(st.sampled_from([".csv", ".jsonl"]))
    if draw(st.booleans()):
        content = draw(st.binary(max_size=600))
    else:
        whole = _mini(stem)
        content = whole[: draw(st.integers(0, len(whole)))]
    return f"{stem}{suffix}", content


@st.composite
def wrong_encoding(draw: st.DrawFn) -> Case:
    """The mini file with a random cell of Chinese text, saved in a codec the loaders do not
    read (only UTF-8, UTF-16 with a BOM and GB18030 are)."""
    stem = draw(st.sampled_from(STEMS))
    text = _mini(stem).decode("utf-8")
    extra = draw(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=6))
    text = text.replace("\n", f"{extra}\n", 1) if draw(st.booleans()) else text
    codec = draw(st.sampled_from(CODECS))
    return f"{stem}.csv", text.encode(codec, errors="replace")


@st.composite
def mangled_jsonl(draw: st.DrawFn) -> Case:
    """A JSON Lines file of the mini rows with some replaced by random JSON values (objects
    with wrong types, lists, numbers), broken lines or blank lines."""
    stem = draw(st.sampled_from(STEMS))
    lines = [json.dumps(row, ensure_ascii=False) for row in _as_jsonl(stem)]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines)))
        kind = draw(st.sampled_from(["value", "object", "broken", "blank", "retyped"]))
        if kind == "value":
            line = json.dumps(draw(JSON))
        elif kind == "object":
            row = dict(draw(st.sampled_from(_as_jsonl(stem))))
            column = draw(st.sampled_from(sorted(row)))
            row[column] = draw(JSON)
            line = json.dumps(row, ensure_ascii=False)
        elif kind == "retyped":
            row = dict(draw(st.sampled_from(_as_jsonl(stem))))
            line = json.dumps({k: draw(JSON) if draw(st.booleans()) else v for k, v in row.items()})
        elif kind == "broken":
            whole = json.dumps(draw(st.sampled_from(_as_jsonl(stem))), ensure_ascii=False)
            line = whole[: draw(st.integers(1, max(1, len(whole) - 1)))]
        else:
            line = ""
        lines.insert(i, line)
    return f"{stem}.jsonl", "\n".join(lines).encode("utf-8")


@pytest.fixture(scope="module")
def own_segmenter() -> Segmenter:
    """Random keywords go into this dictionary, not the one the other tests share."""
    return Segmenter()


def load_with(name: str, content: bytes, segmenter: Segmenter) -> tuple[LoadReport, Any]:
    """Load mini with `name` (replacing the file of the same stem) holding `content`."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(MINI, folder)
        (folder / f"{name.rsplit('.', 1)[0]}.csv").unlink()
        (folder / name).write_bytes(content)
        store = MemoryStore(Path(tmp) / "graph")
        try:
            report = load_dataset(store, folder, segmenter=segmenter)
            return report, store.counts()
        finally:
            store.close()


def check_report(name: str, report: LoadReport, counts: Any) -> None:
    """Every row accounted for, every problem placed; the store holds what was loaded."""
    assert report.aborted is None
    results = {f.file: f for f in report.files}
    assert name in results, sorted(results)
    lines: dict[str, set[int]] = {}
    for r in report.rejects:
        assert r.file in results and r.reason, r
        stem = r.file.rsplit(".", 1)[0]
        assert r.column == "" or r.column in DECLARED[stem], r
        assert r.line >= (1 if r.file.endswith(".jsonl") else 2), r
        lines.setdefault(r.file, set()).add(r.line)
    for f in report.files:
        if f.error is not None:
            assert f.file == name and f.file in f.error, f  # only the fuzzed file is refused
            assert (f.rows, f.loaded, f.rejected) == (0, 0, 0) and f.file not in lines, f
            continue
        assert f.loaded + f.rejected == f.rows, f
        assert f.rejected == len(lines.get(f.file, ())), (f, lines.get(f.file))
        stem = f.file.rsplit(".", 1)[0]
        if stem in NODE_FILES:
            assert counts.nodes.get(NODE_FILES[stem].label, 0) == f.loaded, f


def _property(strategy: st.SearchStrategy[Case]) -> Callable[..., None]:
    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(own_segmenter: Segmenter, case: Case) -> None:
        name, content = case
        report, counts = load_with(name, content, own_segmenter)
        check_report(name, report, counts)

    return run


test_random_and_truncated_files = pytest.mark.slow(_property(garbage()))
test_wrong_encodings = pytest.mark.slow(_property(wrong_encoding()))
test_mangled_json_lines = pytest.mark.slow(_property(mangled_jsonl()))
