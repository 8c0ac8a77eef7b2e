"""Load a dataset folder into a store: validate every row, keep every good one, all at once.

The rules are DATA_FORMAT.md's: a row that breaks one (a missing or mistyped value, a key
that refers to nothing, a duplicate key) is rejected with its file, line, column and reason;
every other row loads. The whole load is one batch, so it lands entirely or not at all, and
it is an upsert by key, so loading the same folder twice leaves the same graph.

Examples
--------
>>> import tempfile, pathlib
>>> from graphsvc.store import MemoryStore
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "cities.csv").write_text("code,name\\n450100,南宁市\\n4501,坏\\n", "utf-8")
>>> store = MemoryStore(folder / "graph")
>>> report = load_dataset(store, folder)
>>> report.loaded, [(r.file, r.line, r.column) for r in report.rejects]
(1, [('cities.csv', 3, 'code')])
>>> store.close()
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from graphsvc.loaders.read import FileError, read_table
from graphsvc.loaders.validate import RowValidator, parse_list, show
from graphsvc.ontology import (
    LABELS,
    NODE_FILES,
    REL_FILES,
    NodeFile,
    Prop,
    RelFile,
)
from graphsvc.store.base import Batch, GraphStore, Props
from graphsvc.text import Segmenter, normalise_term

__all__ = [
    "FileResult",
    "LoadReport",
    "Progress",
    "Reject",
    "load_dataset",
    "rows_batch",
    "stored_row",
]

# progress(stage, done, total): called as work advances; total is None when unknown.
Progress = Callable[[str, int, int | None], None]
KEYWORDS_PER_TEXT = 8


@dataclass(frozen=True)
class Reject:
    """A rejected row: where it is and why."""

    file: str
    line: int
    column: str
    reason: str


@dataclass
class FileResult:
    """What happened to one file."""

    file: str
    encoding: str = ""
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    error: str | None = None  # the whole file was refused
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    """The outcome of a load."""

    files: list[FileResult] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    version: int | None = None  # the store version after the load; None if nothing applied
    aborted: str | None = None  # why nothing was applied

    @property
    def loaded(self) -> int:
        """Rows loaded, over all files."""
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        """Rows rejected, over all files (a row with several problems counts once)."""
        return sum(f.rejected for f in self.files)

    @property
    def errors(self) -> int:
        """What `--max-errors` counts: rejected rows, and each file refused whole."""
        return self.rejected + len(self.refused_files)

    @property
    def refused_files(self) -> list[FileResult]:
        """Files refused as a whole."""
        return [f for f in self.files if f.error]

    def write(self, path: Path) -> None:
        """Write the report: `.json` gives everything, any other suffix a CSV of rejects."""
        if path.suffix == ".json":
            data = {
                "version": self.version,
                "aborted": self.aborted,
                "warnings": self.warnings,
                "files": [vars(f) for f in self.files],
                "rejects": [vars(r) for r in self.rejects],
            }
            path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
            return
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["file", "line", "column", "reason"])
            for fr in self.refused_files:
                writer.writerow([fr.file, "", "", fr.error])
            writer.writerows((r.file, r.line, r.column, r.reason) for r in self.rejects)


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    extra: dict[str, Any]


def _discover(folder: Path, report: LoadReport) -> dict[str, Path]:
    if not folder.is_dir():
        raise FileError(f"{folder}: not a folder")
    known = set(NODE_FILES) | set(REL_FILES)
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix not in (".csv", ".jsonl") or path.stem not in known:
            report.warnings.append(f"{path.name}: not a dataset file, ignored")
            continue
        if path.stem in found:
            report.files.append(
                FileResult(
                    path.name,
                    error=f"both {found[path.stem].name} and {path.name} exist; keep one",
                )
            )
            found[path.stem] = path  # marked refused below
            continue
        found[path.stem] = path
    return found


class _Loader:
    def __init__(self, store: GraphStore, report: LoadReport, progress: Progress | None) -> None:
        self.store = store
        self.report = report
        self.progress = progress or (lambda stage, done, total: None)
        self.batch = Batch()
        self.accepted: dict[str, set[str]] = defaultdict(set)  # label -> keys loaded now
        self.existing: dict[str, set[str]] = defaultdict(set)  # label -> keys already stored
        self.checked: dict[str, set[str]] = defaultdict(set)  # label -> keys looked up
        self._enterprise_industries: dict[str, list[str]] = {}  # from this load's rows

    # -- reading ----------------------------------------------------------------------------
    def read(self, path: Path, columns: tuple[Prop, ...]) -> tuple[FileResult, list[_Row]]:
        result = FileResult(path.name)
        self.report.files.append(result)
        try:
            table = read_table(path)
        except FileError as e:
            result.error = str(e)
            return result, []
        result.encoding = table.encoding
        declared = {p.name for p in columns}
        missing = [p.name for p in columns if p.required and p.name not in table.columns]
        if missing:
            result.error = (
                f"{path.name}: required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} missing (the header has: {', '.join(table.columns)})"
            )
            return result, []
        unknown = [c for c in table.columns if c not in declared]
        if unknown:
            result.warnings.append(
                f"{path.name}: unknown columns kept as extra properties: {', '.join(unknown)}"
            )
        return result, self.validate(result, table.rows, columns, unknown)

    def validate(
        self,
        result: FileResult,
        lines: Iterable[tuple[int, dict[str, Any]]],
        columns: tuple[Prop, ...],
        unknown: Sequence[str] = (),
    ) -> list[_Row]:
        """The rows whose cells are valid; the others are reported, cell by cell."""
        validator = RowValidator.for_columns(columns)
        rows: list[_Row] = []
        for line, cells in lines:
            result.rows += 1
            if "__error__" in cells:
                self.reject(result, line, "", cells["__error__"])
                continue
            values, problems = validator.validate(cells)
            if problems:
                for i, (column, reason) in enumerate(problems):
                    self.reject(result, line, column, reason, new_row=i == 0)
                continue
            extra = {
                c: _extra_value(v) for c in unknown if (v := cells.get(c)) not in (None, "", [])
            }
            rows.append(_Row(line, values, extra))
            if result.rows % 10000 == 0:
                self.progress(f"read {result.file}", result.rows, None)
        self.progress(f"read {result.file}", result.rows, result.rows)
        return rows

    def reject(
        self, result: FileResult, line: int, column: str, reason: str, *, new_row: bool = True
    ) -> None:
        """Report a problem; `new_row` False for a further problem of a row already counted."""
        result.rejected += new_row
        self.report.rejects.append(Reject(result.file, line, column, reason))

    def reject_row(self, result: FileResult, row: _Row, column: str, reason: str) -> None:
        self.reject(result, row.line, column, reason)

    # -- references -------------------------------------------------------------------------
    def exists(self, label: str, key: str) -> bool:
        return key in self.accepted[label] or self.stored(label, [key])[0]

    def stored(self, label: str, keys: list[str]) -> list[bool]:
        todo = [k for k in dict.fromkeys(keys) if k not in self.checked[label]]
        if todo:
            for key, props in zip(todo, self.store.get_nodes(label, todo), strict=True):
                if props is not None:
                    self.existing[label].add(key)
            self.checked[label].update(todo)
        return [k in self.existing[label] for k in keys]

    def dedupe(
        self, result: FileResult, rows: list[_Row], ident: Callable[[_Row], Any], what: str
    ) -> list[_Row]:
        first: dict[Any, int] = {}
        kept: list[_Row] = []
        for row in rows:
            value = ident(row)
            if value in first:
                self.reject_row(
                    result,
                    row,
                    what.split("+")[0],
                    f"duplicate {what} {show(value)} (first on line {first[value]})",
                )
                continue
            first[value] = row.line
            kept.append(row)
        return kept

    # -- node files -------------------------------------------------------------------------
    def node_file(self, spec: NodeFile, path: Path, segmenter: Segmenter) -> None:
        result, rows = self.read(path, spec.columns)
        self.node_rows(spec, result, rows, segmenter)

    def node_rows(
        self, spec: NodeFile, result: FileResult, rows: list[_Row], segmenter: Segmenter
    ) -> None:
        label = LABELS[spec.label]
        rows = self.dedupe(result, rows, lambda r: r.values[label.key], label.key)
        rows = self.check_one_of(result, rows, spec.one_of)
        self.stored(spec.label, [r.values[label.key] for r in rows])
        for ref in spec.refs:
            if not ref.keyword:
                self.stored(ref.target, [k for r in rows for k in _ref_keys(r, ref.column)])
        # Self references (an industry's parent) may point forward in the file, and a
        # rejected row can orphan others, so resolve until nothing changes.
        candidates = rows
        while True:
            own = {r.values[label.key] for r in candidates}
            good: list[_Row] = []
            for row in candidates:
                problem = self.dangling(spec, row, own)
                if problem:
                    self.reject_row(result, row, *problem)
                else:
                    good.append(row)
            if len(good) == len(candidates):
                break
            candidates = good
        rows = good
        self.accepted[spec.label].update(r.values[label.key] for r in rows)
        if spec.name == "demands":
            self.default_demand_industries(rows)
        if any(ref.extract for ref in spec.refs):
            self.extract_keywords(spec, rows, segmenter)
        self.write_nodes(spec, rows)
        result.loaded = len(rows)

    def check_one_of(
        self, result: FileResult, rows: list[_Row], columns: tuple[str, ...]
    ) -> list[_Row]:
        if not columns:
            return rows
        kept = []
        for row in rows:
            if any(row.values.get(c) for c in columns):
                kept.append(row)
            else:
                self.reject_row(
                    result, row, columns[0], f"at least one of {', '.join(columns)} is required"
                )
        return kept

    def dangling(self, spec: NodeFile, row: _Row, own: set[str]) -> tuple[str, str] | None:
        for ref in spec.refs:
            if ref.keyword:
                continue
            for key in _ref_keys(row, ref.column):
                in_file = ref.target == spec.label and key in own
                if not in_file and not self.exists(ref.target, key):
                    return ref.column, f"{show(key)} refers to no {ref.target}"
        return None

    def default_demand_industries(self, rows: list[_Row]) -> None:
        """A demand without industry codes concerns its enterprise's industries."""
        ent_rows = self._enterprise_industries
        missing = [r for r in rows if not r.values.get("industry_codes")]
        stored_keys = [
            k for k in {r.values["enterprise_key"] for r in missing} if k not in ent_rows
        ]
        fetched = self.store.neighbours("Enterprise", stored_keys, "IN_INDUSTRY")
        from_store = {
            k: [props["code"] for _, props, _ in found]
            for k, found in zip(stored_keys, fetched, strict=True)
        }
        for row in missing:
            key = row.values["enterprise_key"]
            row.values["industry_codes"] = list(ent_rows.get(key, from_store.get(key, [])))

    def extract_keywords(self, spec: NodeFile, rows: list[_Row], segmenter: Segmenter) -> None:
        done = 0
        for row in rows:
            if row.values.get("keywords"):
                continue
            text = "\n".join(row.values.get(c) or "" for c in spec.text_columns)
            row.values["keywords"] = segmenter.keywords(text, KEYWORDS_PER_TEXT)
            done += 1
            if done % 2000 == 0:
                self.progress(f"keywords {spec.name}", done, None)

    def write_nodes(self, spec: NodeFile, rows: list[_Row]) -> None:
        label = LABELS[spec.label]
        prop_names = [p.name for p in label.props]
        existed = set(self.existing[spec.label])
        clear = {(r.rel, r.reverse) for r in spec.refs}
        b = self.batch
        for row in rows:
            props: Props = {n: v for n in prop_names if (v := row.values.get(n)) is not None}
            props.update(row.extra)
            b.upsert_node(spec.label, row.values[label.key], props)
        # Relationships after every node of the file: a row may refer to a later one.
        for row in rows:
            key = row.values[label.key]
            me = (spec.label, key)
            if key in existed:
                for rel, reverse in clear:
                    b.clear_rels(me, rel, "in" if reverse else "out")
            for ref in spec.refs:
                value = row.values.get(ref.column)
                if not value:
                    continue
                if ref.keyword:
                    self.write_keywords(me, ref.rel, value)
                    continue
                for target in value if ref.many else [value]:
                    other = (ref.target, target)
                    source, dest = (other, me) if ref.reverse else (me, other)
                    b.upsert_rel(ref.rel, source, dest)
        if spec.name == "enterprises":
            self._enterprise_industries = {
                r.values["key"]: r.values.get("industry_codes") or [] for r in rows
            }

    def write_keywords(self, node: tuple[str, str], rel: str, terms: list[Any]) -> None:
        weighted = rel == "MENTIONS"
        seen: set[str] = set()
        for item in terms:
            term, weight = item if isinstance(item, tuple) else (item, 1.0)
            term = normalise_term(term)
            # An extracted weight rounds to 0 for a term lost in a long text: no mention.
            if not term or term in seen or weight <= 0:
                continue
            seen.add(term)
            if term not in self.accepted["Keyword"]:
                self.accepted["Keyword"].add(term)
                self.batch.upsert_node("Keyword", term, {"key": term}, replace=False)
            self.batch.upsert_rel(
                rel, node, ("Keyword", term), {"weight": weight} if weighted else {}
            )

    # -- relationship files -----------------------------------------------------------------
    def rel_file(self, spec: RelFile, path: Path) -> None:
        result, rows = self.read(path, spec.columns)
        self.rel_rows(spec, result, rows)

    def rel_rows(self, spec: RelFile, result: FileResult, rows: list[_Row]) -> None:
        if spec.key:
            key = spec.key
            rows = self.dedupe(result, rows, lambda r: r.values[key], key)
        if spec.identity:
            ident = spec.identity
            rows = self.dedupe(
                result, rows, lambda r: tuple(r.values[c] for c in ident), "+".join(ident)
            )
        rows = self.check_one_of(result, rows, spec.one_of)
        for edge in spec.edges:
            self.stored(edge.source_label, [r.values[edge.source_column] for r in rows])
            self.stored(
                edge.target_label,
                [r.values[c] for r in rows if (c := edge.target_column) and r.values.get(c)],
            )
        good: list[_Row] = []
        for row in rows:
            problem = self.rel_row_problem(spec, row)
            if problem:
                self.reject_row(result, row, *problem)
            else:
                good.append(row)
        if spec.key:
            self.replace_keyed(spec, good)
        if spec.name == "service_records":
            self.replace_addressed(good)
        for row in good:
            for edge in spec.edges:
                target = row.values.get(edge.target_column)
                if not target:
                    continue
                props = {p: v for p in edge.props if (v := row.values.get(p)) is not None}
                props.update(row.extra)
                self.batch.upsert_rel(
                    edge.rel,
                    (edge.source_label, row.values[edge.source_column]),
                    (edge.target_label, target),
                    props,
                )
        result.loaded = len(good)

    def replace_keyed(self, spec: RelFile, rows: list[_Row]) -> None:
        """A keyed row (a deal) replaces every relationship an earlier load made for its key,
        wherever it was: its counterparties, even its enterprise, may have changed."""
        rel, label = spec.edges[0].rel, spec.edges[0].source_label
        assert spec.key and all((e.rel, e.source_label) == (rel, label) for e in spec.edges)
        if not rows or not self.store.counts().relationships.get(rel):
            return
        keys = {r.values[spec.key] for r in rows}
        sources = [props[LABELS[label].key] for props in self.store.iter_nodes(label)]
        for source, found in zip(sources, self.store.neighbours(label, sources, rel), strict=True):
            if not any(props.get(spec.key) in keys for _, _, props in found):
                continue
            node = (label, source)
            self.batch.clear_rels(node, rel, "out")
            for other, target, props in found:
                if props.get(spec.key) not in keys:  # another deal: put it back
                    self.batch.upsert_rel(rel, node, (other, target[LABELS[other].key]), props)

    def replace_addressed(self, rows: list[_Row]) -> None:
        """A reloaded service record that names another demand (or none) takes back the
        ADDRESSED its earlier version made, unless another record of the expert names it."""
        if not rows or not self.store.counts().relationships.get("ADDRESSED"):
            return
        ident = ("expert_key", "enterprise_key", "role", "start_on")
        reloaded = {tuple(r.values.get(c) for c in ident) for r in rows}
        named: dict[str, set[str]] = defaultdict(set)  # expert -> demands this load names
        for r in rows:
            named[r.values["expert_key"]].add(r.values.get("demand_key") or "")
        experts = sorted(named)
        served = self.store.neighbours("Expert", experts, "SERVED")
        addressed = self.store.neighbours("Expert", experts, "ADDRESSED")
        for expert, records, demands in zip(experts, served, addressed, strict=True):
            still = named[expert] | {
                p.get("demand_key") or ""
                for _, enterprise, p in records
                if (expert, enterprise["key"], p.get("role"), p.get("start_on")) not in reloaded
            }
            if all(d["key"] in still for _, d, _ in demands):
                continue
            node = ("Expert", expert)
            self.batch.clear_rels(node, "ADDRESSED", "out")
            for _, d, p in demands:
                if d["key"] in still:
                    self.batch.upsert_rel("ADDRESSED", node, ("Demand", d["key"]), p)

    def rel_row_problem(self, spec: RelFile, row: _Row) -> tuple[str, str] | None:
        v = row.values
        for edge in spec.edges:
            for column, label in (
                (edge.source_column, edge.source_label),
                (edge.target_column, edge.target_label),
            ):
                key = v.get(column)
                if key and not self.exists(label, key):
                    return column, f"{show(key)} refers to no {label}"
        if spec.name == "collaborations" and v["expert_key_a"] == v["expert_key_b"]:
            return "expert_key_b", "an expert cannot collaborate with themself"
        if v.get("start_on") and v.get("end_on") and v["end_on"] < v["start_on"]:
            return "end_on", f"{v['end_on']} is before start_on {v['start_on']}"
        return None


