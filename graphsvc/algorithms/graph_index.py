"""Array form of the graph for recommendations: per-label node tables, typed sparse matrices,
service statistics and the typed random-walk matrix, built once per graph version.

Every number the recommenders use comes from here, so a query never walks the networkx
graph; paths are checked against the view the index was built from.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("Expert:E1", key="E1", name="李明", capacity=2)
>>> g.add_node("Keyword:白度", key="白度")
>>> _ = g.add_edge("Expert:E1", "Keyword:白度", "HAS_SKILL")
>>> index = build_index(g, version=3, today="2025-01-01")
>>> index.table("Expert").keys, index.rel("HAS_SKILL", "Expert", "Keyword").fwd.toarray()
(('E1',), array([[1.]]))
>>> index.walk.indptr.tolist(), index.walk.data.tolist()
([0, 1, 2], [1.0, 1.0])
"""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from graphsvc.algorithms.textsim import TextSpace, build_text_space

__all__ = [
    "WALK_SHARES",
    "GraphIndex",
    "LabelTable",
    "Rel",
    "Service",
    "Walk",
    "build_index",
    "distance_km",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The random walk's typed weights: from a node of `label`, the relationship `rel` followed in
# direction `dir` to a node of `other` gets this share of the step (shares of the groups a
# node has are renormalised; within a group, edges split by their weight). Groups not listed
# are not walked (trainings, attendance, holdings of places).
WALK_SHARES: Mapping[tuple[str, str, str, str], float] = {
    ("Demand", "MENTIONS", "out", "Keyword"): 0.35,
    ("Demand", "CONCERNS", "out", "Industry"): 0.25,
    ("Demand", "POSTED", "in", "Enterprise"): 0.2,
    ("Demand", "ADDRESSED", "in", "Expert"): 0.2,
    ("Keyword", "MENTIONS", "in", "Demand"): 0.3,
    ("Keyword", "MENTIONS", "in", "Achievement"): 0.3,
    ("Keyword", "HAS_SKILL", "in", "Expert"): 0.4,
    ("Industry", "EXPERT_IN", "in", "Expert"): 0.3,
    ("Industry", "CONCERNS", "in", "Demand"): 0.15,
    ("Industry", "APPLIES_TO", "in", "Achievement"): 0.15,
    ("Industry", "IN_INDUSTRY", "in", "Enterprise"): 0.1,
    ("Industry", "SUBCLASS_OF", "out", "Industry"): 0.1,
    ("Industry", "SUBCLASS_OF", "in", "Industry"): 0.1,
    ("Industry", "COVERS", "in", "Subgroup"): 0.1,
    ("Expert", "HAS_SKILL", "out", "Keyword"): 0.25,
    ("Expert", "EXPERT_IN", "out", "Industry"): 0.15,
    ("Expert", "OWNS", "out", "Achievement"): 0.15,
    ("Expert", "ADDRESSED", "out", "Demand"): 0.1,
    ("Expert", "SERVED", "out", "Enterprise"): 0.1,
    ("Expert", "COLLABORATES_WITH", "out", "Expert"): 0.05,
    ("Expert", "COLLABORATES_WITH", "in", "Expert"): 0.05,
    ("Expert", "AFFILIATED_WITH", "out", "Institution"): 0.05,
    ("Expert", "BASED_IN", "out", "City"): 0.05,
    ("Expert", "MEMBER_OF", "out", "Subgroup"): 0.05,
    ("Expert", "DEAL", "in", "Enterprise"): 0.05,
    ("Enterprise", "POSTED", "out", "Demand"): 0.3,
    ("Enterprise", "IN_INDUSTRY", "out", "Industry"): 0.2,
    ("Enterprise", "SERVED", "in", "Expert"): 0.2,
    ("Enterprise", "LOCATED_IN", "out", "County"): 0.1,
    ("Enterprise", "PAIRED_WITH", "in", "Institution"): 0.1,
    ("Enterprise", "DEAL", "out", "Achievement"): 0.05,
    ("Enterprise", "DEAL", "out", "Expert"): 0.05,
    ("Enterprise", "DEAL", "out", "Institution"): 0.05,
    ("Enterprise", "OWNS", "out", "Achievement"): 0.05,
    ("Achievement", "MENTIONS", "out", "Keyword"): 0.4,
    ("Achievement", "OWNS", "in", "Expert"): 0.2,
    ("Achievement", "OWNS", "in", "Institution"): 0.1,
    ("Achievement", "OWNS", "in", "Enterprise"): 0.05,
    ("Achievement", "APPLIES_TO", "out", "Industry"): 0.2,
    ("Achievement", "DEAL", "in", "Enterprise"): 0.05,
    ("County", "IN_CITY", "out", "City"): 0.5,
    ("County", "LOCATED_IN", "in", "Enterprise"): 0.5,
    ("City", "IN_CITY", "in", "County"): 0.3,
    ("City", "BASED_IN", "in", "Expert"): 0.4,
    ("City", "LOCATED_IN", "in", "Institution"): 0.3,
    ("Institution", "AFFILIATED_WITH", "in", "Expert"): 0.5,
    ("Institution", "OWNS", "out", "Achievement"): 0.2,
    ("Institution", "PAIRED_WITH", "out", "Enterprise"): 0.2,
    ("Institution", "LOCATED_IN", "out", "City"): 0.1,
    ("Institution", "DEAL", "in", "Enterprise"): 0.05,
    ("Subgroup", "MEMBER_OF", "in", "Expert"): 0.5,
    ("Subgroup", "COVERS", "out", "Industry"): 0.5,
}

_EDGE_WEIGHT = {"MENTIONS": "weight", "COLLABORATES_WITH": "count"}
_DIVISION = re.compile(r"^\d{2}$")


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in kilometres (equirectangular; exact enough within a province).

    >>> round(distance_km(108.37, 22.82, 111.57, 24.40))  # Nanning to Hezhou
    370
    """
    lat = math.radians((lat1 + lat2) / 2)
    dx = math.radians(lon1 - lon2) * math.cos(lat)
    dy = math.radians(lat1 - lat2)
    return 6371.0 * math.hypot(dx, dy)


@dataclass(frozen=True, eq=False)
class LabelTable:
    """The nodes of one label: keys in a fixed order, their positions and global numbers."""

    label: str
    keys: tuple[str, ...]
    pos: Mapping[str, int]
    gid: IntArray  # local position -> global node number

    def __len__(self) -> int:
        return len(self.keys)


@dataclass(frozen=True, eq=False)
class Rel:
    """The relationships of one type between two labels, as sparse matrices in local
    positions: `fwd[i, j]` sums the weights of the relationships source i -> target j."""

    fwd: sp.csr_matrix
    bwd: sp.csr_matrix  # fwd transposed, rows = targets


@dataclass(frozen=True, eq=False)
class Walk:
    """A row-stochastic transition matrix over global node numbers (CSR arrays); `degree`
    counts each row's entries, rows with none are dangling."""

    indptr: IntArray
    indices: IntArray
    data: FloatArray
    degree: IntArray

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.indptr) - 1

    def prob(self, u: int, v: int) -> float:
        """The probability of one step from u to v (0 when there is no such edge)."""
        lo, hi = int(self.indptr[u]), int(self.indptr[u + 1])
        row = self.indices[lo:hi]
        at = int(np.searchsorted(row, v))
        if at < len(row) and row[at] == v:
            return float(self.data[lo + at])
        return 0.0


