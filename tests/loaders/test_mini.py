"""The untouched mini dataset, checked by hand: the baseline every other case compares with."""

from __future__ import annotations

from tests.loaders.conftest import MINI, MINI_ROWS, Loader


def test_mini_loads_as_written(load: Loader) -> None:
    loaded = load(MINI)
    report = loaded.report
    assert (report.rejects, report.warnings, report.aborted, report.version) == ([], [], None, 1)
    assert {f.file: (f.rows, f.loaded, f.rejected, f.error) for f in report.files} == {
        name: (n, n, 0, None) for name, n in MINI_ROWS.items()
    }
    counts = loaded.store.counts()
    keywords = counts.nodes.pop("Keyword")
    assert counts.nodes == {
        "City": 2,
        "County": 3,
        "Industry": 5,
        "Subgroup": 2,
        "Institution": 2,
        "Expert": 4,
        "Enterprise": 3,
        "Demand": 3,
        "Achievement": 3,
        "Training": 1,
    }
    assert keywords >= 12  # the distinct terms of the keyword columns, plus extracted ones
    mentions = counts.relationships.pop("MENTIONS")
    assert 7 + 2 * 3 <= mentions <= 7 + 2 * 8  # 7 given, 3 to 8 extracted for DEM-1 and ACH-1
    assert counts.relationships == {
        "IN_CITY": 3,
        "SUBCLASS_OF": 4,
        "COVERS": 3,
        "LOCATED_IN": 5,
        "AFFILIATED_WITH": 4,
        "BASED_IN": 4,
        "MEMBER_OF": 5,
        "EXPERT_IN": 5,
        "HAS_SKILL": 10,
        "IN_INDUSTRY": 3,
        "POSTED": 3,
        "CONCERNS": 3,
        "OWNS": 5,
        "APPLIES_TO": 3,
        "HELD_IN": 1,
        "SERVED": 3,
        "ADDRESSED": 2,
        "PAIRED_WITH": 1,
        "DEAL": 4,
        "COLLABORATES_WITH": 2,
        "ATTENDED": 2,
    }


def test_mini_values_are_typed_and_defaulted(load: Loader) -> None:
    loaded = load(MINI)
    assert loaded.node("Enterprise:ENT-1") == {
        "key": "ENT-1",
        "name": "贺州市华鑫新材料有限公司",
        "credit_code": "91451100MA5K00000P",
        "size": "small",
        "high_tech": True,
        "benchmark": True,
        "rd_staff": 12,
        "rd_platform": True,
        "rd_spend_wan": 150.5,
        "founded_year": 2012,
    }
    assert loaded.node("Expert:EXP-4") == {
        "key": "EXP-4",
        "name": "陈静",
        "title": "研究员",
        "commissioner": False,
        "capacity": 3,  # the default
    }
    assert loaded.node("Demand:DEM-1")["status"] == "open"  # type: ignore[index]
    assert loaded.node("Industry:C") == {"code": "C", "name": "制造业", "tags": []}
    assert loaded.node("County:451102")["poverty_county"] is False  # type: ignore[index]
    # A demand without industry codes concerns its enterprise's industries.
    assert set(loaded.targets("Demand:DEM-1", "CONCERNS")) == {"Industry:309"}
    assert set(loaded.targets("Demand:DEM-3", "CONCERNS")) == {"Industry:367"}
    assert loaded.targets("Expert:EXP-3", "SERVED") == {
        "Enterprise:ENT-3": {
            "role": "team",
            "start_on": "2023-12-01",
            "rating": 4,
            "outcome": "ongoing",
            "demand_key": "DEM-3",
        }
    }
    assert loaded.targets("Expert:EXP-3", "ADDRESSED") == {
        "Demand:DEM-3": {"rating": 4, "outcome": "ongoing"}
    }
    assert loaded.targets("Enterprise:ENT-1", "DEAL") == {
        "Achievement:ACH-1": {
            "key": "DEAL-1",
            "stage": "contract",
            "amount_wan": 30.0,
            "signed_on": "2023-03-01",
        },
        "Expert:EXP-2": {
            "key": "DEAL-1",
            "stage": "contract",
            "amount_wan": 30.0,
            "signed_on": "2023-03-01",
        },
    }
    assert set(loaded.targets("Achievement:ACH-1", "OWNS", "in")) == {
        "Expert:EXP-2",
        "Institution:INST-HZXY",
    }
    assert loaded.targets("Expert:EXP-1", "COLLABORATES_WITH") == {
        "Expert:EXP-2": {"kind": "coauthor", "count": 3, "since": "2019-01-01"}
    }
