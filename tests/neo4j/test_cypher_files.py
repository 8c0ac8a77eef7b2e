"""The Cypher folder: generated files up to date, the schema covering the ontology, and every
file the store names present."""

from __future__ import annotations

import re
from pathlib import Path

from graphsvc.ontology import LABELS
from graphsvc.store.cypher import cypher_dir, statements
from tests.neo4j import cypher_gen

STORE = Path(__file__).resolve().parents[2] / "graphsvc" / "store" / "neo4j.py"


def test_generated_load_files_match_the_ontology() -> None:
    for path, text in cypher_gen.expected().items():
        assert path.exists(), f"{path.name} is missing: run python tests/neo4j/cypher_gen.py"
        assert path.read_text("utf-8") == text, f"{path.name} is stale: run cypher_gen.py"
    generated = {p.name for p in cypher_gen.expected()}
    stale = [
        p.name
        for p in (cypher_dir() / "load").glob("*.cypher")
        if p.name.startswith(("node_", "rel_")) and p.name not in generated
    ]
    assert not stale, f"not in the ontology any more: {stale}"


def test_the_schema_has_a_uniqueness_constraint_on_every_label_key() -> None:
    text = "\n".join(statements("schema"))
    unique = set(re.findall(r"FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE", text))
    for name, label in LABELS.items():
        assert (name, label.key) in unique, f"no uniqueness constraint on {name}.{label.key}"
    assert "fulltext.analyzer`: 'cjk'" in text


def test_every_query_the_store_names_exists() -> None:
    source = STORE.read_text("utf-8")
    names = set(re.findall(r'(?:query|statements)\(\s*f?"([\w/{}]+)"', source))
    assert len(names) > 10
    for name in names:
        if "{" in name:  # load/node_{label}, load/rel_{rel_type}, load/clear_{kind}
            prefix = name.split("{")[0]
            assert list(cypher_dir().glob(f"{prefix}*.cypher")), name
        else:
            assert (cypher_dir() / f"{name}.cypher").exists(), name