@dataclass(frozen=True, eq=False)
class Service:
    """Service records by expert (local expert positions) and enterprise."""

    served: sp.csr_matrix  # experts x enterprises: number of SERVED records
    rating_sum: sp.csr_matrix  # experts x enterprises: sum of ratings given
    rating_n: sp.csr_matrix  # experts x enterprises: ratings given
    ongoing: sp.csr_matrix  # experts x enterprises: ongoing records
    strength: sp.csr_matrix  # experts x enterprises: log1p(records) * mean rating / 5
    records: IntArray  # per expert: SERVED records
    mean_rating: FloatArray  # per expert: mean rating (nan without any)
    ongoing_enterprises: IntArray  # per expert: distinct enterprises served right now
    addressed: sp.csr_matrix  # experts x demands: 1 + rating/5 for solved or ongoing
    addressed_rating: sp.csr_matrix  # experts x demands: the rating given (0 without)


@dataclass(frozen=True, eq=False)
class GraphIndex:
    """Everything the recommenders read, for one version of the graph.

    `view` is the graph the arrays were built from (node properties for names, and the
    ground truth that every returned path is checked against)."""

    view: nx.MultiDiGraph
    version: int
    today: str
    node_ids: tuple[str, ...]
    tables: Mapping[str, LabelTable]
    label_of: tuple[str, ...]  # global number -> label
    label_code: npt.NDArray[np.int16]  # global number -> position of its label in `labels`
    labels: tuple[str, ...]
    local_of: IntArray  # global number -> position in its label's table
    rels: Mapping[tuple[str, str, str], Rel]
    walk: Walk
    service: Service
    expert_capacity: IntArray
    expert_commissioner: npt.NDArray[np.bool_]
    expert_city: IntArray  # local city or -1
    expert_institution: IntArray  # local institution or -1
    institution_kind: tuple[str, ...]
    institution_city: IntArray
    county_city: IntArray
    county_xy: FloatArray  # (n_counties, 2) lon/lat, nan when unknown (then the city's)
    city_xy: FloatArray
    enterprise_county: IntArray
    demand_enterprise: IntArray
    demand_status: tuple[str, ...]
    industry_parent: IntArray  # local industry or -1
    industry_division: IntArray  # local industry of the 2-digit division above, or -1
    keyword_idf: FloatArray  # per keyword: log(1 + experts / experts with the skill)
    text: TextSpace
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, label: str) -> LabelTable:
        """The node table of a label (empty when the graph has none)."""
        found = self.tables.get(label)
        if found is None:
            return LabelTable(label, (), {}, np.zeros(0, dtype=np.int64))
        return found

    def rel(self, rel_type: str, source: str, target: str) -> Rel:
        """The typed matrices of `(source)-[rel_type]->(target)` (empty when none)."""
        found = self.rels.get((rel_type, source, target))
        if found is not None:
            return found
        shape = (len(self.table(source)), len(self.table(target)))
        empty = sp.csr_matrix(shape, dtype=np.float64)
        return Rel(empty, sp.csr_matrix((shape[1], shape[0]), dtype=np.float64))

    def gid(self, label: str, key: str) -> int | None:
        """The global number of a node, or None."""
        t = self.tables.get(label)
        if t is None:
            return None
        i = t.pos.get(key)
        return None if i is None else int(t.gid[i])

    def props(self, label: str, local: int) -> Mapping[str, Any]:
        """A node's properties (read-only)."""
        node = self.view._node.get(f"{label}:{self.tables[label].keys[local]}")
        return node if node is not None else {}

    def xy_of_county(self, county: int) -> tuple[float, float]:
        """A county's coordinates, its city's when it has none."""
        x, y = self.county_xy[county]
        if math.isnan(x):
            city = int(self.county_city[county])
            if city < 0:
                return math.nan, math.nan
            x, y = self.city_xy[city]
        return float(x), float(y)


