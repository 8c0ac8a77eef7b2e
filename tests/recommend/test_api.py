"""recommend* through the GraphQL schema in process, and over HTTP from a real server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.auth import Role
from graphsvc.cache import VersionedCache
from graphsvc.schema import Context, build_schema
from graphsvc.schema.recommend import MODEL_KEY
from graphsvc.store import Batch, MemoryStore
from graphsvc.text import Segmenter
from tests.api.conftest import Server, load_folder, start_server, stop_server

PATH_FIELDS = "paths { share nodes { id key label name } relationships { type forward } }"
EXPERTS = f"""
query($d: String, $n: String, $first: Int, $f: RecommendFilter) {{
  recommendExperts(demand: $d, enterprise: $n, first: $first, filter: $f) {{
    expert {{ key name }} score reasons {PATH_FIELDS}
  }}
}}"""


class Runner:
    """Runs queries in process against one store, with one cache (as the app shares one)."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.schema = build_schema()
        self.cache = VersionedCache()
        self.segmenter = Segmenter()

    def __call__(self, query: str, role: Role = Role.PORTAL, **variables: Any) -> Any:
        ctx = Context(store=self.store, segmenter=self.segmenter, role=role, cache=self.cache)
        return asyncio.run(self.schema.execute(query, variable_values=variables, context_value=ctx))


@pytest.fixture(scope="module")
def run(small_store: MemoryStore) -> Runner:
    return Runner(small_store)


def walk_paths(view: Any, items: list[dict[str, Any]], entity: str) -> None:
    for item in items:
        for p in item["paths"]:
            nodes = [f"{n['label']}:{n['key']}" for n in p["nodes"]]
            assert nodes[-1].endswith(item[entity]["key"])
            for rel, u, v in zip(p["relationships"], nodes[:-1], nodes[1:], strict=True):
                a, b = (u, v) if rel["forward"] else (v, u)
                assert any(k.partition("|")[0] == rel["type"] for k in view[a][b])


def test_recommend_experts_in_process(run: Runner, small_store: MemoryStore) -> None:
    demand = small_store.view().graph.get("x") or "DEM-000010"
    result = run(EXPERTS, d=demand, first=5)
    assert result.errors is None, result.errors
    items = result.data["recommendExperts"]
    assert 0 < len(items) <= 5
    assert items == sorted(items, key=lambda i: -i["score"])
    assert all(i["reasons"] and i["paths"] for i in items)
    assert items[0]["paths"][0]["nodes"][0]["key"] == demand
    walk_paths(small_store.view(), items, "expert")


def test_recommendations_need_the_portal_role(run: Runner) -> None:
    result = run(EXPERTS, role=Role.PUBLIC, d="DEM-000010")
    assert result.data == {"recommendExperts": None}
    assert result.errors[0].extensions["code"] == "FORBIDDEN"


def test_bad_input_is_a_clear_error(run: Runner) -> None:
    for variables, message in (
        ({"d": "DEM-000010", "n": "ENT-000001"}, "exactly one"),
        ({"d": "nope"}, "no demand"),
        ({"d": "DEM-000010", "f": {"city": "999999"}}, "no city"),
        ({"d": "DEM-000010", "first": 101}, "between 0 and 100"),
    ):
        result = run(EXPERTS, **variables)
        assert result.errors, variables
        assert message in result.errors[0].message


def test_filter_through_graphql(run: Runner, small_store: MemoryStore) -> None:
    result = run(
        EXPERTS,
        n="ENT-000001",
        first=20,
        f={"commissionersOnly": True, "maxPerInstitution": 1, "includeAtCapacity": True},
    )
    assert result.errors is None, result.errors
    view = small_store.view()
    for item in result.data["recommendExperts"]:
        assert view.nodes[f"Expert:{item['expert']['key']}"].get("commissioner") is True


