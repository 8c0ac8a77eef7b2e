"""The feedback loop: a rating recorded now changes the expert's figures and the next
recommendation, without a restart."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Server

RECOMMEND = '{ recommendExperts(demand: "DEM-1", first: 10) { expert { key } score reasons } }'
STATS = "{ serviceStats(groupBy: EXPERT, first: 100) { groups { key services meanRating } } }"
RECORD = """
mutation Record($input: RecordServiceInput!) {
  recordService(input: $input) { service { rating } errors { field message } }
}"""


def expert_item(server: Server, key: str) -> dict[str, Any]:
    items = server.data(RECOMMEND, role="portal")["recommendExperts"]
    return next(i for i in items if i["expert"]["key"] == key)


def expert_stats(server: Server, key: str) -> dict[str, Any]:
    groups = server.data(STATS, role="portal")["serviceStats"]["groups"]
    return next(g for g in groups if g["key"] == key)


def test_bad_ratings_lower_the_figures_and_the_next_recommendation(server: Server) -> None:
    before = expert_item(server, "EXP-1")
    stats = expert_stats(server, "EXP-1")
    assert "平均评分 4.0" in before["reasons"]
    for month in ("01", "02", "03"):
        service = {
            "expert": "EXP-1",
            "enterprise": "ENT-3",  # elsewhere: the expert stays a candidate for DEM-1
            "role": "consultant",
            "startOn": f"2025-{month}-01",
            "endOn": f"2025-{month}-20",
            "rating": 1,
            "outcome": "failed",
        }
        payload = server.data(RECORD, {"input": service}, role="admin")["recordService"]
        assert payload["errors"] == []
    after = expert_item(server, "EXP-1")
    assert after["score"] < before["score"]
    assert "平均评分 4.0" not in after["reasons"]
    now = expert_stats(server, "EXP-1")
    assert now["services"] == stats["services"] + 3
    assert now["meanRating"] < stats["meanRating"]