def _today(today: str | None) -> str:
    return today if today is not None else dt.date.today().isoformat()


def build_index(
    view: nx.MultiDiGraph,
    *,
    version: int = 0,
    today: str | None = None,
    tokenize: Callable[[str], Iterable[str]] | None = None,
) -> GraphIndex:
    """Build the arrays of one version of the graph.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The store's read-only view (node ids ``Label:key``, edge keys ``TYPE[|...]``).
    version : int
        The store version the view belongs to.
    today : str, optional
        ISO date that decides which service records are ongoing (default: today).
    tokenize : callable, optional
        Text to terms for the text similarity space (default: words and CJK bigrams).

    Returns
    -------
    GraphIndex
    """
    today = _today(today)
    node_ids = tuple(view._node)
    by_label: dict[str, list[str]] = defaultdict(list)
    label_of: list[str] = []
    local_of = np.empty(len(node_ids), dtype=np.int64)
    for i, nid in enumerate(node_ids):
        label, _, key = nid.partition(":")
        local_of[i] = len(by_label[label])
        by_label[label].append(key)
        label_of.append(label)
    gids: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(label_of):
        gids[label].append(i)
    tables = {
        label: LabelTable(
            label,
            tuple(keys),
            {k: j for j, k in enumerate(keys)},
            np.asarray(gids[label], dtype=np.int64),
        )
        for label, keys in by_label.items()
    }
    number = {nid: i for i, nid in enumerate(node_ids)}

    # typed arrays, not lists: 8 bytes an entry instead of a Python object (12 M edges at scale 100)
    coo: dict[tuple[str, str, str], tuple[array[int], array[int], array[float]]] = defaultdict(
        lambda: (array("q"), array("q"), array("d"))
    )
    served: list[tuple[int, int, Any, bool]] = []
    addressed: list[tuple[int, int, Any, Any]] = []
    nodes = view._node
    for u, nbrs in view._succ.items():
        ui = number[u]
        ul = label_of[ui]
        uloc = int(local_of[ui])
        for v, keyed in nbrs.items():
            vi = number[v]
            vl = label_of[vi]
            vloc = int(local_of[vi])
            for k, attrs in keyed.items():
                t = k.partition("|")[0]
                prop = _EDGE_WEIGHT.get(t)
                w = 1.0
                if prop is not None:
                    value = attrs.get(prop)
                    if isinstance(value, int | float) and value > 0:
                        w = float(value)
                rows, cols, ws = coo[(t, ul, vl)]
                rows.append(uloc)
                cols.append(vloc)
                ws.append(w)
                if t == "SERVED":
                    end = attrs.get("end_on")
                    served.append(
                        (uloc, vloc, attrs.get("rating"), end is None or str(end) >= today)
                    )
                elif t == "ADDRESSED":
                    addressed.append((uloc, vloc, attrs.get("rating"), attrs.get("outcome")))

    sizes = {label: len(t) for label, t in tables.items()}
    rels: dict[tuple[str, str, str], Rel] = {}
    for (t, sl, tl), (rows, cols, ws) in coo.items():
        shape = (sizes[sl], sizes[tl])
        fwd = sp.csr_matrix(
            (np.asarray(ws), (np.asarray(rows), np.asarray(cols))), shape=shape, dtype=np.float64
        )
        fwd.sum_duplicates()
        fwd.sort_indices()
        bwd = fwd.T.tocsr()
        bwd.sort_indices()
        rels[(t, sl, tl)] = Rel(fwd, bwd)

    walk = _walk(coo, tables, len(node_ids))
    empty = LabelTable("", (), {}, np.zeros(0, dtype=np.int64))
    experts = tables.get("Expert", empty)
    n_exp = len(experts)

    def prop_array(label: str, prop: str, default: Any) -> list[Any]:
        t = tables.get(label, empty)
        return [nodes[f"{label}:{k}"].get(prop, default) for k in t.keys]

    def single(rel_type: str, source: str, target: str, fill: int = -1) -> IntArray:
        out = np.full(sizes.get(source, 0), fill, dtype=np.int64)
        r = rels.get((rel_type, source, target))
        if r is not None:
            m = r.fwd
            has = np.diff(m.indptr) > 0
            out[has] = m.indices[m.indptr[:-1][has]]
        return out

    def xy(label: str) -> FloatArray:
        t = tables.get(label, empty)
        arr = np.full((len(t), 2), np.nan)
        for j, k in enumerate(t.keys):
            attrs = nodes[f"{label}:{k}"]
            lon, lat = attrs.get("longitude"), attrs.get("latitude")
            if isinstance(lon, int | float) and isinstance(lat, int | float):
                arr[j] = (lon, lat)
        return arr

    capacity = np.asarray(
        [c if isinstance(c, int) else 3 for c in prop_array("Expert", "capacity", 3)],
        dtype=np.int64,
    )
    industries = tables.get("Industry", empty)
    parent = single("SUBCLASS_OF", "Industry", "Industry")
    division = np.full(len(industries), -1, dtype=np.int64)
    for j in range(len(industries)):
        cur, steps = j, 0
        while cur >= 0 and steps < 8:
            if _DIVISION.match(industries.keys[cur]):
                division[j] = cur
                break
            cur, steps = int(parent[cur]), steps + 1

    n_ent = sizes.get("Enterprise", 0)
    n_dem = sizes.get("Demand", 0)
    service = _service(served, addressed, n_exp, n_ent, n_dem)
    skills = rels.get(("HAS_SKILL", "Expert", "Keyword"))
    n_kw = sizes.get("Keyword", 0)
    df = (
        np.diff(skills.bwd.indptr).astype(np.float64)
        if skills is not None
        else np.zeros(n_kw, dtype=np.float64)
    )
    keyword_idf = np.log1p(max(n_exp, 1) / np.maximum(df, 1.0))

    labels = tuple(tables)
    text = build_text_space(
        {
            label: [_text_of(nodes[f"{label}:{k}"], label) for k in tables.get(label, empty).keys]
            for label in ("Demand", "Achievement", "Enterprise")
        },
        tokenize=tokenize,
    )
    return GraphIndex(
        view=view,
        version=version,
        today=today,
        node_ids=node_ids,
        tables=tables,
        label_of=tuple(label_of),
        label_code=np.asarray([labels.index(x) for x in label_of], dtype=np.int16)
        if len(label_of) < 64
        else _codes(label_of, labels),
        labels=labels,
        local_of=local_of,
        rels=rels,
        walk=walk,
        service=service,
        expert_capacity=capacity,
        expert_commissioner=np.asarray(
            [bool(c) for c in prop_array("Expert", "commissioner", False)], dtype=np.bool_
        ),
        expert_city=single("BASED_IN", "Expert", "City"),
        expert_institution=single("AFFILIATED_WITH", "Expert", "Institution"),
        institution_kind=tuple(str(k or "") for k in prop_array("Institution", "kind", "")),
        institution_city=single("LOCATED_IN", "Institution", "City"),
        county_city=single("IN_CITY", "County", "City"),
        county_xy=xy("County"),
        city_xy=xy("City"),
        enterprise_county=single("LOCATED_IN", "Enterprise", "County"),
        demand_enterprise=_demand_enterprise(rels, n_dem),
        demand_status=tuple(str(s or "open") for s in prop_array("Demand", "status", "open")),
        industry_parent=parent,
        industry_division=division,
        keyword_idf=keyword_idf,
        text=text,
    )