def test_other_recommenders_in_process(run: Runner, small_store: MemoryStore) -> None:
    query = f"""{{
      recommendInstitutions(enterprise: "ENT-000001", first: 3) {{
        institution {{ key kind }} score reasons {PATH_FIELDS} }}
      recommendAchievements(demand: "DEM-000010", first: 3) {{
        achievement {{ key title }} score reasons {PATH_FIELDS} }}
      recommendDemands(expert: "EXP-000001", first: 3) {{
        demand {{ key status }} score reasons {PATH_FIELDS} }}
      recommendCollaborators(expert: "EXP-000001", first: 3) {{
        expert {{ key }} score reasons {PATH_FIELDS} }}
    }}"""
    result = run(query)
    assert result.errors is None, result.errors
    data = result.data
    view = small_store.view()
    walk_paths(view, data["recommendInstitutions"], "institution")
    walk_paths(view, data["recommendAchievements"], "achievement")
    walk_paths(view, data["recommendDemands"], "demand")
    walk_paths(view, data["recommendCollaborators"], "expert")
    assert all(d["demand"]["status"] == "open" for d in data["recommendDemands"])
    assert len(data["recommendInstitutions"]) == 3


def test_a_write_bumps_the_version_and_the_model_is_rebuilt(
    tmp_path: Path, small_dir: Path
) -> None:
    store = MemoryStore(tmp_path / "graph")
    try:
        from graphsvc.loaders.load import load_dataset

        load_dataset(store, small_dir)
        run = Runner(store)
        query = (
            '{ recommendExperts(demand: "DEM-000010", first: 50, '
            "filter: {includeAtCapacity: true}) { expert { key } } }"
        )
        before = run(query).data["recommendExperts"]
        first_model = run.cache.get(store.version, MODEL_KEY, lambda: None)
        assert first_model is not None and first_model.version == store.version
        # a new expert with the demand's keywords, industry and city
        view = store.view()
        d = "Demand:DEM-000010"
        kws = [v.partition(":")[2] for v in view.successors(d) if v.startswith("Keyword:")]
        inds = [v.partition(":")[2] for v in view.successors(d) if v.startswith("Industry:")]
        batch = Batch()
        batch.upsert_node("Expert", "EXP-NEW", {"key": "EXP-NEW", "name": "新专家", "capacity": 3})
        for k in kws:
            batch.upsert_rel("HAS_SKILL", ("Expert", "EXP-NEW"), ("Keyword", k))
        for i in inds:
            batch.upsert_rel("EXPERT_IN", ("Expert", "EXP-NEW"), ("Industry", i))
        store.apply(batch)
        after = run(query).data["recommendExperts"]
        assert "EXP-NEW" not in [i["expert"]["key"] for i in before]
        assert "EXP-NEW" in [i["expert"]["key"] for i in after]
        rebuilt = run.cache.get(store.version, MODEL_KEY, lambda: None)
        assert rebuilt is not None and rebuilt is not first_model
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, small_dir: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("rec-server")
    load_folder(small_dir, tmp / "graph")
    s = start_server(tmp / "graph", tmp)
    yield s
    stop_server(s)


def test_recommend_experts_over_http(server: Server, small_store: MemoryStore) -> None:
    response = server.post(EXPERTS, {"d": "DEM-000010", "first": 5})
    assert response.status_code == 200
    assert response.json()["data"] == {"recommendExperts": None}  # anonymous: public role
    data = server.data(EXPERTS, {"d": "DEM-000010", "first": 5}, role="portal")
    items = data["recommendExperts"]
    assert len(items) == 5
    walk_paths(small_store.view(), items, "expert")
    again = server.data(EXPERTS, {"d": "DEM-000010", "first": 5}, role="portal")
    assert again == data  # the same graph version: the same answer


def test_a_slow_build_answers_a_clear_error_and_lands_in_the_cache(
    small_store: MemoryStore,
) -> None:
    from graphsvc.schema.limits import Limits

    run = Runner(small_store)

    async def once(limits: Limits) -> Any:
        ctx = Context(
            store=small_store,
            segmenter=run.segmenter,
            role=Role.PORTAL,
            cache=run.cache,
            limits=limits,
        )
        variables = {"d": "DEM-000010"}
        return await run.schema.execute(EXPERTS, variable_values=variables, context_value=ctx)

    def built() -> bool:
        def missing() -> None:
            raise LookupError

        try:
            run.cache.get(small_store.version, MODEL_KEY, missing)
        except LookupError:
            return False
        return True

    async def twice() -> tuple[Any, Any]:
        first = await once(Limits(query_timeout=0.02))  # far less than a build takes
        for _ in range(300):  # the build goes on in its thread
            if built():
                break
            await asyncio.sleep(0.1)
        return first, await once(Limits())

    first, second = asyncio.run(twice())
    assert first.errors and "being built" in first.errors[0].message
    assert second.errors is None, second.errors
