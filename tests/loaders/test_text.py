"""Free text is kept exactly, keys are trimmed only, and keywords are extracted from Chinese
text with the data's own terms kept whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graphsvc.text import Segmenter
from tests.loaders.conftest import (
    Loader,
    State,
    append_row,
    expect,
    set_cells,
)
from tests.loaders.test_values import TEMPLATES


def test_free_text_is_kept_exactly_and_keys_are_trimmed(
    dataset: Path, load: Loader, mini_state: Callable[[], State]
) -> None:
    title = "  石粉 超细粉碎\t工艺  "
    description = '\n  第一段：粒度 D97≤10μm。\r\n\n第二段，“引号”与"英文引号"，逗号,分号;  \n'
    append_row(
        dataset,
        "demands.csv",
        **{
            **TEMPLATES["demands.csv"],
            "key": "  DEM 9 ",
            "enterprise_key": " ENT-1\t",
            "title": title,
            "description": description,
        },
    )
    append_row(
        dataset,
        "achievements.csv",
        **{
            **TEMPLATES["achievements.csv"],
            "key": "\tach-9 ",
            "title": " 设备 ",
            "description": "  ",
        },
    )
    loaded = load(dataset)
    expect(
        loaded,
        mini_state(),
        rows={"demands.csv": 4, "achievements.csv": 4},
        added_nodes=["Demand:DEM 9", "Achievement:ach-9"],
    )
    node = loaded.node("Demand:DEM 9")
    assert node is not None
    assert (node["key"], node["title"], node["description"]) == ("DEM 9", title, description)
    assert set(loaded.targets("Demand:DEM 9", "POSTED", "in")) == {"Enterprise:ENT-1"}
    achievement = loaded.node("Achievement:ach-9")
    assert achievement is not None and achievement["title"] == " 设备 "
    assert "description" not in achievement  # blank text is no text
    assert loaded.node("Achievement:ACH-9") is None  # keys keep their case


def test_expert_and_training_titles_are_kept(dataset: Path, load: Loader) -> None:
    set_cells(dataset, "trainings.csv", 2, title=" 碳酸钙产业技术培训班（第一期） ")
    loaded = load(dataset)
    assert loaded.report.rejects == []
    assert loaded.node("Training:TRN-1")["title"] == " 碳酸钙产业技术培训班（第一期） "  # type: ignore[index]


def test_empty_keywords_are_extracted_with_weights(dataset: Path, load: Loader) -> None:
    loaded = load(dataset)
    assert loaded.report.rejects == []
    # DEM-1 and ACH-1 have no keywords in the file.
    for nid in ("Demand:DEM-1", "Achievement:ACH-1"):
        mentions = loaded.targets(nid, "MENTIONS")
        assert 3 <= len(mentions) <= 8, mentions
        weights = [m["weight"] for m in mentions.values()]
        assert all(0 < w <= 1 for w in weights), weights
        assert max(weights) == 1.0
    dem1 = loaded.targets("Demand:DEM-1", "MENTIONS")
    # Domain terms (expert keywords) are kept whole and rank first.
    assert dem1["Keyword:重质碳酸钙"]["weight"] == 1.0
    assert dem1["Keyword:表面改性"]["weight"] == 1.0
    assert "Keyword:分散性" in dem1
    assert "Keyword:我公司" not in dem1 and "Keyword:需要" not in dem1
    # Given keywords are used as given, with weight 1.
    assert loaded.targets("Demand:DEM-3", "MENTIONS") == {
        "Keyword:轻量化": {"weight": 1.0},
        "Keyword:冲压工艺": {"weight": 1.0},
    }


def test_terms_from_other_files_stay_whole(dataset: Path, load: Loader) -> None:
    # A term only an expert names (and the generator never saw) found inside demand text.
    set_cells(dataset, "experts.csv", 2, keywords="碳酸钙表面改性;PLC控制系统")
    append_row(
        dataset,
        "demands.csv",
        **{
            **TEMPLATES["demands.csv"],
            "keywords": "",
            "title": "钙粉生产线改造",
            "description": "需要开展碳酸钙表面改性中试，并升级PLC控制系统，提高产品质量。",
        },
    )
    append_row(
        dataset,
        "achievements.csv",
        **{**TEMPLATES["achievements.csv"], "keywords": "", "title": "一种碳酸钙表面改性装置"},
    )
    loaded = load(dataset, seg=Segmenter())  # a fresh dictionary: only this data's terms
    assert loaded.report.rejects == []
    demand = loaded.targets("Demand:DEM-9", "MENTIONS")
    assert "Keyword:碳酸钙表面改性" in demand, demand
    assert "Keyword:plc控制系统" in demand, demand  # latin letters lower-cased
    assert not {"Keyword:碳酸钙", "Keyword:表面改性", "Keyword:改性"} & set(demand), demand
    assert all(0 < m["weight"] <= 1 for m in demand.values())
    achievement = loaded.targets("Achievement:ACH-9", "MENTIONS")
    assert "Keyword:碳酸钙表面改性" in achievement, achievement
    # one Keyword node, shared by the expert, the demand and the achievement
    assert set(loaded.targets("Keyword:碳酸钙表面改性", "MENTIONS", "in")) == {
        "Demand:DEM-9",
        "Achievement:ACH-9",
    }
    assert set(loaded.targets("Keyword:碳酸钙表面改性", "HAS_SKILL", "in")) == {"Expert:EXP-1"}


def test_keyword_lists_are_trimmed_deduplicated_and_lower_cased(
    dataset: Path, load: Loader
) -> None:
    set_cells(dataset, "experts.csv", 5, keywords=" 电池管理 ；BMS; bms ;;电池管理；")
    loaded = load(dataset, seg=Segmenter())
    assert loaded.report.rejects == []
    assert set(loaded.targets("Expert:EXP-4", "HAS_SKILL")) == {"Keyword:电池管理", "Keyword:bms"}
