"""The project's Cypher, loaded by name from the `cypher/` folder: `query("load/node_Expert")`.

Every statement lives in a `.cypher` file and takes its values as parameters; this module only
finds and reads the files. The folder is the repository's `cypher/` (a source checkout or an
editable install), or `GRAPHSVC_CYPHER_DIR` when set (an install from a wheel, which does not
carry it: copy the folder next to the service and point the variable at it).

Examples
--------
>>> "MERGE (n:Expert {key: row.key})" in query("load/node_Expert")
True
>>> statements("schema")[0].startswith("CREATE CONSTRAINT city_code")
True
>>> query("queries/nope")
Traceback (most recent call last):
...
graphsvc.store.base.StoreError: no Cypher file queries/nope.cypher in ...
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import LiteralString

from graphsvc.store.base import StoreError

__all__ = ["cypher_dir", "query", "statements"]

ENV = "GRAPHSVC_CYPHER_DIR"
_REPO_CYPHER = Path(__file__).resolve().parents[2] / "cypher"
_STATEMENT_END = re.compile(r";[ \t]*$", re.M)


def cypher_dir() -> Path:
    """Where the `.cypher` files are: `$GRAPHSVC_CYPHER_DIR`, else the repository's folder."""
    configured = os.environ.get(ENV)
    return Path(configured) if configured else _REPO_CYPHER


@functools.cache
def _read(folder: Path, name: str) -> str:
    path = folder / f"{name}.cypher"
    try:
        return path.read_text("utf-8")
    except OSError:
        raise StoreError(
            f"no Cypher file {name}.cypher in {folder} (set {ENV} to the cypher/ folder)"
        ) from None


def query(name: str) -> LiteralString:
    """The text of `cypher/<name>.cypher`, comment lines removed (read once, then cached)."""
    text = _read(cypher_dir(), name)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    # The driver types queries as literal strings; these are the project's own files.
    return body.strip()


def statements(name: str) -> list[LiteralString]:
    """The `;`-terminated statements of a multi-statement file (the schema)."""
    parts = _STATEMENT_END.split(query(name))
    return [p.strip() for p in parts if p.strip()]
