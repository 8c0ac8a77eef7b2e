"""The demo dataset generator: determinism, the DATA_FORMAT.md contract, the headline numbers
of the Guangxi dataset, and the hidden fit behind its service records."""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from graphsvc import reference as ref
from graphsvc.loaders.demo import generate, org_code_check_char, uscc
from graphsvc.loaders.validate import RowValidator, uscc_check_char
from graphsvc.ontology import LABELS, NODE_FILES, REL_FILES

Rows = list[dict[str, str]]
FILE_OF_LABEL = {f.label: f.name for f in NODE_FILES.values()}
REFERENCE_FILES = ("cities", "counties", "industries", "subgroups", "institutions")


def _read(folder: Path, name: str) -> Rows:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _load(folder: Path) -> dict[str, Rows]:
    return {p.stem: _read(folder, p.stem) for p in sorted(folder.glob("*.csv"))}


def _items(cell: str) -> list[str]:
    return [x for x in cell.split(";") if x]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rows]:
    folder = tmp_path_factory.mktemp("tiny")
    generate(folder, seed=11, scale=0.02)
    return _load(folder)


@pytest.fixture(scope="module")
def guangxi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rows]:
    folder = tmp_path_factory.mktemp("guangxi")
    counts = generate(folder)
    data = _load(folder)
    assert counts == {name + ".csv": len(rows) for name, rows in data.items()}
    return data


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, seed=5, scale=0.05)
    generate(b, seed=5, scale=0.05)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and len(names) == 15
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_another_seed_gives_another_population_on_the_same_reference(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, seed=5, scale=0.05)
    generate(b, seed=6, scale=0.05)
    for name in REFERENCE_FILES:
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes()
    for name in ("experts", "enterprises", "demands", "service_records", "deals"):
        assert (a / f"{name}.csv").read_bytes() != (b / f"{name}.csv").read_bytes(), name


def test_progress_hears_of_every_file_and_scale_must_be_positive(tmp_path: Path) -> None:
    heard: list[tuple[str, int]] = []
    counts = generate(tmp_path, seed=1, scale=0.01, progress=lambda f, n: heard.append((f, n)))
    assert dict(heard) == counts and len(heard) == 15
    with pytest.raises(ValueError, match="positive"):
        generate(tmp_path, scale=0)


def test_credit_codes_follow_gb_32100() -> None:
    # The example code of GB 32100-2015: 91350100M000100Y43.
    assert org_code_check_char("M000100Y") == "4"
    assert uscc_check_char("91350100M000100Y4") == "3"
    rng = random.Random(3)
    for _ in range(200):
        code = uscc("450103", rng, category="3")
        assert code.startswith("93450103") and len(code) == 18
        assert org_code_check_char(code[8:16]) == code[16]
        assert uscc_check_char(code[:17]) == code[17]


# -- the contract, on a tiny dataset ------------------------------------------------------------


def test_tiny_dataset_is_scaled_down_but_complete(tiny: dict[str, Rows]) -> None:
    assert set(tiny) == set(NODE_FILES) | set(REL_FILES)
    assert len(tiny["cities"]) == 14 and len(tiny["counties"]) == 111
    assert len(tiny["institutions"]) == 57
    assert len(tiny["experts"]) == 70 and len(tiny["enterprises"]) == 100
    assert sum(r["benchmark"] == "true" for r in tiny["enterprises"]) == 20
    assert len(tiny["deals"]) == 1 + 2 and len(tiny["trainings"]) == 6
    assert sum(Decimal(r["amount_wan"]) for r in tiny["deals"]) == Decimal(332)


def test_every_row_is_valid_and_every_column_declared(tiny: dict[str, Rows]) -> None:
    for name, rows in tiny.items():
        spec = NODE_FILES.get(name) or REL_FILES[name]
        columns = spec.columns
        assert set(rows[0]) <= {c.name for c in columns}, name  # no unknown columns
        validator = RowValidator(columns)
        for line, row in enumerate(rows, start=2):
            _, problems = validator.validate(dict(row))
            assert not problems, (name, line, problems)


def test_keys_are_unique(tiny: dict[str, Rows]) -> None:
    for name, spec in NODE_FILES.items():
        key = LABELS[spec.label].key
        keys = [r[key] for r in tiny[name]]
        assert len(set(keys)) == len(keys), name
    for name, rel in REL_FILES.items():
        identities = [tuple(r[c] for c in rel.identity or (rel.key or "",)) for r in tiny[name]]
        assert len(set(identities)) == len(identities), name
    deal_keys = [r["key"] for r in tiny["deals"]]
    assert len(set(deal_keys)) == len(deal_keys)


