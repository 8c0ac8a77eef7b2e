"""Loading is an upsert by key: the same folder twice gives the same graph, and a changed row
replaces its relationships instead of adding to them."""

from __future__ import annotations

from pathlib import Path

from tests.loaders.conftest import (
    MINI,
    Loader,
    State,
    append_row,
    read_rows,
    set_cells,
    write_rows,
)
from tests.loaders.test_values import TEMPLATES


def linked_only(state: State) -> State:
    """Without Keyword nodes that no relationship uses any more."""
    return state.without()


def test_loading_twice_gives_the_same_graph(load: Loader) -> None:
    first = load(MINI)
    before = first.state()
    assert first.store.version == 1
    second = load(MINI, first.store)
    assert second.report.rejects == [] and second.report.version == 2
    second.state().assert_equal(before)
    assert {f.file: f.loaded for f in second.report.files} == {
        f.file: f.loaded for f in first.report.files
    }


def test_loading_a_dataset_with_rejects_twice_gives_the_same_graph(
    dataset: Path, load: Loader
) -> None:
    set_cells(dataset, "enterprises.csv", 3, county_code="459999")
    append_row(dataset, "experts.csv", **{**TEMPLATES["experts.csv"], "capacity": "x"})
    append_row(dataset, "industries.csv", code="3091", name="石墨", parent_code="309")
    first = load(dataset)
    before = first.state()
    second = load(dataset, first.store)
    assert second.report.rejects == first.report.rejects
    second.state().assert_equal(before)


def test_changed_rows_replace_their_relationships(dataset: Path, load: Loader) -> None:
    first = load(MINI)
    set_cells(dataset, "experts.csv", 4, institution_key="INST-HZXY")  # EXP-3 moves
    set_cells(dataset, "experts.csv", 2, subgroup_keys="SG-STZY", keywords="超细粉碎")  # EXP-1
    set_cells(dataset, "experts.csv", 5, city_code="", industry_codes="36")  # EXP-4
    set_cells(dataset, "demands.csv", 4, keywords="高强钢；模具", enterprise_key="ENT-1")
    set_cells(dataset, "demands.csv", 2, title="石粉除尘", description="石粉超细粉碎与除尘改造")
    set_cells(dataset, "enterprises.csv", 3, industry_codes="30", county_code="451102")
    set_cells(dataset, "achievements.csv", 2, owner_institution_key="")  # ACH-1
    set_cells(dataset, "industries.csv", 6, parent_code="C")  # 367 moves under C
    set_cells(dataset, "subgroups.csv", 2, industry_codes="")
    set_cells(dataset, "counties.csv", 3, poverty_county="是")
    second = load(dataset, first.store)
    assert second.report.rejects == []

    assert second.targets("Expert:EXP-3", "AFFILIATED_WITH") == {"Institution:INST-HZXY": {}}
    assert set(second.targets("Expert:EXP-1", "MEMBER_OF")) == {"Subgroup:SG-STZY"}
    assert set(second.targets("Expert:EXP-1", "HAS_SKILL")) == {"Keyword:超细粉碎"}
    assert second.targets("Expert:EXP-4", "BASED_IN") == {}
    assert set(second.targets("Expert:EXP-4", "EXPERT_IN")) == {"Industry:36"}
    assert set(second.targets("Demand:DEM-3", "MENTIONS")) == {"Keyword:高强钢", "Keyword:模具"}
    assert set(second.targets("Demand:DEM-3", "POSTED", "in")) == {"Enterprise:ENT-1"}
    assert "Keyword:除尘" in second.targets("Demand:DEM-1", "MENTIONS")
    assert "Keyword:重质碳酸钙" not in second.targets("Demand:DEM-1", "MENTIONS")
    assert set(second.targets("Enterprise:ENT-2", "IN_INDUSTRY")) == {"Industry:30"}
    assert set(second.targets("Enterprise:ENT-2", "LOCATED_IN")) == {"County:451102"}
    assert set(second.targets("Achievement:ACH-1", "OWNS", "in")) == {"Expert:EXP-2"}
    assert set(second.targets("Industry:367", "SUBCLASS_OF")) == {"Industry:C"}
    assert second.targets("Subgroup:SG-KJCX", "COVERS") == {}
    # Relationships from other files at the changed nodes are untouched.
    assert set(second.targets("Expert:EXP-3", "SERVED")) == {"Enterprise:ENT-3"}
    assert set(second.targets("Enterprise:ENT-2", "ATTENDED")) == {"Training:TRN-1"}

    # The same as loading the changed folder into an empty store, except for keywords
    # that nothing mentions any more.
    fresh = load(dataset)
    linked_only(second.state()).assert_equal(fresh.state())