def _extra_value(value: Any) -> Any:
    """An unknown column's value as a property: text trimmed, numbers and booleans as they
    are, a list of plain values as a list of text, anything else as its JSON text.

    >>> _extra_value(" 是 "), _extra_value([1, "a"]), _extra_value({"k": [1]})
    ('是', ['1', 'a'], '{"k":[1]}')
    """
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(x, str | int | float | bool) for x in value):
        return [str(x) for x in value]
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value


class _TooManyErrorsError(Exception):
    """Abandons a load (inside the store's bulk block, so nothing of it lands)."""


def _ref_keys(row: _Row, column: str) -> list[str]:
    value = row.values.get(column)
    if not value:
        return []
    return list(value) if isinstance(value, list) else [value]


def _domain_terms(store: GraphStore, files: dict[str, Path]) -> Iterable[str]:
    """The segmenter's dictionary: industry vocabularies, the keyword columns being loaded,
    and the skills of stored experts this load does not reload.

    Not every stored Keyword: the ones an earlier load extracted would then count as domain
    terms, and loading the same folder twice would not give the same graph."""
    from graphsvc.reference import vocabulary

    yield from (v.term for v in vocabulary())
    reloaded: set[str] = set()
    for name in ("experts", "demands", "achievements"):
        path = files.get(name)
        if path is None:
            continue
        try:
            table = read_table(path)
        except FileError:
            continue  # reported when the file itself is read
        for _, cells in table.rows:
            if name == "experts" and isinstance(key := cells.get("key"), str | int):
                reloaded.add(str(key).strip())
            yield from parse_list(cells.get("keywords"))
    others = [k for props in store.iter_nodes("Expert") if (k := props["key"]) not in reloaded]
    for found in store.neighbours("Expert", others, "HAS_SKILL"):
        yield from (props["key"] for _, props, _ in found)