def _codes(label_of: list[str], labels: tuple[str, ...]) -> npt.NDArray[np.int16]:
    code = {label: i for i, label in enumerate(labels)}
    return np.fromiter((code[x] for x in label_of), dtype=np.int16, count=len(label_of))


def _text_of(attrs: Mapping[str, Any], label: str) -> str:
    if label == "Enterprise":
        return str(attrs.get("name") or "")
    return "\n".join(str(attrs.get(p) or "") for p in ("title", "description"))


def _demand_enterprise(rels: Mapping[tuple[str, str, str], Rel], n_dem: int) -> IntArray:
    out = np.full(n_dem, -1, dtype=np.int64)
    r = rels.get(("POSTED", "Enterprise", "Demand"))
    if r is not None:
        m = r.bwd
        has = np.diff(m.indptr) > 0
        out[has] = m.indices[m.indptr[:-1][has]]
    return out


def _service(
    served: list[tuple[int, int, Any, bool]],
    addressed: list[tuple[int, int, Any, Any]],
    n_exp: int,
    n_ent: int,
    n_dem: int,
) -> Service:
    shape = (n_exp, n_ent)
    e = np.asarray([s[0] for s in served], dtype=np.int64)
    n = np.asarray([s[1] for s in served], dtype=np.int64)
    rating = np.asarray(
        [float(s[2]) if isinstance(s[2], int | float) else 0.0 for s in served], dtype=np.float64
    )
    rated = (rating > 0).astype(np.float64)
    ongoing = np.asarray([1.0 if s[3] else 0.0 for s in served], dtype=np.float64)

    def matrix(values: FloatArray) -> sp.csr_matrix:
        m = sp.csr_matrix((values, (e, n)), shape=shape, dtype=np.float64)
        m.sum_duplicates()
        m.eliminate_zeros()
        return m

    count = matrix(np.ones(len(served)))
    rating_sum, rating_n, on = matrix(rating), matrix(rated), matrix(ongoing)
    records = np.bincount(e, minlength=n_exp).astype(np.int64)
    rs = np.bincount(e, weights=rating, minlength=n_exp)
    rn = np.bincount(e, weights=rated, minlength=n_exp)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(rn > 0, rs / np.maximum(rn, 1), np.nan)
    ongoing_ents = np.diff(on.indptr).astype(np.int64)
    strength = count.copy()
    if strength.nnz:
        cr, cc = strength.nonzero()
        rsum = np.asarray(rating_sum[cr, cc]).ravel()
        rcount = np.asarray(rating_n[cr, cc]).ravel()
        mean_here = np.where(rcount > 0, rsum / np.maximum(rcount, 1), 3.5)
        strength = sp.csr_matrix(
            (np.log1p(np.asarray(count[cr, cc]).ravel()) * mean_here / 5.0, (cr, cc)),
            shape=shape,
        )
        strength.sort_indices()

    ae = np.asarray([a[0] for a in addressed], dtype=np.int64)
    ad = np.asarray([a[1] for a in addressed], dtype=np.int64)
    a_rating = np.asarray(
        [float(a[2]) if isinstance(a[2], int | float) else 0.0 for a in addressed],
        dtype=np.float64,
    )
    good = np.asarray([a[3] in ("solved", "ongoing", None) for a in addressed], dtype=np.bool_)
    weight = np.where(good, 1.0 + a_rating / 5.0, 0.0)
    adr = sp.csr_matrix((weight, (ae, ad)), shape=(n_exp, n_dem), dtype=np.float64)
    adr.sum_duplicates()
    adr.eliminate_zeros()
    adr_rating = sp.csr_matrix((a_rating, (ae, ad)), shape=(n_exp, n_dem), dtype=np.float64)
    adr_rating.sum_duplicates()
    return Service(
        served=count,
        rating_sum=rating_sum,
        rating_n=rating_n,
        ongoing=on,
        strength=strength,
        records=records,
        mean_rating=mean,
        ongoing_enterprises=ongoing_ents,
        addressed=adr,
        addressed_rating=adr_rating,
    )


