"""The Guangxi demo dataset: real reference data and a deterministic synthetic population.

`generate` writes a dataset folder in the DATA_FORMAT.md format. Cities, counties, industries,
subgroups and institutions come from `graphsvc.reference`; experts, enterprises, demands,
achievements, service records, pairings, deals, collaborations and trainings are synthetic,
drawn from one `random.Random` stream per file seeded from `seed`, so the same seed and scale
give byte-identical files. Rows are streamed to the files; only the few attributes later
files refer to are kept, in compact arrays.

The service records follow a hidden fit. Every expert, enterprise and demand has a latent
topic (an industry and one of its vocabulary topics) and a city; the expert who serves a
demand is drawn among candidates with a probability rising steeply with the fit (same
industry, same topic, shared terms, nearby city), weighted by a heavy-tailed activity that is
independent of the fit, and with some pure noise. So popularity alone does not recover who
serves whom. Demand texts and expert keywords draw different words of the same topic: the
text signal is partial, as in real data.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     counts = generate(Path(tmp), seed=7, scale=0.01)
>>> counts["cities.csv"], counts["experts.csv"], counts["deals.csv"]
(14, 35, 2)
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from graphsvc import reference as ref
from graphsvc.loaders.validate import uscc_check_char

__all__ = ["BASE_COUNTS", "DEAL_TOTAL_WAN", "generate", "org_code_check_char", "uscc"]

Progress = Callable[[str, int], None]

# Populations at scale 1 (the "Guangxi" dataset); `scale` multiplies each of them.
BASE_COUNTS: dict[str, int] = {
    "experts": 3500,
    "enterprises": 5000,
    "benchmark": 1000,
    "demands": 3000,
    "achievements": 4000,
    "visits": 5600,  # service records not tied to a demand
    "trainings": 310,
    "intentions": 66,
    "contracts": 122,
}
DEAL_TOTAL_WAN = 16600  # the deals' amounts sum to exactly this times the scale (万元)

_FIRST = dt.date(2021, 1, 1).toordinal()  # the programme's records start here...
_LAST = dt.date(2025, 12, 31).toordinal()  # ...and end here


def _weighted(spec: str) -> tuple[tuple[str, float], ...]:
    """`"a:3 b:1"` as `(("a", 3.0), ("b", 1.0))`."""
    return tuple((v, float(w)) for v, w in (item.rsplit(":", 1) for item in spec.split()))


def _table(spec: str) -> dict[str, tuple[str, ...]]:
    """`"k:a,b k2:c"` as `{"k": ("a", "b"), "k2": ("c",)}`."""
    return {k: tuple(v.split(",")) for k, v in (item.split(":", 1) for item in spec.split())}


# City codes in code order: 450100 南宁 ... 451400 崇左.
NN, LZ, GL, WZ, BH, FCG, QZ, GG, YL, BS, HZ, HC, LB, CZ = (f"45{n:02d}00" for n in range(1, 15))

# Per industry of the vocabulary: its share of the enterprises, where they cluster (city
# weights; other cities get _ELSEWHERE) and the business words of their names. The clusters
# follow the province's industrial geography: calcium carbonate around Hezhou and Laibin,
# automobiles and machinery in Liuzhou and Yulin, aluminium in Baise, sugar in Chongzuo and
# Laibin, fisheries on the Beibu Gulf coast, Liupao tea in Wuzhou...
_ELSEWHERE = 0.25
_PROFILES: dict[str, tuple[float, dict[str, float], tuple[str, ...]]] = {
    "0111": (
        3.0,
        {NN: 2, GG: 3, YL: 2, GL: 1.5, LB: 1},
        ("农业科技", "米业", "粮食种植专业合作社"),
    ),
    "0133": (5.0, {CZ: 5, LB: 3, NN: 2.5, BS: 1.5, HC: 1}, ("农业发展", "甘蔗种植专业合作社")),
    "0142": (2.0, {HC: 2, YL: 2, GG: 1.5, NN: 1}, ("食用菌", "菌业", "生物科技")),
    "0152": (2.0, {GL: 3, NN: 2, LZ: 1}, ("果业", "葡萄种植专业合作社", "农业科技")),
    "0153": (5.0, {GL: 4, NN: 3, HZ: 2.5, WZ: 1.5, LZ: 1.5}, ("果业", "柑橘种植专业合作社")),
    "0154": (4.0, {BS: 3, NN: 2.5, QZ: 2.5, YL: 2, BH: 1}, ("果业", "水果种植专业合作社")),
    "0162": (2.5, {HC: 2.5, LZ: 2, BS: 2, WZ: 1.5, HZ: 1.5}, ("油茶", "林业开发", "茶油")),
    "0163": (2.0, {WZ: 3, FCG: 3, BS: 2, YL: 1.5}, ("香料", "林产品", "八角肉桂")),
    "0164": (2.5, {WZ: 3, HZ: 2.5, GL: 2, LZ: 1.5, BS: 1.5}, ("茶业", "茶叶种植专业合作社")),
    "0171": (2.5, {YL: 3, BS: 2.5, GL: 2.5, HC: 1.5, NN: 1}, ("中药材", "药材种植专业合作社")),
    "0212": (2.0, {NN: 2, QZ: 1.5, CZ: 1.5, GG: 1.5, HC: 1, WZ: 1}, ("林业", "苗木", "林业发展")),
    "0313": (3.0, {GG: 3, YL: 3, NN: 2, HC: 1}, ("畜牧", "生猪养殖", "农牧")),
    "0321": (2.5, {YL: 3.5, NN: 2, GG: 2}, ("禽业", "养殖", "农牧")),
    "0411": (3.0, {BH: 4, QZ: 3, FCG: 3}, ("海洋渔业", "水产", "海产养殖")),
    "0412": (2.0, {NN: 2, GG: 2, LZ: 1.5, GL: 1, YL: 1}, ("水产养殖", "渔业", "生态养殖")),
    "134": (3.0, {CZ: 5, LB: 3, NN: 2, BS: 1, HC: 0.8}, ("糖业", "制糖")),
    "136": (2.0, {BH: 4, QZ: 2.5, FCG: 2.5}, ("海洋食品", "水产品加工", "食品")),
    "1373": (2.5, {BS: 2.5, GL: 2, NN: 2, QZ: 1.5, YL: 1.5}, ("食品", "果蔬加工", "农产品加工")),
    "1431": (2.5, {LZ: 5, GL: 3, NN: 1.5}, ("食品", "螺蛳粉", "米粉")),
    "153": (1.5, {WZ: 4, HZ: 1.5, GL: 1, LZ: 1}, ("茶业", "茶叶", "六堡茶")),
    "1741": (1.5, {HC: 4, LB: 2, NN: 1.5, BS: 1}, ("茧丝绸", "丝绸", "缫丝")),
    "2021": (3.0, {GG: 3, NN: 2.5, WZ: 2, CZ: 1.5, LB: 1.5, HC: 1}, ("木业", "板业", "人造板")),
    "211": (2.0, {WZ: 2, CZ: 2, GG: 1.5, NN: 1.5, YL: 1}, ("家具", "木业", "红木家具")),
    "222": (1.0, {BH: 2, QZ: 2, GG: 2, NN: 1.5, LZ: 1}, ("纸业", "浆纸", "造纸")),
    "2613": (1.5, {HZ: 4, LB: 2.5, HC: 1, GL: 1}, ("新材料", "钙业", "纳米材料")),
    "2663": (1.5, {WZ: 3, YL: 2, BS: 2, HZ: 1}, ("林化", "松香", "林产化工")),
    "273": (1.5, {YL: 4, NN: 2, BS: 1.5, GL: 1.5}, ("中药饮片", "药业", "制药")),
    "274": (1.5, {YL: 2.5, NN: 2.5, GL: 2.5, WZ: 1.5}, ("制药", "药业", "医药")),
    "3032": (2.0, {HZ: 4, LB: 1.5, WZ: 1, YL: 1}, ("石材", "石业", "新型建材")),
    "3074": (1.5, {YL: 4, QZ: 1.5, GL: 1}, ("陶瓷", "瓷业", "日用陶瓷")),
    "3099": (3.0, {HZ: 5, LB: 3, GL: 1.5, HC: 1.5, NN: 1}, ("新材料", "钙业", "粉体材料")),
    "3214": (1.0, {HC: 4, LZ: 2}, ("有色金属", "锡业", "冶炼")),
    "3216": (1.5, {BS: 5, CZ: 1, HC: 1, LB: 1}, ("铝业", "氧化铝", "有色金属")),
    "3252": (1.5, {BS: 3, NN: 2.5, LZ: 1.5, LB: 1}, ("铝业", "铝材", "新材料")),
    "3412": (1.5, {YL: 5, LZ: 1}, ("动力机械", "机械", "发动机配件")),
    "3491": (1.5, {LZ: 3, NN: 2, GL: 1.5}, ("智能装备", "机器人", "自动化")),
    "3514": (1.5, {LZ: 5, GL: 1, YL: 1}, ("工程机械", "机械", "重工")),
    "3572": (1.5, {NN: 2.5, LZ: 2, CZ: 1.5, GL: 1}, ("农业机械", "农机", "机械制造")),
    "3612": (1.0, {LZ: 5, GL: 1.5, GG: 1.5}, ("汽车", "新能源汽车", "电动车")),
    "367": (3.5, {LZ: 5, YL: 2, GL: 1.5, NN: 1.5}, ("汽车零部件", "汽配", "机械")),
    "3841": (1.5, {LZ: 2, NN: 2, QZ: 1.5, BH: 1.5, GG: 1}, ("新能源", "电池", "储能科技")),
    "3974": (1.0, {BH: 4, NN: 2, GL: 1}, ("光电", "显示科技", "电子")),
    "3976": (1.0, {GL: 4, BH: 1.5, NN: 1}, ("光电科技", "光通信", "电子")),
    "4416": (1.0, {BS: 1.5, HC: 1, NN: 1, QZ: 1, LB: 1}, ("新能源", "光伏", "清洁能源")),
    "5292": (3.0, {}, ("电子商务", "电商", "网络科技")),
    "613": (2.0, {GL: 4, BH: 2, HC: 2, CZ: 1.5, FCG: 1}, ("文化旅游", "民宿", "旅游发展")),
    "6513": (2.0, {NN: 4, GL: 2, LZ: 1.5}, ("软件", "信息技术", "数字科技")),
    "6532": (1.5, {NN: 3, GL: 2, LZ: 1}, ("物联网科技", "智能科技", "信息技术")),
    "7721": (1.5, {NN: 2, LZ: 1, GL: 1}, ("环保科技", "水处理", "环境工程")),
    "7723": (1.5, {NN: 1.5, BS: 1.5, HC: 1}, ("环保科技", "资源再生", "环境科技")),
    "7861": (1.5, {GL: 5, HC: 1.5, CZ: 1.5, BH: 1.5}, ("旅游开发", "景区管理", "文化旅游")),
}

# An enterprise's second industry, when it has one (also what achievements may add).
_RELATED = _table(
    """
    0111:0412 0133:134,3572 0142:7723 0152:1373 0153:1373,5292 0154:1373,5292 0162:0163
    0163:2663,0162 0164:153 0171:273,274 0212:2021 0313:0321,7723 0321:0313 0411:136
    0412:0411 134:0133,222,7721 136:0411 1373:0154,5292 1431:5292 153:0164,5292 1741:5292
    2021:211,0212 211:2021 222:7721 2613:3099 2663:0163 273:0171,274 274:273 3032:3099
    3074:5292 3099:2613,3032 3214:7723 3216:3252 3252:3216 3412:367 3491:3514 3514:3491
    3572:0133 3612:367,3841 367:3612 3841:3612 3974:3976 3976:3974 4416:3841 5292:1373,1431
    613:7861 6513:6532 6532:6513 7721:7723 7723:7721 7861:613
    """
)

# Crops, trees and breeds that variety achievements name, by industry.
_CROPS = _table(
    """
    0111:水稻 0133:甘蔗 0142:香菇,黑木耳,灵芝 0152:葡萄 0153:沃柑,砂糖橘,金柑
    0154:香蕉,芒果,荔枝,火龙果 0162:油茶 0163:八角,肉桂 0164:茶树 0171:罗汉果,三七
    0212:桉树,杉木,红锥 0313:陆川猪 0321:三黄鸡,麻鸡 0411:对虾,金鲳鱼,大蚝 0412:罗非鱼,禾花鲤
    """
)

_SURNAMES = (
    "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦覃蒙莫农黎甘龙蓝秦卜"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文斌宁海波鹏辉玲红梅琳晓雪"
    "俊峰宇浩婷欣怡晨凯东林云飞燕春丹琪锋翔亮荣新庆鸿源智慧思远嘉宏昌德福永"
)
_BRANDS = (
    "华盛鑫源恒达丰泰瑞祥润金宏兴隆嘉利安康众信远博创"
    "正和通新立益德永昌富宝升辉凯旭锦桂壮邕漓荣天海星美佳"
)
_PHONE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 "
    "177 180 181 182 183 185 186 187 188 189 199"
).split()
_TITLES = {  # by institution kind; "" for experts without an institution
    "university": _weighted("教授:3 副教授:4 讲师:2 研究员:1 高级工程师:1"),
    "institute": _weighted("研究员:3 副研究员:4 助理研究员:2 高级农艺师:2 农艺师:1 高级工程师:1"),
    "rnd_institution": _weighted("正高级工程师:2 高级工程师:5 工程师:3"),
    "enterprise_lab": _weighted("正高级工程师:2 高级工程师:5 工程师:3"),
    "service_platform": _weighted("研究员:1 高级工程师:4 工程师:3"),
    "": _weighted("高级工程师:4 高级农艺师:3 农艺师:2 工程师:2 推广研究员:1"),
}
_SIZE_WEIGHT = {"large": 8.0, "medium": 4.0, "small": 2.0}
_BENCHMARK_SIZES = _weighted("small:25 medium:45 large:30")
_OTHER_SIZES = _weighted("micro:38 small:40 medium:17 large:5")
# R&D staff range, chance of an R&D platform and median R&D spend (万元) by size.
_RD = {
    "micro": (1, 5, 0.1, 8.0),
    "small": (2, 15, 0.25, 40.0),
    "medium": (5, 60, 0.5, 200.0),
    "large": (20, 400, 0.85, 1500.0),
}
_EARLY_STATUS = _weighted("open:25 matched:22 solved:38 closed:15")  # posted before 2023
_LATE_STATUS = _weighted("open:62 matched:18 solved:13 closed:7")
_COMMISSIONER_ROLES = _weighted("commissioner:60 visit:25 consultant:15")
_OTHER_ROLES = _weighted("consultant:50 visit:40 team:10")
_ROLE_DAYS = {
    "commissioner": (90, 365),
    "consultant": (14, 180),
    "team": (30, 240),
    "visit": (0, 3),
}
_ROLES = ("commissioner", "team", "consultant", "visit")
_KINDS_FARM = _weighted("variety:20 technique:30 patent:25 standard:12 other:13")
_KINDS_SOFTWARE = _weighted("software:50 patent:25 technique:10 standard:5 other:10")
_KINDS_OTHER = _weighted("patent:50 technique:20 software:8 standard:10 other:12")
_MATURITY = _weighted("1:1 2:2 3:4 4:7 5:9 6:9 7:7 8:4 9:2")
_PROGRAMS = _weighted("千企科技创新工程:4 科技特派员服务:3 产学研合作:2 校企共建研发平台:1")
_TIES_SAME_INSTITUTION = _weighted("coauthor:5 project:4 other:1")
_TIES_SAME_INDUSTRY = _weighted("project:5 service_team:3 coauthor:2")
_TIES_ANY = _weighted("other:5 project:3 service_team:2")
_TRAINING_KINDS = _weighted("class:140 base_visit:50 study_point:70 online:50")
_DEPARTMENT = "广西壮族自治区科学技术厅"
_ONLINE_ORGANIZERS = (_DEPARTMENT, "中国—东盟技术转移中心")

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(first8: str) -> str:
    """The check character of an organisation code (GB 11714-1997), the USCC's 17th char.

    >>> org_code_check_char("M000100Y")
    '4'
    """
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(first8, _ORG_WEIGHTS, strict=True)
    )
    rest = 11 - total % 11
    return "X" if rest == 10 else "0" if rest == 11 else str(rest)


def uscc(county_code: str, rng: random.Random, *, category: str = "1") -> str:
    """A well-formed unified social credit code (GB 32100-2015) registered in the county:
    registration authority 9 (market regulation), `category` 1 (enterprise) or 3 (farmers'
    cooperative), a random organisation code with its check character, and the code's own.

    >>> code = uscc("451121", random.Random(1))
    >>> len(code), code[:8], uscc_check_char(code[:17]) == code[17]
    (18, '91451121', True)
    """
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = f"9{category}{county_code}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


def _count(name: str, scale: float) -> int:
    return max(1, round(BASE_COUNTS[name] * scale))


def _key(prefix: str, i: int, total: int, width: int) -> str:
    return f"{prefix}-{i + 1:0{max(width, len(str(total)))}d}"


def _day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _wan(value: float) -> str:
    return f"{value:.1f}"


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _distance_km(a: ref.City, b: ref.City) -> float:
    lat = math.radians((a.latitude + b.latitude) / 2)
    dx = math.radians(a.longitude - b.longitude) * math.cos(lat)
    dy = math.radians(a.latitude - b.latitude)
    return 6371.0 * math.hypot(dx, dy)


def _split_amounts(weights: Sequence[float], total: int) -> list[int]:
    """Non-negative integers proportional to `weights` that sum to exactly `total`."""
    whole = sum(weights)
    raw = [w / whole * total for w in weights]
    parts = [math.floor(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


class _CsvOut:
    """One output file: RFC 4180 CSV (CRLF, minimal quoting), UTF-8, a header row."""

    def __init__(self, path: Path, columns: str, closed: Progress) -> None:
        self.path = path
        self.rows = 0
        self._closed = closed
        self._file = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(columns.split())

    def write(self, row: Iterable[object]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def __enter__(self) -> _CsvOut:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()
        if exc_type is None:
            self._closed(self.path.name, self.rows)


class _Target(NamedTuple):
    """What an expert is matched against: an industry, one of its topics, terms, a city."""

    industry: int
    topic: int
    terms: Sequence[int]
    city: int


class _Service(NamedTuple):
    """A service record before it is written; `days` None means ongoing."""

    expert: int
    enterprise: int
    role: str
    start: int
    days: int | None
    demand_key: str
    rating: int | None
    outcome: str


class _Demo:
    """The generator's state: reference data, and compact arrays of what later files need."""

    def __init__(self, out_dir: Path, seed: int, scale: float, progress: Progress | None):
        self.out_dir = out_dir
        self.seed = seed
        self.scale = scale
        self.progress = progress
        self.counts: dict[str, int] = {}

        self.cities = ref.cities()
        self.city_index = {c.code: i for i, c in enumerate(self.cities)}
        self.counties = ref.counties()
        self.county_city = [self.city_index[c.city_code] for c in self.counties]
        self.counties_by_city: list[list[int]] = [[] for _ in self.cities]
        for i, city in enumerate(self.county_city):
            self.counties_by_city[city].append(i)
        self.proximity = [
            [math.exp(-_distance_km(a, b) / 150.0) for b in self.cities] for a in self.cities
        ]
        self.industry_names = {i.code: i.name for i in ref.industries()}
        self.subgroups = ref.subgroups()
        self.institutions = ref.institutions()

        # The population lives in the industries that have a vocabulary.
        vocabulary = ref.vocabulary()
        self.terms = [t.term for t in vocabulary]
        self.codes = list(dict.fromkeys(t.industry_code for t in vocabulary))
        if set(self.codes) != set(_PROFILES):
            raise ValueError("the vocabulary's industries and the generator's profiles differ")
        self.code_index = {c: i for i, c in enumerate(self.codes)}
        self.division = [c[:2] for c in self.codes]
        by_topic: list[dict[int, list[int]]] = [{} for _ in self.codes]
        for tid, t in enumerate(vocabulary):
            by_topic[self.code_index[t.industry_code]].setdefault(t.topic, []).append(tid)
        self.topic_terms = [[tuple(v) for _, v in sorted(d.items())] for d in by_topic]
        self.industry_terms = [tuple(t for topic in ts for t in topic) for ts in self.topic_terms]
        self.related = [tuple(self.code_index[r] for r in _RELATED[c]) for c in self.codes]
        self.subgroups_of = [
            [s.key for s in self.subgroups if c in s.industry_codes] for c in self.codes
        ]
        if not all(self.subgroups_of):
            raise ValueError("every vocabulary industry must be covered by a subgroup")
        self.industry_weights = [_PROFILES[c][0] for c in self.codes]
        self.city_weights = [
            [_PROFILES[c][1].get(city.code, _ELSEWHERE) for city in self.cities] for c in self.codes
        ]
        self.inst_city = [self.city_index[inst.city_code] for inst in self.institutions]
        self.inst_weights = [_SIZE_WEIGHT[inst.size] for inst in self.institutions]
        self.inst_expertise = [
            tuple(self.code_index[c] for c in inst.expertise) for inst in self.institutions
        ]
        self.insts_by_city: list[list[int]] = [[] for _ in self.cities]
        for i, city in enumerate(self.inst_city):
            self.insts_by_city[city].append(i)

        self.n_experts = _count("experts", scale)
        self.n_enterprises = _count("enterprises", scale)
        self.n_benchmark = min(_count("benchmark", scale), self.n_enterprises)
        self.n_demands = _count("demands", scale)
        self.n_achievements = _count("achievements", scale)

        # Experts, and the pools candidates are drawn from.
        self.exp_primary = array("H")
        self.exp_topic = array("B")
        self.exp_city = array("B")
        self.exp_inst = array("h")
        self.exp_activity = array("d")
        self.exp_commissioner = bytearray()
        self.exp_industries: list[tuple[int, ...]] = []
        self.exp_keywords: list[tuple[int, ...]] = []
        self.pool_topic: dict[tuple[int, int], list[int]] = {}
        self.pool_industry: list[list[int]] = [[] for _ in self.codes]
        self.pool_division: dict[str, list[int]] = {}
        self.pool_city: list[list[int]] = [[] for _ in self.cities]
        self.pool_inst: list[list[int]] = [[] for _ in self.institutions]
        # Enterprises.
        self.ent_primary = array("H")
        self.ent_second = array("h")
        self.ent_topic = array("B")
        self.ent_county = array("H")
        self.ent_city = array("B")
        self.benchmarks: list[int] = []
        self.ents_by_city: list[list[int]] = [[] for _ in self.cities]
        self.ents_by_industry: list[list[int]] = [[] for _ in self.codes]
        # Achievements.
        self.ach_listed = array("i")
        self.ach_expert = array("i")
        self.achs_by_industry: list[list[int]] = [[] for _ in self.codes]
        # Experts who served a demand together: (lead, member, start) -> service_team ties.
        self.team_pairs: list[tuple[int, int, int]] = []

    # -- plumbing -----------------------------------------------------------------------------

    def rng(self, section: str) -> random.Random:
        """An independent stream per section: changing one section leaves the others alone."""
        return random.Random(f"graphsvc-demo:{self.seed}:{section}")

    def open(self, name: str, columns: str) -> _CsvOut:
        return _CsvOut(self.out_dir / name, columns, self._closed)

    def _closed(self, name: str, rows: int) -> None:
        self.counts[name] = rows
        if self.progress is not None:
            self.progress(name, rows)

    def exp_key(self, i: int) -> str:
        return _key("EXP", i, self.n_experts, 6)

    def ent_key(self, i: int) -> str:
        return _key("ENT", i, self.n_enterprises, 6)

    def dem_key(self, i: int) -> str:
        return _key("DEM", i, self.n_demands, 6)

    def ach_key(self, i: int) -> str:
        return _key("ACH", i, self.n_achievements, 6)

    def any_topic(self, rng: random.Random, industry: int) -> int:
        return rng.randrange(len(self.topic_terms[industry]))

    def pick_terms(self, rng: random.Random, industry: int, topic: int) -> tuple[int, int, int]:
        """Two terms of the topic and one of another topic of the same industry."""
        own = self.topic_terms[industry][topic]
        t1, t2 = rng.sample(own, 2) if len(own) >= 2 else (own[0], own[0])
        others = [t for t in self.industry_terms[industry] if t not in own]
        return t1, t2, rng.choice(others or own)

    # -- the hidden fit -----------------------------------------------------------------------

    def fit(self, e: int, target: _Target) -> float:
        """How well expert `e` fits a demand or an enterprise; never written out."""
        score = 0.0
        industries = self.exp_industries[e]
        if target.industry in industries:
            score += 2.0
            if self.exp_primary[e] == target.industry:
                score += 0.5 + (1.5 if self.exp_topic[e] == target.topic else 0.0)
        elif any(self.division[i] == self.division[target.industry] for i in industries):
            score += 0.8
        keywords = self.exp_keywords[e]
        score += 0.5 * min(3, sum(1 for t in target.terms if t in keywords))
        return score + 0.9 * self.proximity[self.exp_city[e]][target.city]

    def candidates(self, rng: random.Random, target: _Target) -> list[int]:
        """A mixed candidate set: same topic, same industry, same division, nearby, anyone."""
        found: dict[int, None] = {}
        pools: tuple[tuple[Sequence[int], int], ...] = (
            (self.pool_topic.get((target.industry, target.topic), ()), 7),
            (self.pool_industry[target.industry], 5),
            (self.pool_division.get(self.division[target.industry], ()), 2),
            (self.pool_city[target.city], 2),
        )
        for pool, n in pools:
            for _ in range(n if pool else 0):
                found[rng.choice(pool)] = None
        for _ in range(3):
            found[rng.randrange(self.n_experts)] = None
        return list(found)

    def choose_expert(
        self,
        rng: random.Random,
        target: _Target,
        *,
        exclude: Sequence[int] = (),
        beta: float = 1.6,
        noise: float = 0.08,
    ) -> tuple[int, float] | None:
        """An expert for the target, steeply more likely the better the fit and weighted by
        activity; with probability `noise` any candidate. None when every expert is excluded."""
        cands = [e for e in self.candidates(rng, target) if e not in exclude]
        if not cands:
            cands = [e for e in range(self.n_experts) if e not in exclude][:1]
            if not cands:
                return None
        fits = [self.fit(e, target) for e in cands]
        if rng.random() < noise:
            i = rng.randrange(len(cands))
        else:
            top = max(fits)
            weights = [
                math.exp(beta * (f - top)) * self.exp_activity[e] ** 0.7
                for e, f in zip(cands, fits, strict=True)
            ]
            i = rng.choices(range(len(cands)), weights)[0]
        return cands[i], fits[i]

    @staticmethod
    def rating(rng: random.Random, fit: float, bias: float = 0.0) -> int:
        """A 1-5 rating that rises with the fit, with noise."""
        value = 1.2 + 3.3 / (1 + math.exp(-1.2 * (fit - 3.0))) + bias + rng.gauss(0, 0.7)
        return min(5, max(1, round(value)))

    # -- reference files ----------------------------------------------------------------------

    def write_reference(self) -> None:
        with self.open("cities.csv", "code name longitude latitude") as out:
            for c in self.cities:
                out.write((c.code, c.name, c.longitude, c.latitude))
        with self.open(
            "counties.csv", "code name city_code poverty_county longitude latitude"
        ) as out:
            for k in self.counties:
                # A county without coordinates of its own gets none (not its city's).
                lon, lat = (k.longitude, k.latitude) if k.coord_source == "county" else ("", "")
                out.write((k.code, k.name, k.city_code, _bool(k.poverty_county), lon, lat))
        with self.open("industries.csv", "code name parent_code tags") as out:
            for i in ref.industries():
                out.write((i.code, i.name, i.parent_code, ";".join(i.tags)))
        with self.open("subgroups.csv", "key name industry_codes") as out:
            for s in self.subgroups:
                out.write((s.key, s.name, ";".join(s.industry_codes)))
        with self.open("institutions.csv", "key name kind city_code size") as out:
            for inst in self.institutions:
                out.write((inst.key, inst.name, inst.kind, inst.city_code, inst.size))

    # -- experts ------------------------------------------------------------------------------

    def write_experts(self) -> None:
        rng = self.rng("experts")
        columns = (
            "key name title institution_key city_code subgroup_keys industry_codes keywords "
            "commissioner capacity phone email"
        )
        with self.open("experts.csv", columns) as out:
            for e in range(self.n_experts):
                if rng.random() < 0.93:
                    inst = rng.choices(range(len(self.institutions)), self.inst_weights)[0]
                    expertise = self.inst_expertise[inst]
                    primary = rng.choices(
                        expertise, [1 / (1 + 0.3 * r) for r in range(len(expertise))]
                    )[0]
                    city = (
                        self.inst_city[inst]
                        if rng.random() < 0.88
                        else rng.randrange(len(self.cities))
                    )
                    more = [i for i in expertise if i != primary]
                    kind = self.institutions[inst].kind
                else:
                    inst, kind = -1, ""
                    primary = rng.choices(range(len(self.codes)), self.industry_weights)[0]
                    city = rng.choices(range(len(self.cities)), self.city_weights[primary])[0]
                    more = list(self.related[primary])
                industries = [primary]
                for p in (0.45, 0.15):
                    if more and rng.random() < p:
                        industries.append(more.pop(rng.randrange(len(more))))
                topic = self.any_topic(rng, primary)
                keywords = self._expert_keywords(rng, industries, topic)
                subgroups = [rng.choice(self.subgroups_of[primary])]
                if len(industries) > 1 and rng.random() < 0.25:
                    extra = rng.choice(self.subgroups_of[industries[1]])
                    subgroups += [extra] if extra not in subgroups else []
                commissioner = rng.random() < 0.25
                # Heavy-tailed activity (Pareto, capped), independent of the fit.
                activity = min(30.0, (1.0 - rng.random()) ** (-1 / 1.3))

                self.exp_primary.append(primary)
                self.exp_topic.append(topic)
                self.exp_city.append(city)
                self.exp_inst.append(inst)
                self.exp_activity.append(activity * (1.5 if commissioner else 1.0))
                self.exp_commissioner.append(commissioner)
                self.exp_industries.append(tuple(industries))
                self.exp_keywords.append(tuple(keywords))
                self.pool_topic.setdefault((primary, topic), []).append(e)
                for i in industries:
                    self.pool_industry[i].append(e)
                for division in dict.fromkeys(self.division[i] for i in industries):
                    self.pool_division.setdefault(division, []).append(e)
                self.pool_city[city].append(e)
                if inst >= 0:
                    self.pool_inst[inst].append(e)

                key = self.exp_key(e)
                given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
                out.write(
                    (
                        key,
                        rng.choice(_SURNAMES) + given,
                        _pick(rng, _TITLES[kind]),
                        self.institutions[inst].key if inst >= 0 else "",
                        self.cities[city].code,
                        ";".join(subgroups),
                        ";".join(self.codes[i] for i in industries),
                        ";".join(self.terms[t] for t in keywords),
                        _bool(commissioner),
                        rng.randint(2, 5) if commissioner else "",
                        rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                        f"{key.lower().replace('-', '')}@example.org",
                    )
                )

    def _expert_keywords(
        self, rng: random.Random, industries: Sequence[int], topic: int
    ) -> list[int]:
        """3-8 terms: half from the expert's own topic, the rest from the industries' others."""
        n = rng.randint(3, 8)
        own = list(self.topic_terms[industries[0]][topic])
        rng.shuffle(own)
        chosen = own[: max(2, round(n * 0.5))]
        rest = [t for i in industries for t in self.industry_terms[i] if t not in chosen]
        rng.shuffle(rest)
        return chosen + rest[: n - len(chosen)]

    # -- enterprises --------------------------------------------------------------------------

    def write_enterprises(self) -> None:
        rng = self.rng("enterprises")
        bench = set(rng.sample(range(self.n_enterprises), self.n_benchmark))
        names: set[str] = set()
        columns = (
            "key name credit_code county_code industry_codes size high_tech benchmark rd_staff "
            "rd_platform rd_spend_wan founded_year"
        )
        with self.open("enterprises.csv", columns) as out:
            for e in range(self.n_enterprises):
                benchmark = e in bench
                primary = rng.choices(range(len(self.codes)), self.industry_weights)[0]
                related = self.related[primary]
                second = rng.choice(related) if related and rng.random() < 0.25 else -1
                city = rng.choices(range(len(self.cities)), self.city_weights[primary])[0]
                county = rng.choice(self.counties_by_city[city])
                size = _pick(rng, _BENCHMARK_SIZES if benchmark else _OTHER_SIZES)
                high_tech = rng.random() < (0.55 if benchmark else 0.18)
                # "Three-no" enterprises: no R&D staff, no R&D platform, no R&D spending.
                if not high_tech and rng.random() < (0.06 if benchmark else 0.24):
                    rd_staff, rd_platform, rd_spend = 0, False, 0.0
                else:
                    low, high, platform, spend = _RD[size]
                    rd_staff = rng.randint(low, high)
                    rd_platform = rng.random() < platform
                    rd_spend = spend * math.exp(rng.gauss(0, 0.6))
                name, category = self._enterprise_name(rng, primary, county, size, names)

                self.ent_primary.append(primary)
                self.ent_second.append(second)
                self.ent_topic.append(self.any_topic(rng, primary))
                self.ent_county.append(county)
                self.ent_city.append(city)
                if benchmark:
                    self.benchmarks.append(e)
                self.ents_by_city[city].append(e)
                self.ents_by_industry[primary].append(e)

                county_code = self.counties[county].code
                out.write(
                    (
                        self.ent_key(e),
                        name,
                        uscc(county_code, rng, category=category),
                        county_code,
                        ";".join(self.codes[i] for i in (primary, second) if i >= 0),
                        size,
                        _bool(high_tech),
                        _bool(benchmark),
                        rd_staff,
                        _bool(rd_platform),
                        _wan(rd_spend),
                        min(2024, 1990 + int(34 * rng.random() ** 0.7)),
                    )
                )

    def _enterprise_name(
        self, rng: random.Random, industry: int, county: int, size: str, names: set[str]
    ) -> tuple[str, str]:
        """A name in the province's usual style (unique when it can be), and the USCC
        organisation category: 3 for a farmers' cooperative, 1 for a company."""
        place = self.counties[county]
        city = self.cities[self.county_city[county]].name.removesuffix("市")
        name = ""
        for _ in range(20):
            business = rng.choice(_PROFILES[self.codes[industry]][2])
            brand = "".join(rng.sample(_BRANDS, 2))
            if business.endswith("合作社"):
                name = f"{place.name}{brand}{business}"
            else:
                local = place.kind != "市辖区" and rng.random() < 0.4
                form = "股份有限公司" if size == "large" and rng.random() < 0.4 else "有限公司"
                name = f"{place.name if local else '广西' + city}{brand}{business}{form}"
            if name not in names:
                break
        names.add(name)
        return name, "3" if name.endswith("合作社") else "1"

    # -- achievements -------------------------------------------------------------------------

    def write_achievements(self) -> None:
        rng = self.rng("achievements")
        templates = ref.achievement_templates()
        first, last = dt.date(2018, 1, 1).toordinal(), dt.date(2025, 10, 31).toordinal()
        columns = (
            "key title description kind owner_expert_key owner_institution_key "
            "owner_enterprise_key industry_codes keywords maturity price_wan listed_on"
        )
        with self.open("achievements.csv", columns) as out:
            for a in range(self.n_achievements):
                expert = inst = ent = -1
                owner = rng.random()
                if owner < 0.62:  # an expert's, often with the expert's institution
                    expert = rng.randrange(self.n_experts)
                    industry, topic = self.exp_primary[expert], self.exp_topic[expert]
                    if self.exp_inst[expert] >= 0 and rng.random() < 0.55:
                        inst = self.exp_inst[expert]
                elif owner < 0.8:  # an institution's
                    inst = rng.choices(range(len(self.institutions)), self.inst_weights)[0]
                    industry = rng.choice(self.inst_expertise[inst])
                    topic = self.any_topic(rng, industry)
                else:  # an enterprise's own
                    ent = rng.randrange(self.n_enterprises)
                    industry, topic = self.ent_primary[ent], self.ent_topic[ent]
                code = self.codes[industry]
                kind = _pick(
                    rng,
                    _KINDS_FARM
                    if code in _CROPS
                    else _KINDS_SOFTWARE
                    if code in ("6513", "6532")
                    else _KINDS_OTHER,
                )
                t1, t2, t3 = self.pick_terms(rng, industry, topic)
                slots = {
                    "t1": self.terms[t1],
                    "t2": self.terms[t2],
                    "t3": self.terms[t3],
                    "industry": self.industry_names[code],
                    "crop": rng.choice(_CROPS.get(code, ("",))),
                    "n": rng.randint(1, 9),
                }
                industries = [industry]
                if self.related[industry] and rng.random() < 0.2:
                    industries.append(rng.choice(self.related[industry]))
                keywords = (t1, t2, t3)[: rng.choice((2, 3))] if rng.random() < 0.6 else ()
                listed = rng.randint(first, last)

                self.ach_listed.append(listed)
                self.ach_expert.append(expert)
                self.achs_by_industry[industry].append(a)

                out.write(
                    (
                        self.ach_key(a),
                        rng.choice(templates[kind]).format(**slots),
                        rng.choice(templates["description"]).format(**slots),
                        kind,
                        self.exp_key(expert) if expert >= 0 else "",
                        self.institutions[inst].key if inst >= 0 else "",
                        self.ent_key(ent) if ent >= 0 else "",
                        ";".join(self.codes[i] for i in industries),
                        ";".join(self.terms[t] for t in keywords),
                        _pick(rng, _MATURITY),
                        _wan(min(2000.0, 30 * math.exp(rng.gauss(0, 1.0)))),
                        _day(listed),
                    )
                )

    # -- demands and service records ----------------------------------------------------------

    def write_demands_and_records(self) -> None:
        rng = self.rng("demands")
        rec_rng = self.rng("service_records")
        templates = ref.demand_templates()
        used: set[int] = set()
        last_posted = dt.date(2025, 6, 30).toordinal()
        switch = dt.date(2023, 1, 1).toordinal()
        d_columns = (
            "key enterprise_key title description industry_codes keywords posted_on status "
            "budget_wan"
        )
        r_columns = "expert_key enterprise_key role start_on end_on demand_key rating outcome"
        with (
            self.open("demands.csv", d_columns) as dem,
            self.open("service_records.csv", r_columns) as rec,
        ):
            for d in range(self.n_demands):
                if self.benchmarks and rng.random() < 0.45:
                    ent = rng.choice(self.benchmarks)
                else:
                    ent = rng.randrange(self.n_enterprises)
                primary, second = self.ent_primary[ent], self.ent_second[ent]
                if second >= 0 and rng.random() < 0.2:
                    industry, topic = second, self.any_topic(rng, second)
                else:
                    industry = primary
                    topic = (
                        self.ent_topic[ent] if rng.random() < 0.65 else self.any_topic(rng, primary)
                    )
                t1, t2, t3 = self.pick_terms(rng, industry, topic)
                slots = {
                    "t1": self.terms[t1],
                    "t2": self.terms[t2],
                    "t3": self.terms[t3],
                    "industry": self.industry_names[self.codes[industry]],
                    "place": self.counties[self.ent_county[ent]].name,
                    "months": rng.choice((3, 6, 6, 9, 12, 18)),
                }
                posted = rng.randint(_FIRST, last_posted)
                status = _pick(rng, _EARLY_STATUS if posted < switch else _LATE_STATUS)
                # Empty industry_codes means "the enterprise's": only when that is right.
                explicit = industry != primary or second >= 0 or rng.random() < 0.4
                keywords = (t1, t2, t3)[: rng.choice((2, 2, 3))] if rng.random() < 0.6 else ()
                key = self.dem_key(d)
                dem.write(
                    (
                        key,
                        self.ent_key(ent),
                        rng.choice(templates["title"]).format(**slots),
                        rng.choice(templates["description"]).format(**slots),
                        self.codes[industry] if explicit else "",
                        ";".join(self.terms[t] for t in keywords),
                        _day(posted),
                        status,
                        _wan(min(800.0, max(1.0, 25 * math.exp(rng.gauss(0, 0.9))))),
                    )
                )
                target = _Target(industry, topic, (t1, t2, t3), self.ent_city[ent])
                self._demand_records(rec_rng, rec, used, key, ent, target, posted, status)
            self._other_records(rec_rng, rec, used)

    def _record(self, out: _CsvOut, used: set[int], s: _Service) -> _Service:
        """Write a service record; a start that would repeat an earlier record's identity
        (expert, enterprise, role, start_on) moves to the next free day. Returns what was
        written."""
        role = _ROLES.index(s.role)
        base = ((s.expert * self.n_enterprises + s.enterprise) * 4 + role) * 8192 - _FIRST
        start = s.start
        while base + start in used:
            start += 1
        used.add(base + start)
        out.write(
            (
                self.exp_key(s.expert),
                self.ent_key(s.enterprise),
                s.role,
                _day(start),
                "" if s.days is None else _day(min(_LAST, start + s.days)),
                s.demand_key,
                "" if s.rating is None else s.rating,
                s.outcome,
            )
        )
        return s._replace(start=start)

    def _demand_records(
        self,
        rng: random.Random,
        out: _CsvOut,
        used: set[int],
        demand_key: str,
        ent: int,
        target: _Target,
        posted: int,
        status: str,
    ) -> None:
        """The records of one demand: solved and matched ones have a lead expert (and
        sometimes a team), half the closed ones a failed attempt, open ones none."""
        if status == "open" or (status == "closed" and rng.random() < 0.5):
            return
        start = posted + rng.randint(7, 120)
        if status == "closed":  # a failed attempt, often by a weaker match
            chosen = self.choose_expert(rng, target, beta=0.6, noise=0.3)
            if chosen is not None:
                expert, fit = chosen
                rating = min(2, self.rating(rng, fit, -1.5))
                failed = _Service(
                    expert,
                    ent,
                    "consultant",
                    start,
                    rng.randint(20, 150),
                    demand_key,
                    rating,
                    "failed",
                )
                self._record(out, used, failed)
            return
        chosen = self.choose_expert(rng, target)
        if chosen is None:
            return
        expert, fit = chosen
        solved = status == "solved"
        role = (
            "commissioner" if self.exp_commissioner[expert] and rng.random() < 0.6 else "consultant"
        )
        lead = self._record(
            out,
            used,
            _Service(
                expert,
                ent,
                role,
                start,
                rng.randint(30, 360) if solved else None,
                demand_key,
                self.rating(rng, fit, 0.3) if solved else None,
                "solved" if solved else "ongoing",
            ),
        )
        if rng.random() < 0.3:  # a service team
            team = [expert]
            for _ in range(rng.choice((1, 1, 2))):
                chosen = self.choose_expert(rng, target, exclude=team)
                if chosen is None:
                    break
                member, member_fit = chosen
                team.append(member)
                member_rating = self.rating(rng, member_fit, 0.3) if solved else None
                member_record = lead._replace(expert=member, role="team", rating=member_rating)
                self._record(out, used, member_record)
                self.team_pairs.append((expert, member, lead.start))

    def _other_records(self, rng: random.Random, out: _CsvOut, used: set[int]) -> None:
        """Service records not tied to a demand: commissioners' stays, visits, consulting;
        mostly at benchmark enterprises, matched to the enterprise's own topic."""
        latest_start = dt.date(2025, 10, 31).toordinal()
        for _ in range(_count("visits", self.scale)):
            if self.benchmarks and rng.random() < 0.6:
                ent = rng.choice(self.benchmarks)
            else:
                ent = rng.randrange(self.n_enterprises)
            industry = self.ent_primary[ent]
            topic = self.ent_topic[ent] if rng.random() < 0.7 else self.any_topic(rng, industry)
            target = _Target(industry, topic, self.topic_terms[industry][topic], self.ent_city[ent])
            chosen = self.choose_expert(rng, target)
            if chosen is None:
                return
            expert, fit = chosen
            roles = _COMMISSIONER_ROLES if self.exp_commissioner[expert] else _OTHER_ROLES
            role = _pick(rng, roles)
            days = rng.randint(*_ROLE_DAYS[role])
            start = rng.randint(_FIRST, latest_start)
            p_solved = 0.3 + 0.5 / (1 + math.exp(-(fit - 3.0)))
            roll = rng.random()
            if start + days > _LAST or roll < 0.15:
                record = _Service(expert, ent, role, start, None, "", None, "ongoing")
            elif roll < 0.15 + p_solved:
                record = _Service(
                    expert, ent, role, start, days, "", self.rating(rng, fit, 0.3), "solved"
                )
            else:
                rating = min(3, self.rating(rng, fit))
                record = _Service(expert, ent, role, start, days, "", rating, "failed")
            self._record(out, used, record)

    # -- pairings and deals -------------------------------------------------------------------

    def institution_for(self, rng: random.Random, ent: int, exclude: Sequence[int] = ()) -> int:
        """An institution whose expertise covers the enterprise's industries, nearby if it can."""
        city = self.ent_city[ent]
        wanted = {self.ent_primary[ent], self.ent_second[ent]}
        division = self.division[self.ent_primary[ent]]
        weights = []
        for i, expertise in enumerate(self.inst_expertise):
            if wanted.intersection(expertise):
                match = 3.0
            elif any(self.division[c] == division for c in expertise):
                match = 0.5
            else:
                match = 0.02
            near = 3.0 if self.inst_city[i] == city else 1.0
            weights.append(0.0 if i in exclude else match * near * self.inst_weights[i])
        return rng.choices(range(len(self.institutions)), weights)[0]

    def write_pairings(self) -> None:
        rng = self.rng("pairings")
        first, last = dt.date(2019, 1, 1).toordinal(), dt.date(2025, 6, 30).toordinal()
        paired = rng.sample(self.benchmarks, round(len(self.benchmarks) * 0.4))
        with self.open("pairings.csv", "institution_key enterprise_key program since") as out:
            for ent in paired:
                insts = [self.institution_for(rng, ent)]
                if rng.random() < 0.1:
                    insts.append(self.institution_for(rng, ent, exclude=insts))
                for inst in insts:
                    key = self.institutions[inst].key
                    since = _day(rng.randint(first, last))
                    out.write((key, self.ent_key(ent), _pick(rng, _PROGRAMS), since))

    def write_deals(self) -> None:
        rng = self.rng("deals")
        stages = ["intention"] * _count("intentions", self.scale)
        stages += ["contract"] * _count("contracts", self.scale)
        medians = {"intention": 40.0, "contract": 60.0}
        weights = [medians[s] * math.exp(rng.gauss(0, 0.9)) for s in stages]
        cents = _split_amounts(weights, round(DEAL_TOTAL_WAN * self.scale * 100))
        last = dt.date(2025, 11, 30).toordinal()
        columns = (
            "key enterprise_key achievement_key expert_key institution_key stage amount_wan "
            "signed_on"
        )
        with self.open("deals.csv", columns) as out:
            for d, (stage, amount) in enumerate(zip(stages, cents, strict=True)):
                if self.benchmarks and rng.random() < 0.7:
                    ent = rng.choice(self.benchmarks)
                else:
                    ent = rng.randrange(self.n_enterprises)
                industry = self.ent_primary[ent]
                ach = expert = inst = -1
                earliest = _FIRST
                kind = rng.random()
                if kind < 0.5:  # an achievement, sometimes with its owner
                    pool = self.achs_by_industry[industry]
                    ach = rng.choice(pool) if pool else rng.randrange(self.n_achievements)
                    earliest = max(_FIRST, self.ach_listed[ach] + 30)
                    if self.ach_expert[ach] >= 0 and rng.random() < 0.2:
                        expert = self.ach_expert[ach]
                elif kind < 0.8:  # an expert's services
                    topic = self.ent_topic[ent]
                    terms = self.topic_terms[industry][topic]
                    chosen = self.choose_expert(
                        rng, _Target(industry, topic, terms, self.ent_city[ent])
                    )
                    expert = chosen[0] if chosen is not None else 0
                else:  # an institution
                    inst = self.institution_for(rng, ent)
                out.write(
                    (
                        _key("DEAL", d, len(stages), 4),
                        self.ent_key(ent),
                        self.ach_key(ach) if ach >= 0 else "",
                        self.exp_key(expert) if expert >= 0 else "",
                        self.institutions[inst].key if inst >= 0 else "",
                        stage,
                        f"{amount // 100}.{amount % 100:02d}",
                        _day(rng.randint(min(earliest, last), last)),
                    )
                )

    # -- collaborations -----------------------------------------------------------------------

    def write_collaborations(self) -> None:
        """Ties from service teams, then about 2.6 per expert: mostly within the expert's
        institution or industry, some across. Each unordered pair once, no self-pairs."""
        rng = self.rng("collaborations")
        n = self.n_experts
        seen: set[int] = set()
        first = dt.date(2012, 1, 1).toordinal()
        with self.open("collaborations.csv", "expert_key_a expert_key_b kind count since") as out:

            def tie(a: int, b: int, kind: str, since: int) -> None:
                low, high = min(a, b), max(a, b)
                if low != high and low * n + high not in seen:
                    seen.add(low * n + high)
                    count = 1 + min(20, int(rng.expovariate(0.5)))
                    out.write((self.exp_key(low), self.exp_key(high), kind, count, _day(since)))

            for a, b, start in self.team_pairs:
                tie(a, b, "service_team", start)
            for a in range(n):
                inst, peers = self.exp_inst[a], self.pool_industry[self.exp_primary[a]]
                for _ in range(min(12, int(rng.expovariate(1 / 2.6)))):
                    roll = rng.random()
                    if roll < 0.55 and inst >= 0 and len(self.pool_inst[inst]) > 1:
                        b, kinds = rng.choice(self.pool_inst[inst]), _TIES_SAME_INSTITUTION
                    elif roll < 0.85 and len(peers) > 1:
                        b, kinds = rng.choice(peers), _TIES_SAME_INDUSTRY
                    else:
                        b, kinds = rng.randrange(n), _TIES_ANY
                    tie(a, b, _pick(rng, kinds), rng.randint(first, _LAST - 30))

    # -- trainings ----------------------------------------------------------------------------

    def write_trainings(self) -> None:
        """Classes, visits to the three bases, sessions at the study points and online
        courses, each on an industry (a site's own, or one strong in the city) and with its
        enterprises' attendance."""
        rng = self.rng("trainings")
        templates = ref.training_templates()
        sites = {
            "base_visit": [s for s in ref.training_sites() if s.kind == "base"],
            "study_point": [s for s in ref.training_sites() if s.kind == "study_point"],
        }
        total = _count("trainings", self.scale)
        per_kind = _split_amounts([w for _, w in _TRAINING_KINDS], total)
        kinds = [k for (k, _), c in zip(_TRAINING_KINDS, per_kind, strict=True) for _ in range(c)]
        rng.shuffle(kinds)
        last = dt.date(2025, 11, 30).toordinal()
        city_weights = [3.0 if c.code == NN else 1.0 for c in self.cities]
        t_columns = "key title held_on city_code kind organizer attendees"
        with (
            self.open("trainings.csv", t_columns) as trn,
            self.open("training_attendance.csv", "training_key enterprise_key attendees") as att,
        ):
            for t, kind in enumerate(kinds):
                city: int | None
                if kind in sites:
                    site = rng.choice(sites[kind])
                    city = self.city_index[site.city_code]
                    industry = self.code_index[rng.choice(site.industry_codes)]
                    organizer = site.name
                elif kind == "class":
                    city = rng.choices(range(len(self.cities)), city_weights)[0]
                    weights = [
                        w * cw[city]
                        for w, cw in zip(self.industry_weights, self.city_weights, strict=True)
                    ]
                    industry = rng.choices(range(len(self.codes)), weights)[0]
                    local = [  # institutions of the city that know the industry
                        self.institutions[i].name
                        for i in self.insts_by_city[city]
                        if industry in self.inst_expertise[i]
                    ]
                    organizer = rng.choice(
                        [_DEPARTMENT, f"{self.cities[city].name}科学技术局", *local]
                    )
                else:
                    city, organizer = None, rng.choice(_ONLINE_ORGANIZERS)
                    industry = rng.choices(range(len(self.codes)), self.industry_weights)[0]
                slots = {
                    "term": self.terms[rng.choice(self.industry_terms[industry])],
                    "industry": self.industry_names[self.codes[industry]],
                    "site": organizer,
                    "city": "" if city is None else self.cities[city].name,
                }
                key = _key("TRN", t, total, 4)
                attendance = self._attendance(rng, city, industry)
                for ent, n in attendance:
                    att.write((key, self.ent_key(ent), n))
                trn.write(
                    (
                        key,
                        rng.choice(templates[kind]).format(**slots),
                        _day(rng.randint(_FIRST, last)),
                        "" if city is None else self.cities[city].code,
                        kind,
                        organizer,
                        sum(n for _, n in attendance),
                    )
                )

    def _attendance(
        self, rng: random.Random, city: int | None, industry: int
    ) -> list[tuple[int, int]]:
        """12-52 distinct enterprises, 1-5 attendees each: 40% from the training's industry,
        then (on site) 40% local, the rest from anywhere."""
        k = min(rng.randint(12, 52), self.n_enterprises)
        chosen: dict[int, None] = {}
        pools = [(self.ents_by_industry[industry], 0.4)]
        if city is not None:
            pools.append((self.ents_by_city[city], 0.8))
        for pool, share in pools:
            want = round(k * share) - len(chosen)
            fresh = [
                e for e in rng.sample(pool, min(len(pool), 2 * max(want, 0))) if e not in chosen
            ]
            chosen.update(dict.fromkeys(fresh[: max(want, 0)]))
        for _ in range(4 * k):
            if len(chosen) >= k:
                break
            chosen[rng.randrange(self.n_enterprises)] = None
        return [(e, rng.randint(1, 5)) for e in chosen]


def generate(
    out_dir: Path,
    *,
    seed: int = 2024,
    scale: float = 1.0,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Write the Guangxi demo dataset into `out_dir` (created if missing).

    Parameters
    ----------
    out_dir
        The dataset folder; files of the same names are replaced.
    seed
        The random seed: the same seed and scale give byte-identical files.
    scale
        Multiplies the populations (experts, enterprises, demands, achievements, service
        records, trainings, deals...), never the reference data. 1 is the "Guangxi" dataset
        (3500 experts, 5000 enterprises); 100 is about 1.6 million nodes.
    progress
        Called with each file's name and row count as soon as the file is complete.

    Returns
    -------
    dict
        Rows written (header excluded) per file name, in the order the files were completed.

    Raises
    ------
    ValueError
        When `scale` is not positive.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = _Demo(out_dir, seed, scale, progress)
    demo.write_reference()
    demo.write_experts()
    demo.write_enterprises()
    demo.write_achievements()
    demo.write_demands_and_records()
    demo.write_pairings()
    demo.write_deals()
    demo.write_collaborations()
    demo.write_trainings()
    return demo.counts