def load_dataset(
    store: GraphStore,
    folder: Path,
    *,
    max_errors: int | None = None,
    progress: Progress | None = None,
    segmenter: Segmenter | None = None,
) -> LoadReport:
    """Load every good row of the dataset in `folder` into `store`, all together or not at all.

    Raises FileError when `folder` is not a folder. A file that cannot be read at all, or lacks
    a required column, is refused whole and reported; the other files still load. When more
    than `max_errors` rows are rejected nothing is applied and `report.aborted` says so.
    """
    report = LoadReport()
    files = _discover(folder, report)
    refused = {f.file for f in report.files if f.error}
    files = {n: p for n, p in files.items() if p.name not in refused}
    if segmenter is None:
        segmenter = Segmenter()
    segmenter.add_terms(_domain_terms(store, files))
    loader = _Loader(store, report, progress)
    progress = progress or (lambda stage, done, total: None)
    wrote = False

    def write_file(write: Callable[[Batch], None]) -> None:
        """Each file's writes go to the store as soon as it is checked, freeing its rows."""
        nonlocal wrote
        if loader.batch.ops:
            write(loader.batch)
            loader.batch = Batch()
            wrote = True

    try:
        with store.bulk() as write:
            for name, spec in NODE_FILES.items():
                if name in files:
                    loader.node_file(spec, files[name], segmenter)
                    write_file(write)
            for name, rspec in REL_FILES.items():
                if name in files:
                    loader.rel_file(rspec, files[name])
                    write_file(write)
            if max_errors is not None and report.errors > max_errors:
                whole = len(report.refused_files)
                raise _TooManyErrorsError(
                    f"{report.rejected} rows rejected"
                    + (f" and {whole} files refused" if whole else "")
                    + f", more than --max-errors {max_errors}: nothing was loaded"
                )
            progress("write", 0, 1)
        progress("write", 1, 1)
    except _TooManyErrorsError as e:
        report.aborted = str(e)
    for f in report.files:
        report.warnings.extend(f.warnings)
    if wrote and not report.aborted:
        report.version = store.version
    return report


