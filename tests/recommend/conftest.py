"""Fixtures of the recommendation tests: a canonical toy graph, and a small demo store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.algorithms.recommend import Model, build_model
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.store import MemoryStore

TODAY = "2025-06-01"


def toy_graph() -> nx.MultiDiGraph:
    """One demand (D1, enterprise N1 in 八步区, 贺州市) and five experts:

    - E1 贺州市, INST-A, skill 碳酸钙表面改性, industry 3099, served N1 (rating 5, ended);
    - E2 南宁市, INST-A, industry 3099 (no skill);
    - E3 贺州市, INST-B, skill 碳酸钙表面改性, industry 3099, capacity 1 and serving N2 now;
    - E4 贺州市, INST-B, skill 碳酸钙表面改性, serving N1 now (ongoing);
    - E5 南宁市, no institution, industry 3099, skill 碳酸钙表面改性, commissioner.
    """
    g = nx.MultiDiGraph()
    nodes: dict[str, dict[str, object]] = {
        "City:451100": {"code": "451100", "name": "贺州市", "longitude": 111.57, "latitude": 24.40},
        "City:450100": {"code": "450100", "name": "南宁市", "longitude": 108.37, "latitude": 22.82},
        "County:451102": {
            "code": "451102",
            "name": "八步区",
            "longitude": 111.55,
            "latitude": 24.41,
            "poverty_county": True,
        },
        "Industry:C": {"code": "C", "name": "制造业"},
        "Industry:30": {"code": "30", "name": "非金属矿物制品业"},
        "Industry:309": {"code": "309", "name": "石墨及其他非金属矿物制品制造"},
        "Industry:3099": {"code": "3099", "name": "其他非金属矿物制品制造"},
        "Subgroup:SG1": {"key": "SG1", "name": "科技创新"},
        "Institution:INST-A": {"key": "INST-A", "name": "广西大学", "kind": "university"},
        "Institution:INST-B": {"key": "INST-B", "name": "贺州学院", "kind": "university"},
        "Enterprise:N1": {"key": "N1", "name": "贺州钙业有限公司"},
        "Enterprise:N2": {"key": "N2", "name": "贺州石材有限公司"},
        "Demand:D1": {
            "key": "D1",
            "title": "重质碳酸钙表面改性",
            "description": "提高碳酸钙白度与分散性",
            "status": "open",
        },
        "Keyword:碳酸钙表面改性": {"key": "碳酸钙表面改性"},
        "Achievement:A1": {"key": "A1", "title": "纳米碳酸钙表面改性技术", "maturity": 7},
    }
    for i, (city, inst, cap) in enumerate(
        [
            ("451100", "INST-A", 3),
            ("450100", "INST-A", 3),
            ("451100", "INST-B", 1),
            ("451100", "INST-B", 3),
            ("450100", None, 3),
        ],
        start=1,
    ):
        nodes[f"Expert:E{i}"] = {
            "key": f"E{i}",
            "name": f"专家{i}",
            "capacity": cap,
            "commissioner": i == 5,
        }
        g.add_node(f"Expert:E{i}", **nodes.pop(f"Expert:E{i}"))
        g.add_edge(f"Expert:E{i}", f"City:{city}", "BASED_IN")
        if inst:
            g.add_edge(f"Expert:E{i}", f"Institution:{inst}", "AFFILIATED_WITH")
    for nid, attrs in nodes.items():
        g.add_node(nid, **attrs)
    for u, v, k in (
        ("County:451102", "City:451100", "IN_CITY"),
        ("Industry:30", "Industry:C", "SUBCLASS_OF"),
        ("Industry:309", "Industry:30", "SUBCLASS_OF"),
        ("Industry:3099", "Industry:309", "SUBCLASS_OF"),
        ("Subgroup:SG1", "Industry:3099", "COVERS"),
        ("Institution:INST-A", "City:450100", "LOCATED_IN"),
        ("Institution:INST-B", "City:451100", "LOCATED_IN"),
        ("Enterprise:N1", "County:451102", "LOCATED_IN"),
        ("Enterprise:N2", "County:451102", "LOCATED_IN"),
        ("Enterprise:N1", "Industry:3099", "IN_INDUSTRY"),
        ("Enterprise:N1", "Demand:D1", "POSTED"),
        ("Demand:D1", "Industry:3099", "CONCERNS"),
        ("Expert:E1", "Industry:3099", "EXPERT_IN"),
        ("Expert:E2", "Industry:3099", "EXPERT_IN"),
        ("Expert:E3", "Industry:3099", "EXPERT_IN"),
        ("Expert:E5", "Industry:3099", "EXPERT_IN"),
        ("Expert:E1", "Subgroup:SG1", "MEMBER_OF"),
        ("Expert:E1", "Keyword:碳酸钙表面改性", "HAS_SKILL"),
        ("Expert:E3", "Keyword:碳酸钙表面改性", "HAS_SKILL"),
        ("Expert:E4", "Keyword:碳酸钙表面改性", "HAS_SKILL"),
        ("Expert:E5", "Keyword:碳酸钙表面改性", "HAS_SKILL"),
        ("Expert:E1", "Achievement:A1", "OWNS"),
        ("Achievement:A1", "Industry:3099", "APPLIES_TO"),
        ("Expert:E1", "Expert:E2", "COLLABORATES_WITH"),
    ):
        g.add_edge(u, v, k)
    g.add_edge("Demand:D1", "Keyword:碳酸钙表面改性", "MENTIONS", weight=1.0)
    g.add_edge("Achievement:A1", "Keyword:碳酸钙表面改性", "MENTIONS", weight=1.0)
    g.add_edge(
        "Expert:E1",
        "Enterprise:N1",
        "SERVED|visit|2024-01-02",
        role="visit",
        start_on="2024-01-02",
        end_on="2024-01-05",
        rating=5,
        outcome="solved",
    )
    g.add_edge(
        "Expert:E3",
        "Enterprise:N2",
        "SERVED|commissioner|2025-01-01",
        role="commissioner",
        start_on="2025-01-01",
    )
    g.add_edge(
        "Expert:E4",
        "Enterprise:N1",
        "SERVED|consultant|2025-03-01",
        role="consultant",
        start_on="2025-03-01",
        end_on="2025-12-31",
    )
    return nx.freeze(g)


@pytest.fixture(scope="session")
def toy() -> Model:
    """The recommender over the toy graph, on a fixed day."""
    return build_model(toy_graph(), today=TODAY)


@pytest.fixture(scope="session")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset at scale 0.3 (about 1000 experts)."""
    folder = tmp_path_factory.mktemp("demo-rec")
    generate(folder, seed=2024, scale=0.3)
    return folder


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory, small_dir: Path) -> Iterator[MemoryStore]:
    """A store holding the scale-0.3 demo (read-only in tests)."""
    store = MemoryStore(tmp_path_factory.mktemp("demo-rec-store") / "graph")
    report = load_dataset(store, small_dir)
    assert not report.rejects, report.rejects[:3]
    yield store
    store.close()


@pytest.fixture(scope="session")
def small(small_store: MemoryStore) -> Model:
    """The recommender over the scale-0.3 demo."""
    return build_model(small_store.view(), version=small_store.version, today=TODAY)
