"""A query's cost is bounded as the graph grows: each keyword, industry... of the source makes
at most `CANDIDATES_PER_ENTRY` experts candidates (its strongest), and a text look-up reads at
most `postings_kept` documents per term (those where the term weighs most)."""

from __future__ import annotations

import numpy as np
import pytest

from graphsvc.algorithms import recommend
from graphsvc.algorithms.recommend import (
    _demand_source,
    _expert_candidates,
    _label_values,
    _ppr,
    _text_owner_scores,
    build_model,
    recommend_achievements,
    recommend_demands,
    recommend_experts,
)
from graphsvc.algorithms.textsim import build_text_space
from graphsvc.store import MemoryStore

from .conftest import TODAY

BOUND = 12


def test_each_entry_makes_only_its_strongest_experts_candidates(
    small_store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recommend, "CANDIDATES_PER_ENTRY", BOUND)
    model = build_model(small_store.view(), version=small_store.version, today=TODAY)
    standing = (
        model.weights["activity"] * model.activity + model.weights["rating"] * model.rating_prior
    )
    cut = 0
    for channel in model.channels.values():
        if not channel.generates:
            continue
        full, kept = channel.expert_t, channel.generator
        for row in range(full.shape[0]):
            everyone = full.indices[full.indptr[row] : full.indptr[row + 1]]
            chosen = kept.indices[kept.indptr[row] : kept.indptr[row + 1]]
            assert len(chosen) == min(BOUND, len(everyone))
            if len(chosen) == len(everyone):
                continue
            cut += 1
            values = full.data[full.indptr[row] : full.indptr[row + 1]]
            value = dict(zip(everyone.tolist(), values.tolist(), strict=True))
            rank = {e: (value[e], standing[e]) for e in everyone.tolist()}
            dropped = set(everyone.tolist()) - set(chosen.tolist())
            assert min(rank[e] for e in chosen.tolist()) >= max(rank[e] for e in dropped)
    assert cut > 0  # the bound was reached somewhere, so the test checked something
    for channel in model.channels.values():
        if channel.generates:  # the push list's candidates: open demands, as many at most
            rows = channel.demand_generator
            assert np.diff(rows.indptr).max() <= BOUND
            assert model.open_demands[rows.indices].all()
    achievements = model.achievements
    for rows in (achievements.by_keyword, achievements.by_industry):
        assert np.diff(rows.indptr).max() == BOUND

    demand = model.index.table("Demand").keys[0]
    source = _demand_source(model, demand)
    ppr = _label_values(model, *_ppr(model, source.gid), "Expert")
    text = _text_owner_scores(model, source.text)
    entries = sum(
        int(np.count_nonzero(source.vectors[name]))
        for name, c in model.channels.items()
        if c.generates
    )
    candidates = _expert_candidates(model, source, ppr, text)
    assert len(candidates) <= entries * BOUND + recommend.PPR_CANDIDATES + len(text[0])
    assert len(recommend_experts(model, demand=demand, first=5)) == 5
    expert = model.index.table("Expert").keys[0]
    pushed = recommend_demands(model, expert=expert, first=5)
    assert pushed and all(
        model.index.demand_status[model.index.table("Demand").pos[r.key]] == "open" for r in pushed
    )
    assert len(recommend_achievements(model, demand=demand, first=5)) == 5


def test_a_text_look_up_reads_only_the_heaviest_postings_of_each_term() -> None:
    texts = ["碳酸钙 粉体", "碳酸钙", "碳酸钙 表面 改性 工艺 流程", "甘蔗 品种"]
    full = build_text_space({"Achievement": texts})
    pruned = build_text_space({"Achievement": texts}, postings_kept=2)
    q = full.vector("碳酸钙")
    docs, _ = full.scores("Achievement", q)
    assert sorted(docs.tolist()) == [0, 1, 2]
    docs, _ = pruned.scores("Achievement", q)
    assert sorted(docs.tolist()) == [0, 1]  # where 碳酸钙 weighs most: the shortest texts
    assert pruned.row("Achievement", 2)[0].tolist() == full.row("Achievement", 2)[0].tolist()
    assert [d for d, _ in pruned.similar("Achievement", q, 3)] == [1, 0]
