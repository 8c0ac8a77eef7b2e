"""The per-label and per-type Cypher write files, generated from the ontology.

`cypher/load/node_<Label>.cypher` and `cypher/load/rel_<TYPE>.cypher` differ only in the label,
its key property, the relationship type and whether the type has identity properties, so they
are rendered from graphsvc/ontology.py and committed; test_cypher_files.py keeps them equal.
After changing the ontology: `python tests/neo4j/cypher_gen.py` rewrites them.

>>> "MERGE (n:City {code: row.key})" in node_file("City")
True
>>> "{_key: row.ident}" in rel_file("SERVED"), "{_key: row.ident}" in rel_file("IN_CITY")
(True, False)
"""

from __future__ import annotations

from pathlib import Path

from graphsvc.ontology import LABELS, RELATIONSHIPS

ROOT = Path(__file__).resolve().parents[2]

LOAD = ROOT / "cypher" / "load"


def node_file(label: str) -> str:
    """The upsert of `label` nodes."""
    key = LABELS[label].key
    return f"""\
// Upsert {label} nodes: graphsvc's ["N", label, key, props, replace] writes, in batch order.
// Generated from graphsvc/ontology.py by tests/neo4j/cypher_gen.py: do not edit by hand.
// $rows: [{{key, id, props, replace, seq}}]; `replace` drops the properties not given, else
// they merge. `_id` ("{label}:key") and `_seq` (creation order) are store-internal.
UNWIND $rows AS row
MERGE (n:{label} {{{key}: row.key}})
WITH n, row, coalesce(n._seq, row.seq) AS seq
FOREACH (_ IN CASE WHEN row.replace THEN [1] ELSE [] END | SET n = row.props)
SET n += row.props
SET n:_Node, n.{key} = row.key, n._id = row.id, n._seq = seq
"""


def rel_file(rel_type: str) -> str:
    """The upsert of `rel_type` relationships (both ends exist: the store checks first)."""
    spec = RELATIONSHIPS[rel_type]
    ident = bool(spec.identity)
    pattern = f"[r:{rel_type} {{_key: row.ident}}]" if ident else f"[r:{rel_type}]"
    keep = "r._key = row.ident, r._seq = seq" if ident else "r._seq = seq"
    identity = (
        f"identified by its ends and `_key` ({', '.join(spec.identity)})"
        if ident
        else "one between two nodes"
    )
    return f"""\
// Upsert {rel_type} relationships, {identity}; its properties are replaced.
// Generated from graphsvc/ontology.py by tests/neo4j/cypher_gen.py: do not edit by hand.
// $rows: [{{source, target, ident, props, seq}}] with node ids "Label:key".
UNWIND $rows AS row
MATCH (a:_Node {{_id: row.source}})
MATCH (b:_Node {{_id: row.target}})
MERGE (a)-{pattern}->(b)
WITH r, row, coalesce(r._seq, row.seq) AS seq
SET r = row.props
SET {keep}
"""


def expected() -> dict[Path, str]:
    """Every generated file and its text."""
    files = {LOAD / f"node_{label}.cypher": node_file(label) for label in LABELS}
    files.update({LOAD / f"rel_{t}.cypher": rel_file(t) for t in RELATIONSHIPS})
    return files


def main() -> None:
    """Rewrite the generated files."""
    LOAD.mkdir(parents=True, exist_ok=True)
    for path, text in expected().items():
        path.write_text(text, "utf-8")
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
