"""Write one benchmark's section of docs/benchmarks.md and its figures into docs/benchmarks.json.

Each benchmark owns a section between `<!-- NAME -->` and `<!-- /NAME -->` markers, so
benchmarks run separately update their own part and leave the others alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs"
MARKDOWN = DOCS / "benchmarks.md"
JSON = DOCS / "benchmarks.json"
HEADER = """# Benchmarks

Written by the scripts in `benchmarks/` (`make bench` runs them all); each section says when
and on what machine it was measured. This machine is shared and noisy: compare the ratios to
the baseline measured in the same run rather than absolute figures across runs.
"""


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "versions": versions(),
    }


VERSIONED = ("graphsvc", "networkx", "strawberry-graphql", "starlette", "uvicorn", "numba", "neo4j")


def versions() -> dict[str, str]:
    """The versions of graphsvc and of the libraries the figures depend on most."""
    found = {}
    for name in VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def write_section(name: str, markdown: str, figures: dict[str, Any]) -> None:
    """Replace (or append) the section `name` and its JSON figures."""
    DOCS.mkdir(exist_ok=True)
    info = machine()
    body = (
        f"<!-- {name} -->\n{markdown.strip()}\n\n"
        f"_Measured {info['date']} on {info['cpu']}, {info['cores']} cores, "
        f"{info['memory_gib']} GiB, Python {info['python']}; "
        f"{', '.join(f'{k} {v}' for k, v in info['versions'].items())}._\n<!-- /{name} -->"
    )
    text = MARKDOWN.read_text("utf-8") if MARKDOWN.exists() else HEADER
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _: body, text) if pattern.search(text) else f"{text}\n{body}\n"
    MARKDOWN.write_text(text, "utf-8")
    data = json.loads(JSON.read_text("utf-8")) if JSON.exists() else {}
    data[name] = {"machine": info, **figures}
    JSON.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def previous_scales(name: str, one_scale_key: str) -> dict[str, Any]:
    """The figures of every scale section `name` measured before, the older one-scale layout
    (recognised by `one_scale_key`) included."""
    if not JSON.exists():
        return {}
    section = json.loads(JSON.read_text("utf-8")).get(name, {})
    if "scales" in section:
        return dict(section["scales"])
    if one_scale_key in section:  # written before the section kept every scale
        old = {k: v for k, v in section.items() if k != "machine"}
        old["measured"] = {"date": section["machine"]["date"]}
        return {str(float(old["scale"])): old}
    return {}
