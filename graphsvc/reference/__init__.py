"""Guangxi reference data shipped with graphsvc: divisions, industries, institutions, vocabularies.

Plain files in this package (their sources are in SOURCES.md), read once and cached. Each
reader returns a tuple of frozen dataclasses, so callers cannot change the cached data.

Examples
--------
>>> len(cities()), len(counties())
(14, 111)
>>> next(c.name for c in cities() if c.code == "451100")
'贺州市'
>>> next(i for i in industries() if i.code == "134").parent_code
'13'
>>> sorted(demand_templates())
['description', 'title']
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

__all__ = [
    "City",
    "County",
    "Industry",
    "Institution",
    "Subgroup",
    "Term",
    "TrainingSite",
    "achievement_templates",
    "cities",
    "counties",
    "demand_templates",
    "industries",
    "institutions",
    "subgroups",
    "training_sites",
    "training_templates",
    "vocabulary",
]


@dataclass(frozen=True)
class City:
    """A prefecture-level city (GB/T 2260 code) and its seat coordinates (WGS 84)."""

    code: str
    name: str
    longitude: float
    latitude: float


@dataclass(frozen=True)
class County:
    """A county-level division. `kind` is the official type (市辖区, 县, 自治县, 县级市);
    `coord_source` says whether the coordinates are the county's or, lacking those, its city's."""

    code: str
    name: str
    city_code: str
    kind: str
    longitude: float
    latitude: float
    coord_source: str
    poverty_county: bool


@dataclass(frozen=True)
class Industry:
    """A GB/T 4754-2017 section, division, group or class; `parent_code` is "" for a section."""

    code: str
    name: str
    parent_code: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Subgroup:
    """A subgroup of the expert service corps and the industries it covers."""

    key: str
    name: str
    industry_codes: tuple[str, ...]


@dataclass(frozen=True)
class Institution:
    """A university, institute or other R&D body; `expertise` lists industry codes."""

    key: str
    name: str
    kind: str
    city_code: str
    size: str
    expertise: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """A technical term of an industry's vocabulary; `topic` groups related terms (1, 2, ...)."""

    industry_code: str
    term: str
    topic: int


@dataclass(frozen=True)
class TrainingSite:
    """A training base (`base`) or study point (`study_point`) of the programme, and the
    industries (codes) it shows."""

    key: str
    name: str
    kind: str
    city_code: str
    industry_codes: tuple[str, ...]


def _rows(name: str) -> Iterator[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    yield from csv.DictReader(text.splitlines())


def _list(cell: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in cell.split(";") if item.strip())


@cache
def cities() -> tuple[City, ...]:
    """Guangxi's 14 prefecture-level cities, by code."""
    return tuple(
        City(r["code"], r["name"], float(r["longitude"]), float(r["latitude"]))
        for r in _rows("cities.csv")
    )


@cache
def counties() -> tuple[County, ...]:
    """Guangxi's 111 county-level divisions, by code."""
    return tuple(
        County(
            r["code"],
            r["name"],
            r["city_code"],
            r["kind"],
            float(r["longitude"]),
            float(r["latitude"]),
            r["coord_source"],
            r["poverty_county"] == "true",
        )
        for r in _rows("counties.csv")
    )


@cache
def industries() -> tuple[Industry, ...]:
    """The GB/T 4754-2017 codes that matter in Guangxi, parents before children."""
    return tuple(
        Industry(r["code"], r["name"], r["parent_code"], _list(r["tags"]))
        for r in _rows("industries.csv")
    )


@cache
def subgroups() -> tuple[Subgroup, ...]:
    """The six subgroups of the expert service corps."""
    return tuple(
        Subgroup(r["key"], r["name"], _list(r["industry_codes"])) for r in _rows("subgroups.csv")
    )


@cache
def institutions() -> tuple[Institution, ...]:
    """57 universities and research institutes of Guangxi."""
    return tuple(
        Institution(
            r["key"], r["name"], r["kind"], r["city_code"], r["size"], _list(r["expertise"])
        )
        for r in _rows("institutions.csv")
    )


@cache
def vocabulary() -> tuple[Term, ...]:
    """Technical terms by industry: the loaders' domain dictionary, the generator's words."""
    return tuple(
        Term(r["industry_code"], r["term"], int(r["topic"])) for r in _rows("vocabulary.csv")
    )


@cache
def training_sites() -> tuple[TrainingSite, ...]:
    """Three training bases and fifteen study points (illustrative names, see SOURCES.md)."""
    return tuple(
        TrainingSite(r["key"], r["name"], r["kind"], r["city_code"], _list(r["industry_codes"]))
        for r in _rows("training_sites.csv")
    )


def _templates(name: str) -> Mapping[str, tuple[str, ...]]:
    """A template file: `[section]` headers, one template per line, `#` comments."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is None:
            raise ValueError(f"{name}: template outside a [section]: {line!r}")
        else:
            current.append(line)
    return MappingProxyType({k: tuple(v) for k, v in sections.items()})


@cache
def demand_templates() -> Mapping[str, tuple[str, ...]]:
    """Demand titles and descriptions with `{t1}`-style slots, by section."""
    return _templates("demand_templates.txt")


@cache
def achievement_templates() -> Mapping[str, tuple[str, ...]]:
    """Achievement titles by kind, and descriptions, with slots."""
    return _templates("achievement_templates.txt")


@cache
def training_templates() -> Mapping[str, tuple[str, ...]]:
    """Training titles by training kind, with slots."""
    return _templates("training_templates.txt")