def test_every_reference_resolves(tiny: dict[str, Rows]) -> None:
    keys = {
        spec.label: {r[LABELS[spec.label].key] for r in tiny[name]}
        for name, spec in NODE_FILES.items()
    }
    checked = 0
    for name, spec in NODE_FILES.items():
        for ref_ in spec.refs:
            if ref_.keyword:
                continue
            for row in tiny[name]:
                for value in _items(row.get(ref_.column, "")):
                    assert value in keys[ref_.target], (name, ref_.column, value)
                    checked += 1
    for name, rel in REL_FILES.items():
        for edge in rel.edges:
            for row in tiny[name]:
                for column, label in (
                    (edge.source_column, edge.source_label),
                    (edge.target_column, edge.target_label),
                ):
                    if row[column]:
                        assert row[column] in keys[label], (name, column, row[column])
                        checked += 1
    assert checked > 2000


def test_relationship_rows_make_sense(tiny: dict[str, Rows]) -> None:
    demands = {r["key"]: r for r in tiny["demands"]}
    for r in tiny["service_records"]:
        assert (r["end_on"] == "") == (r["outcome"] == "ongoing"), r
        assert not r["end_on"] or r["end_on"] >= r["start_on"]
        if r["demand_key"]:
            demand = demands[r["demand_key"]]
            assert demand["enterprise_key"] == r["enterprise_key"]
            assert r["start_on"] > demand["posted_on"]
    for r in tiny["collaborations"]:
        assert r["expert_key_a"] < r["expert_key_b"]
    pairs = [(r["expert_key_a"], r["expert_key_b"]) for r in tiny["collaborations"]]
    assert len(set(pairs)) == len(pairs)
    for r in tiny["deals"]:
        assert r["achievement_key"] or r["expert_key"] or r["institution_key"]
    per_training = Counter[str]()
    for r in tiny["training_attendance"]:
        per_training[r["training_key"]] += int(r["attendees"])
    assert {r["key"]: int(r["attendees"]) for r in tiny["trainings"]} == per_training


# -- the Guangxi dataset (scale 1) ---------------------------------------------------------------


@pytest.mark.slow
def test_headline_counts(guangxi: dict[str, Rows]) -> None:
    assert len(guangxi["experts"]) == 3500
    assert len(guangxi["enterprises"]) == 5000
    assert sum(r["benchmark"] == "true" for r in guangxi["enterprises"]) == 1000
    assert len(guangxi["demands"]) == 3000
    assert len(guangxi["achievements"]) == 4000
    assert 6000 <= len(guangxi["service_records"]) <= 9000
    assert len(guangxi["trainings"]) == 310
    stages = Counter(r["stage"] for r in guangxi["deals"])
    assert stages == {"intention": 66, "contract": 122}
    assert sum(Decimal(r["amount_wan"]) for r in guangxi["deals"]) == Decimal(16600)
    attendees = sum(int(r["attendees"]) for r in guangxi["training_attendance"])
    assert 27000 <= attendees <= 33000
    benchmarks = sum(r["benchmark"] == "true" for r in guangxi["enterprises"])
    paired = {r["enterprise_key"] for r in guangxi["pairings"]}
    assert 0.35 <= len(paired) / benchmarks <= 0.45


@pytest.mark.slow
def test_population_shares(guangxi: dict[str, Rows]) -> None:
    experts, enterprises = guangxi["experts"], guangxi["enterprises"]
    commissioners = [r for r in experts if r["commissioner"] == "true"]
    assert 0.2 <= len(commissioners) / len(experts) <= 0.3
    assert all(2 <= int(r["capacity"]) <= 5 for r in commissioners)
    assert sum(r["institution_key"] == "" for r in experts) < 0.1 * len(experts)

    def three_no(r: dict[str, str]) -> bool:
        return r["rd_staff"] == "0" and r["rd_platform"] == "false" and r["rd_spend_wan"] == "0.0"

    assert 0.15 <= sum(map(three_no, enterprises)) / len(enterprises) <= 0.2
    benchmarks = [r for r in enterprises if r["benchmark"] == "true"]
    assert sum(map(three_no, benchmarks)) / len(benchmarks) < 0.08

    for name in ("demands", "achievements"):
        empty = sum(r["keywords"] == "" for r in guangxi[name]) / len(guangxi[name])
        assert 0.35 <= empty <= 0.45, name
    status = Counter(r["status"] for r in guangxi["demands"])
    assert 0.4 <= status["open"] / 3000 <= 0.5 and min(status.values()) > 150
    solved_demands = {r["key"] for r in guangxi["demands"] if r["status"] == "solved"}
    solved_records = {
        r["demand_key"] for r in guangxi["service_records"] if r["outcome"] == "solved"
    }
    assert solved_demands <= solved_records