def _walk(
    coo: Mapping[tuple[str, str, str], tuple[array[int], array[int], array[float]]],
    tables: Mapping[str, LabelTable],
    n: int,
) -> Walk:
    """The typed transition matrix (see WALK_SHARES)."""
    groups: dict[tuple[str, str, str, str], int] = {}
    srcs: list[IntArray] = []
    dsts: list[IntArray] = []
    grp: list[IntArray] = []
    wts: list[FloatArray] = []
    for (t, sl, tl), (rows, cols, ws) in coo.items():
        u = tables[sl].gid[np.asarray(rows, dtype=np.int64)]
        v = tables[tl].gid[np.asarray(cols, dtype=np.int64)]
        w = np.asarray(ws, dtype=np.float64)
        for a, b, key in ((u, v, (sl, t, "out", tl)), (v, u, (tl, t, "in", sl))):
            if key not in WALK_SHARES:
                continue
            g = groups.setdefault(key, len(groups))
            srcs.append(a)
            dsts.append(b)
            grp.append(np.full(len(a), g, dtype=np.int64))
            wts.append(w)
    if not srcs:
        zero = np.zeros(n + 1, dtype=np.int64)
        return Walk(zero, np.zeros(0, np.int64), np.zeros(0), np.zeros(n, dtype=np.int64))
    src = np.concatenate(srcs)
    dst = np.concatenate(dsts)
    gr = np.concatenate(grp)
    w = np.concatenate(wts)
    share = np.zeros(len(groups))
    for key, g in groups.items():
        share[g] = WALK_SHARES[key]
    pair = src * len(groups) + gr
    uniq, inv = np.unique(pair, return_inverse=True)
    group_total = np.bincount(inv, weights=w)
    node_share = np.bincount(uniq // len(groups), weights=share[uniq % len(groups)], minlength=n)
    prob = share[gr] / node_share[src] * w / group_total[inv]
    m = sp.csr_matrix((prob, (src, dst)), shape=(n, n), dtype=np.float64)
    m.sum_duplicates()
    m.sort_indices()
    return Walk(
        m.indptr.astype(np.int64),
        m.indices.astype(np.int64),
        m.data.astype(np.float64),
        np.diff(m.indptr).astype(np.int64),
    )
