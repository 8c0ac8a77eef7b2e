"""The Guangxi reference data shipped in graphsvc/reference."""

from __future__ import annotations

import importlib.util
import re
import string
from collections import Counter
from pathlib import Path

from graphsvc import reference as ref

ROOT = Path(__file__).resolve().parent.parent
LON = (104.0, 112.1)  # Guangxi's bounding box
LAT = (20.9, 26.4)


def test_fourteen_cities_with_codes_and_seats_in_guangxi() -> None:
    cities = ref.cities()
    assert len(cities) == 14
    assert [c.code for c in cities] == [f"45{n:02d}00" for n in range(1, 15)]
    assert cities[0].name == "南宁市" and cities[-1].name == "崇左市"
    assert all(c.name.endswith("市") for c in cities)
    for c in cities:
        assert LON[0] <= c.longitude <= LON[1] and LAT[0] <= c.latitude <= LAT[1], c


def test_111_counties_each_in_an_existing_city() -> None:
    counties = ref.counties()
    cities = {c.code: c for c in ref.cities()}
    assert len(counties) == 111
    assert len({k.code for k in counties}) == 111
    for k in counties:
        assert re.fullmatch(r"45\d{4}", k.code), k
        assert k.city_code in cities and k.code[:4] == k.city_code[:4], k
        assert k.kind in {"市辖区", "县", "自治县", "县级市"}, k
        assert LON[0] <= k.longitude <= LON[1] and LAT[0] <= k.latitude <= LAT[1], k
        city = cities[k.city_code]
        if k.coord_source == "city":  # no coordinates of its own: the city's, and it says so
            assert (k.longitude, k.latitude) == (city.longitude, city.latitude)
        else:
            assert k.coord_source == "county"
    assert Counter(k.coord_source for k in counties)["county"] >= 100
    assert Counter(k.city_code for k in counties)["450300"] == 17  # Guilin


def test_the_28_national_key_poverty_counties_of_2012() -> None:
    poor = {k.name for k in ref.counties() if k.poverty_county}
    assert len(poor) == 28
    assert {"隆安县", "三江侗族自治县", "靖西市", "都安瑶族自治县", "龙州县", "天等县"} <= poor
    assert "资源县" not in poor and "青秀区" not in poor


def test_industries_form_a_gbt_4754_tree() -> None:
    industries = ref.industries()
    by_code = {i.code: i for i in industries}
    assert len(by_code) == len(industries)
    assert 80 <= len(industries) <= 150
    sections = [i for i in industries if not i.parent_code]
    assert [s.code for s in sections] == list("ABCDEFGHIJKLMNOPQRST")
    for i in industries:
        assert re.fullmatch(r"[A-T]|\d{2,4}", i.code), i
        if i.parent_code:
            parent = by_code[i.parent_code]  # every parent exists
            if len(i.code) == 2:
                assert parent.code.isalpha()
            else:
                assert i.code.startswith(parent.code) and len(parent.code) < len(i.code), i
        assert all(tag and ";" not in tag for tag in i.tags)
    official = {
        "C": "制造业",
        "13": "农副食品加工业",
        "134": "制糖业",
        "0153": "柑橘类种植",
        "3099": "其他非金属矿物制品制造",
        "3216": "铝冶炼",
        "3841": "锂离子电池制造",
        "274": "中成药生产",
        "6513": "应用软件开发",
    }
    assert {code: by_code[code].name for code in official} == official


def test_six_subgroups_cover_existing_industries() -> None:
    subgroups = ref.subgroups()
    codes = {i.code for i in ref.industries()}
    assert [s.name for s in subgroups] == [
        "科技创新",
        "农林渔牧",
        "区域经济",
        "文化教育",
        "健康卫生",
        "生态资源",
    ]
    assert len({s.key for s in subgroups}) == 6
    for s in subgroups:
        assert s.key.isascii() and s.industry_codes
        assert set(s.industry_codes) <= codes, s