@pytest.mark.slow
def test_enterprises_cluster_where_the_industries_are(guangxi: dict[str, Rows]) -> None:
    cities: dict[str, Counter[str]] = defaultdict(Counter)
    for r in guangxi["enterprises"]:
        cities[_items(r["industry_codes"])[0]][r["county_code"][:4] + "00"] += 1

    def share(code: str, *where: str) -> float:
        return sum(cities[code][c] for c in where) / sum(cities[code].values())

    assert share("3099", "451100", "451300") > 0.5  # calcium carbonate: Hezhou, Laibin
    assert share("367", "450200") > 0.4  # auto parts: Liuzhou
    assert share("3216", "451000") > 0.5  # aluminium: Baise
    assert share("134", "451400", "451300") > 0.5  # sugar: Chongzuo, Laibin
    assert share("0411", "450500", "450600", "450700") > 0.7  # mariculture: the coast


@pytest.mark.slow
def test_site_trainings_are_held_at_the_sites(guangxi: dict[str, Rows]) -> None:
    sites = {s.name: s.city_code for s in ref.training_sites()}
    kinds = Counter(r["kind"] for r in guangxi["trainings"])
    assert kinds == {"class": 140, "base_visit": 50, "study_point": 70, "online": 50}
    for r in guangxi["trainings"]:
        if r["kind"] in ("base_visit", "study_point"):
            assert r["organizer"] in sites and r["organizer"] in r["title"]
            assert r["city_code"] == sites[r["organizer"]]
        elif r["kind"] == "online":
            assert r["city_code"] == ""


def _overlap(expert: dict[str, str], demand: dict[str, str], enterprise: dict[str, str]) -> int:
    """Industries the expert shares with the demand, plus the expert's keywords in its text."""
    industries = set(_items(demand["industry_codes"] or enterprise["industry_codes"]))
    text = demand["title"] + demand["description"]
    shared = industries & set(_items(expert["industry_codes"]))
    return len(shared) + sum(k in text for k in _items(expert["keywords"]))


@pytest.mark.slow
def test_the_serving_expert_fits_the_demand_better_than_a_random_one(
    guangxi: dict[str, Rows],
) -> None:
    experts = {r["key"]: r for r in guangxi["experts"]}
    demands = {r["key"]: r for r in guangxi["demands"]}
    enterprises = {r["key"]: r for r in guangxi["enterprises"]}
    rng = random.Random(0)
    keys = sorted(experts)
    serving: list[int] = []
    random_: list[int] = []
    by_fit: dict[bool, list[int]] = {True: [], False: []}
    keywords_in_text: list[float] = []
    for r in guangxi["service_records"]:
        if not r["demand_key"] or r["outcome"] != "solved":
            continue
        demand = demands[r["demand_key"]]
        enterprise = enterprises[demand["enterprise_key"]]
        expert = experts[r["expert_key"]]
        serving.append(_overlap(expert, demand, enterprise))
        random_.append(_overlap(experts[rng.choice(keys)], demand, enterprise))
        if serving[-1] >= 3 or serving[-1] == 0:
            by_fit[serving[-1] >= 3].append(int(r["rating"]))
        keywords = _items(expert["keywords"])
        keywords_in_text.append(sum(k in demand["description"] for k in keywords) / len(keywords))
    assert len(serving) > 500
    assert sum(serving) > 10 * sum(random_) and sum(serving) / len(serving) > 1.5
    # ...but the text signal is partial: most of the expert's keywords are not in the text,
    assert sum(keywords_in_text) / len(keywords_in_text) < 0.5
    # and ratings rise with the fit.
    good, poor = by_fit[True], by_fit[False]
    assert sum(good) / len(good) > sum(poor) / len(poor) + 1


@pytest.mark.slow
def test_popularity_does_not_recover_the_fit(guangxi: dict[str, Rows]) -> None:
    records = guangxi["service_records"]
    activity = Counter(r["expert_key"] for r in records)
    assert activity.most_common(1)[0][1] >= 5 * len(records) / len(activity)  # heavy tail
    top20 = {k for k, _ in activity.most_common(20)}
    solved = [r for r in records if r["outcome"] == "solved"]
    assert sum(r["expert_key"] in top20 for r in solved) < 0.2 * len(solved)
    on_demands = [r for r in solved if r["demand_key"]]
    top10 = {k for k, _ in activity.most_common(10)}
    assert sum(r["expert_key"] in top10 for r in on_demands) < 0.1 * len(on_demands)