def test_reloading_one_file_keeps_what_other_files_made(load: Loader, tmp_path: Path) -> None:
    first = load(MINI)
    before = first.state()
    for name in ("experts.csv", "enterprises.csv", "demands.csv", "industries.csv"):
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        (folder / name).write_bytes((MINI / name).read_bytes())
        again = load(folder, first.store)
        assert again.report.rejects == [], name
        again.state().assert_equal(before)


def test_later_load_refers_to_stored_nodes(load: Loader, tmp_path: Path) -> None:
    first = load(MINI)
    folder = tmp_path / "more"
    folder.mkdir()
    write_rows(
        folder,
        "demands.csv",
        ["key", "enterprise_key", "title", "keywords"],
        [["DEM-9", "ENT-3", "冲压模具寿命", "模具"], ["DEM-10", "ENT-404", "x", ""]],
    )
    write_rows(
        folder,
        "service_records.csv",
        ["expert_key", "enterprise_key", "role", "start_on", "demand_key"],
        [["EXP-4", "ENT-3", "visit", "2024-07-01", "DEM-9"]],
    )
    again = load(folder, first.store)
    assert [(r.file, r.line, r.column) for r in again.report.rejects] == [
        ("demands.csv", 3, "enterprise_key")
    ]
    # industry codes default to the stored enterprise's
    assert set(again.targets("Demand:DEM-9", "CONCERNS")) == {"Industry:367"}
    assert set(again.targets("Expert:EXP-4", "ADDRESSED")) == {"Demand:DEM-9"}
    assert first.store.counts().nodes["Demand"] == 4


def test_changed_deal_replaces_its_counterparties(dataset: Path, load: Loader) -> None:
    first = load(MINI)
    header, rows = read_rows(dataset, "deals.csv")
    rows[0].update(achievement_key="ACH-3", expert_key="", stage="contract")  # DEAL-1
    rows[1].update(enterprise_key="ENT-2")  # DEAL-2 changes hands
    write_rows(dataset, "deals.csv", header, rows)
    second = load(dataset, first.store)
    assert second.report.rejects == []
    deals = {
        (u, v): d["stage"]
        for u, v, k, d in second.store.view().edges(keys=True, data=True)
        if k.startswith("DEAL|")
    }
    assert deals == {
        ("Enterprise:ENT-1", "Achievement:ACH-3"): "contract",
        ("Enterprise:ENT-2", "Achievement:ACH-2"): "intention",
        ("Enterprise:ENT-2", "Institution:INST-GXKJ"): "intention",
    }
    linked_only(second.state()).assert_equal(load(dataset).state())


def test_changed_service_record_replaces_the_demand_it_addressed(
    dataset: Path, load: Loader
) -> None:
    first = load(MINI)
    set_cells(dataset, "service_records.csv", 2, demand_key="", rating="3")  # was DEM-2
    set_cells(dataset, "service_records.csv", 4, demand_key="DEM-1")  # was none
    second = load(dataset, first.store)
    assert second.report.rejects == []
    assert set(second.targets("Expert:EXP-1", "ADDRESSED")) == {"Demand:DEM-1"}
    linked_only(second.state()).assert_equal(load(dataset).state())