def test_57_institutions_with_unique_names_valid_kinds_and_cities() -> None:
    institutions = ref.institutions()
    cities = {c.code for c in ref.cities()}
    vocabulary = {t.industry_code for t in ref.vocabulary()}
    assert len(institutions) == 57
    assert len({i.key for i in institutions}) == 57
    assert len({i.name for i in institutions}) == 57
    kinds = {"university", "institute", "rnd_institution", "enterprise_lab", "service_platform"}
    for inst in institutions:
        assert inst.key.isascii() and inst.kind in kinds and inst.city_code in cities, inst
        assert inst.size in {"small", "medium", "large"}, inst
        assert inst.expertise and set(inst.expertise) <= vocabulary, inst
    by_name = {i.name: i for i in institutions}
    assert by_name["广西大学"].city_code == "450100"
    assert by_name["桂林电子科技大学"].city_code == "450300"
    assert by_name["广西科技大学"].city_code == "450200"
    assert by_name["北部湾大学"].city_code == "450700"
    assert "274" in by_name["广西中医药大学"].expertise
    assert {"3612", "367"} <= set(by_name["广西科技大学"].expertise)


def test_vocabularies_are_real_terms_of_existing_industries() -> None:
    terms = ref.vocabulary()
    codes = {i.code for i in ref.industries()}
    per_industry = Counter(t.industry_code for t in terms)
    assert set(per_industry) <= codes
    assert all(15 <= n <= 40 for n in per_industry.values()), per_industry
    assert len({(t.industry_code, t.term) for t in terms}) == len(terms)
    for t in terms:
        assert len(t.term) >= 2 and not re.search(r"[\s;；,，]", t.term), t
        assert t.topic >= 1
    topics = Counter((t.industry_code, t.topic) for t in terms)
    assert all(n >= 2 for n in topics.values()), topics  # a demand draws two terms of a topic
    by_industry = {t.term for t in terms if t.industry_code == "3099"}
    assert {"重质碳酸钙", "表面改性", "白度", "填充母粒"} <= by_industry


def test_training_sites_are_three_bases_and_fifteen_study_points() -> None:
    sites = ref.training_sites()
    assert Counter(s.kind for s in sites) == {"base": 3, "study_point": 15}
    assert {s.city_code for s in sites} == {"450100", "450300", "450500"}
    assert len({s.key for s in sites}) == len({s.name for s in sites}) == 18
    vocabulary = {t.industry_code for t in ref.vocabulary()}
    assert all(s.industry_codes and set(s.industry_codes) <= vocabulary for s in sites)


def _slots(templates: dict[str, tuple[str, ...]]) -> set[str]:
    return {
        field
        for lines in templates.values()
        for line in lines
        for _, field, _, _ in string.Formatter().parse(line)
        if field is not None
    }


def test_templates_have_their_sections_and_known_slots() -> None:
    demand = dict(ref.demand_templates())
    assert set(demand) == {"title", "description"}
    assert _slots(demand) <= {"t1", "t2", "t3", "industry", "place", "months"}
    achievement = dict(ref.achievement_templates())
    kinds = {"patent", "software", "variety", "standard", "technique", "other"}
    assert set(achievement) == kinds | {"description"}
    assert _slots(achievement) <= {"t1", "t2", "t3", "industry", "crop", "n"}
    training = dict(ref.training_templates())
    assert set(training) == {"class", "online", "base_visit", "study_point"}
    assert _slots(training) <= {"term", "industry", "site", "city"}
    assert all(all(lines) for lines in (*demand.values(), *achievement.values()))


def test_readers_return_immutable_cached_data() -> None:
    assert ref.cities() is ref.cities()
    assert isinstance(ref.vocabulary(), tuple)


def test_divisions_files_match_what_the_build_script_derives() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_reference", ROOT / "scripts/build_reference.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for name, text in script.build().items():
        assert (ROOT / "graphsvc/reference" / name).read_text(encoding="utf-8") == text, name
