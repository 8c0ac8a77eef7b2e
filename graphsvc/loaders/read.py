"""Reading dataset files: CSV or JSON Lines, UTF-8 (BOM or not), UTF-16 with BOM, or GB18030.

Rows come out as `(line, cells)` where `line` is where the record starts as an editor shows
it (the CSV header is line 1) and `cells` maps column names to raw values.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "cities.csv"
>>> _ = path.write_bytes("\\ufeffcode, name\\n450100,南宁市\\n".encode("utf-8"))
>>> table = read_table(path)
>>> table.encoding, table.columns
('utf-8-sig', ['code', 'name'])
>>> list(table.rows)
[(2, {'code': '450100', 'name': '南宁市'})]
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

__all__ = ["FileError", "Table", "decode", "read_table"]

csv.field_size_limit(1 << 30)


class FileError(Exception):
    """A whole file cannot be read; the message names the file and says why."""


@dataclass
class Table:
    """A file's header and an iterator over its records."""

    path: Path
    encoding: str
    columns: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    >>> decode(Path("x.csv"), "代码".encode("gb18030"))
    ('代码', 'gb18030')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as e:
            first_error = first_error or e
    assert first_error is not None
    # utf-8-sig counts from after its BOM; report the position in the file.
    offset = first_error.start + (3 if candidates[0] == "utf-8-sig" else 0)
    line = data[:offset].count(b"\n") + 1
    what = {
        "utf-8-sig": "not UTF-8 although it starts with a UTF-8 BOM",
        "utf-16": "not UTF-16 although it starts with a UTF-16 BOM",
    }.get(candidates[0], "neither UTF-8 nor GB18030")
    raise FileError(
        f"{path.name}: {what}: undecodable bytes at byte {offset} "
        f"(line {line}, {first_error.reason}); "
        "save the file as UTF-8 CSV"
    )


def read_table(path: Path) -> Table:
    """Open a `.csv` or `.jsonl` dataset file; raise FileError when it cannot be read at all."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FileError(f"{path.name}: cannot be read ({e.strerror})") from e
    text, encoding = decode(path, data)
    if path.suffix == ".jsonl":
        return _jsonl(path, text, encoding)
    return _csv(path, text, encoding)


def _csv(path: Path, text: str, encoding: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise FileError(f"{path.name}: line 1: the header cannot be parsed ({e})") from e
    if header is None or not any(h.strip() for h in header):
        raise FileError(f"{path.name}: the file is empty (no header row)")
    columns = [h.strip() for h in header]
    while not columns[-1]:  # spreadsheet exports often end the header with empty columns
        columns.pop()
    seen: set[str] = set()
    for name in columns:
        if not name:
            raise FileError(f"{path.name}: line 1: a column has no name")
        if name in seen:
            raise FileError(f"{path.name}: line 1: the column {name!r} appears twice")
        seen.add(name)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                if str(e) == "unexpected end of data":
                    problem = "a quote opened in this row is never closed"
                    if reader.line_num > start:
                        problem += f": lines {start}-{reader.line_num} were read as one row"
                else:
                    problem = f"the row cannot be parsed as CSV ({e})"
                yield start, {"__error__": problem}
                # The reader resumes at the next line: the rows after this one still count.
                start = reader.line_num + 1
                continue
            if record and any(cell.strip() for cell in record):
                if any(cell.strip() for cell in record[len(columns) :]):
                    problem = f"{len(record)} cells but the header has {len(columns)} columns"
                    yield start, {"__error__": problem}
                else:
                    yield start, dict(zip(columns, record, strict=False))
            start = reader.line_num + 1

    return Table(path, encoding, columns, rows())


def _jsonl(path: Path, text: str, encoding: str) -> Table:
    # Not str.splitlines(): U+2028, U+0085 and the like are legal inside JSON strings.
    lines = re.split(r"\r\n|\r|\n", text)
    records: list[tuple[int, dict[str, Any]]] = []
    columns: dict[str, None] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            records.append((number, {"__error__": f"not valid JSON ({e})"}))
            continue
        if not isinstance(value, dict):
            records.append((number, {"__error__": "not a JSON object"}))
            continue
        record = {str(k).strip(): v for k, v in value.items()}
        columns.update(dict.fromkeys(record))
        records.append((number, record))
    if not records:
        raise FileError(f"{path.name}: the file is empty (no records)")
    return Table(path, encoding, list(columns), iter(records))