def rows_batch(
    store: GraphStore,
    file: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    segmenter: Segmenter,
    trusted: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[Batch, list[Reject]]:
    """The writes that loading a file `file` (e.g. "demands") holding just `rows` would make,
    checked by the same rules as a load, without applying them; and the problems found, the
    row number (from 1) standing for the line. A mutation is such a one-row file.

    `trusted` values (one mapping per row, e.g. a demand's stored weighted keywords) replace
    the validated ones as they are.

    >>> import tempfile, pathlib
    >>> from graphsvc.store import MemoryStore
    >>> store = MemoryStore(pathlib.Path(tempfile.mkdtemp()))
    >>> batch, problems = rows_batch(store, "pairings", [{"institution_key": "I1"}],
    ...                              segmenter=Segmenter())
    >>> [(p.line, p.column, p.reason) for p in problems]
    [(1, 'enterprise_key', 'a required value is missing')]
    >>> store.close()
    """
    node_spec, rel_spec = NODE_FILES.get(file), REL_FILES.get(file)
    spec = node_spec or rel_spec
    if spec is None:
        raise ValueError(f"unknown input file type {file!r}")
    report = LoadReport()
    loader = _Loader(store, report, None)
    result = FileResult(file)
    report.files.append(result)
    declared = {p.name for p in spec.columns}
    unknown = sorted({c for row in rows for c in row if c not in declared})
    valid = loader.validate(result, enumerate((dict(r) for r in rows), 1), spec.columns, unknown)
    for row in valid if trusted else ():
        row.values.update(trusted[row.line - 1])  # type: ignore[index]
    if node_spec is not None:
        loader.node_rows(node_spec, result, valid, segmenter)
    elif rel_spec is not None:
        loader.rel_rows(rel_spec, result, valid)
    return loader.batch, report.rejects


def stored_row(
    store: GraphStore, file: str, key: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The row of a node file (e.g. "experts") that would load the stored node `key` as it
    is: its cells, and the values only the store can give (weighted keywords) to pass to
    `rows_batch` as `trusted`. None when there is no such node.

    >>> import tempfile, pathlib
    >>> from graphsvc.store import MemoryStore
    >>> store = MemoryStore(pathlib.Path(tempfile.mkdtemp()))
    >>> batch, _ = rows_batch(store, "experts", [{"key": "E1", "name": "李明",
    ...                       "keywords": ["碳酸钙"]}], segmenter=Segmenter())
    >>> _ = store.apply(batch)
    >>> cells, trusted = stored_row(store, "experts", "E1")
    >>> cells["name"], cells["keywords"], trusted
    ('李明', ['碳酸钙'], {})
    >>> store.close()
    """
    spec = NODE_FILES[file]
    label = spec.label
    props = store.get_nodes(label, [key])[0]
    if props is None:
        return None
    cells: dict[str, Any] = dict(props)
    trusted: dict[str, Any] = {}
    for ref in spec.refs:
        found = store.neighbours(label, [key], ref.rel, "in" if ref.reverse else "out")[0]
        keys = [p[LABELS[other].key] for other, p, _ in found]
        cells[ref.column] = keys if ref.many else (keys[0] if keys else None)
        if ref.keyword and ref.rel == "MENTIONS":
            trusted[ref.column] = [(p["key"], r.get("weight", 1.0)) for _, p, r in found]
    return cells, trusted
