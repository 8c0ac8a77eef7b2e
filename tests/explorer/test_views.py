"""Each view of the explorer in a real browser against a real server: it loads, shows the
entities the GraphQL API answers, draws them, reacts to clicks; no console errors (checked by
the fixtures); a screenshot of each in var/test-artifacts/explorer/."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.api.conftest import TOKENS, Server
from tests.explorer.conftest import Explorer

GRAPH_NODES = "(name) => window.explorer.graphs[name].nodes().map((n) => n.id())"
HIGHLIGHTED = (
    "(name) => window.explorer.graphs[name].elements('.highlighted').map((e) => e.id()).sort()"
)


def node_id(label: str, key: str) -> str:
    return f"{label}:{key}"


def path_ids(path: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The drawing's node and edge ids of a recommendation path."""
    nodes = [node_id(n["label"], n["key"]) for n in path["nodes"]]
    edges = set()
    for i, rel in enumerate(path["relationships"]):
        a, b = nodes[i], nodes[i + 1]
        source, target = (a, b) if rel["forward"] else (b, a)
        edges.add(f"{source}|{rel['type']}|{target}")
    return set(nodes), edges


def test_search_finds_an_expert_and_opens_its_neighbourhood(
    explorer: Explorer, explorer_server: Server
) -> None:
    data = explorer_server.data(
        """{ experts(filter: {commissioner: true}, first: 1) { edges { node {
             key name institution { key name } industries { code name } } } } }"""
    )
    expert = data["experts"]["edges"][0]["node"]

    explorer.open("#/search")
    explorer.screenshot("search")
    assert explorer.page.locator("table[data-table=stats] tbody tr").count() >= 5

    explorer.open(f"#/search?q={quote(expert['name'])}&label=Expert")
    hit = explorer.page.locator(f"ol.hits li[data-key='{expert['key']}']")
    assert hit.count() == 1
    hit.locator("a").click()
    explorer.wait(view="entity")
    explorer.screenshot("entity-expert")

    assert expert["name"] in explorer.page.locator("h1").inner_text()
    facts = explorer.page.locator("dl.facts").inner_text()
    assert expert["institution"]["name"] in facts
    drawn = set(explorer.js(GRAPH_NODES, "entity"))
    assert node_id("Expert", expert["key"]) in drawn
    assert node_id("Institution", expert["institution"]["key"]) in drawn
    assert {node_id("Industry", i["code"]) for i in expert["industries"]} <= drawn
    # typed, coloured kinds: one colour per label, different labels apart
    colours = explorer.js(
        """() => Object.fromEntries(window.explorer.graphs.entity.nodes()
             .map((n) => [n.data('label'), n.data('color')]))"""
    )
    assert len(set(colours.values())) == len(colours) >= 3
    labels = explorer.js("() => window.explorer.graphs.entity.nodes().map((n) => n.data('name'))")
    assert expert["name"] in labels

    # links onward: the institution's own view, then the collaboration view
    explorer.page.locator(
        f"section[data-rel=AFFILIATED_WITH] a[href$='{quote(expert['institution']['key'])}']"
    ).click()
    explorer.wait(view="entity")
    assert node_id("Institution", expert["institution"]["key"]) in explorer.js(
        GRAPH_NODES, "entity"
    )
    assert expert["institution"]["name"] in explorer.page.locator("h1").inner_text()


def test_enterprise_and_demand_views_link_to_their_recommendations(
    explorer: Explorer, explorer_server: Server
) -> None:
    data = explorer_server.data(
        """{ demands(filter: {status: ["open"]}, first: 1) { edges { node {
             key title enterprise { key name county { code } } keywords { key } } } } }"""
    )
    demand = data["demands"]["edges"][0]["node"]
    enterprise = demand["enterprise"]

    explorer.open(f"#/entity/Enterprise/{quote(enterprise['key'])}")
    drawn = set(explorer.js(GRAPH_NODES, "entity"))
    assert node_id("Demand", demand["key"]) in drawn
    assert node_id("County", enterprise["county"]["code"]) in drawn
    explorer.screenshot("entity-enterprise")

    explorer.open(f"#/entity/Demand/{quote(demand['key'])}")
    drawn = set(explorer.js(GRAPH_NODES, "entity"))
    assert {node_id("Keyword", k["key"]) for k in demand["keywords"][:15]} <= drawn
    explorer.page.locator("nav.actions a").click()
    explorer.wait(view="recommend")
    assert demand["title"] in explorer.page.locator("p.source").inner_text()

    explorer.open("#/entity/Expert/NO-SUCH-EXPERT")
    assert explorer.page.locator("p.empty").count() == 1


def test_recommendations_highlight_the_clicked_items_paths(
    explorer: Explorer, explorer_server: Server
) -> None:
    data = explorer_server.data(
        """{ demands(filter: {status: ["open"]}, first: 1) { edges { node { key } } } }"""
    )
    demand = data["demands"]["edges"][0]["node"]["key"]
    items = explorer_server.data(
        """query($d: String) { recommendExperts(demand: $d, first: 10) {
             expert { key name } reasons
             paths { share nodes { key label } relationships { type forward } } } }""",
        {"d": demand},
        role="portal",
    )["recommendExperts"]
    assert len(items) >= 2

    explorer.open(f"#/recommend?demand={quote(demand)}")
    listed = explorer.page.locator("button.item").evaluate_all(
        "(buttons) => buttons.map((b) => b.dataset.key)"
    )
    assert listed == [item["expert"]["key"] for item in items]
    drawn = set(explorer.js(GRAPH_NODES, "recommend"))
    assert {node_id("Expert", item["expert"]["key"]) for item in items} <= drawn
    assert explorer.js(HIGHLIGHTED, "recommend") == []

    chosen = items[1]
    explorer.page.locator(f"button.item[data-key='{chosen['expert']['key']}']").click()
    expected_nodes: set[str] = {node_id("Expert", chosen["expert"]["key"])}
    expected_edges: set[str] = set()
    for path in chosen["paths"]:
        nodes, edges = path_ids(path)
        expected_nodes |= nodes
        expected_edges |= edges
    assert set(explorer.js(HIGHLIGHTED, "recommend")) == expected_nodes | expected_edges
    faded = explorer.js("() => window.explorer.graphs.recommend.elements('.faded').length")
    assert faded > 0
    detail = explorer.page.locator("#recommend-detail")
    assert detail.locator("ul.reasons li").count() == len(chosen["reasons"])
    shares = detail.locator("button.path .share").all_inner_texts()
    assert shares == [f"{path['share'] * 100:.1f}%" for path in chosen["paths"]]
    explorer.screenshot("recommend")

    # one path alone
    detail.locator("button.path").first.click()
    nodes, edges = path_ids(chosen["paths"][0])
    assert set(explorer.js(HIGHLIGHTED, "recommend")) == nodes | edges

    # achievements for the same demand
    explorer.page.locator("nav.tabs a[data-tab=achievements]").click()
    explorer.wait(view="recommend")
    achievements = explorer_server.data(
        """query($d: String!) { recommendAchievements(demand: $d, first: 10) {
             achievement { key } } }""",
        {"d": demand},
        role="portal",
    )["recommendAchievements"]
    listed = explorer.page.locator("button.item").evaluate_all(
        "(buttons) => buttons.map((b) => b.dataset.key)"
    )
    assert listed == [a["achievement"]["key"] for a in achievements]


def test_recommendations_for_an_enterprise_include_institutions(
    explorer: Explorer, explorer_server: Server
) -> None:
    data = explorer_server.data(
        """{ enterprises(filter: {benchmark: true, paired: false}, first: 1) {
             edges { node { key name } } } }"""
    )
    enterprise = data["enterprises"]["edges"][0]["node"]
    institutions = explorer_server.data(
        """query($e: String!) { recommendInstitutions(enterprise: $e, first: 10) {
             institution { key } } }""",
        {"e": enterprise["key"]},
        role="portal",
    )["recommendInstitutions"]
    explorer.open(f"#/recommend?enterprise={quote(enterprise['key'])}&tab=institutions")
    listed = explorer.page.locator("button.item").evaluate_all(
        "(buttons) => buttons.map((b) => b.dataset.key)"
    )
    assert listed == [i["institution"]["key"] for i in institutions]
    explorer.page.locator("button.item").first.click()
    highlighted = explorer.js(HIGHLIGHTED, "recommend")
    assert node_id("Enterprise", enterprise["key"]) in highlighted
    assert node_id("Institution", institutions[0]["institution"]["key"]) in highlighted
    explorer.screenshot("recommend-enterprise")


def test_clusters_are_coloured_by_community_with_summaries_and_gaps(
    explorer: Explorer, explorer_server: Server
) -> None:
    data = explorer_server.data(
        """{ clusters(first: 20) { clusters { id size topExperts { expert { key } } } }
             coverage { industryGaps(first: 20) { code } } }""",
        role="planner",
    )
    clusters = data["clusters"]["clusters"]
    explorer.open("#/clusters")
    explorer.screenshot("clusters")

    rows = explorer.page.locator("table[data-table=clusters] tbody tr")
    assert rows.count() == len(clusters)
    colour_of = explorer.js(
        """() => Object.fromEntries(window.explorer.graphs.clusters.nodes('[label = "Expert"]')
             .map((n) => [n.data('key'), [n.data('cluster'), n.data('color')]]))"""
    )
    for cluster in clusters:
        for member in cluster["topExperts"]:
            assert colour_of[member["expert"]["key"]][0] == cluster["id"]
    colours = {c: colour for c, colour in colour_of.values()}
    assert len(set(list(colours.values())[:12])) == min(12, len(colours))

    explorer.page.locator("button.cluster-chip[data-cluster='1']").click()
    highlighted_clusters = explorer.js(
        """() => [...new Set(window.explorer.graphs.clusters.nodes('.highlighted')
             .map((n) => n.data('cluster')))]"""
    )
    assert highlighted_clusters == [1]

    gaps = explorer.page.locator("table[data-table=industry-gaps] tbody tr")
    assert gaps.count() == len(data["coverage"]["industryGaps"])
    first_gap = data["coverage"]["industryGaps"][0]["code"]
    assert (
        explorer.page.locator(f"table[data-table=industry-gaps] a[href$='/{first_gap}']").count()
        == 1
    )


def test_coverage_lists_cities_counties_and_three_no_enterprises_sortably(
    explorer: Explorer, explorer_server: Server
) -> None:
    data = explorer_server.data(
        """{ coverage { pairingCoverage commissionerCoverage threeNoTotal
               threeNoEnterprises(first: 5) { key } }
             counties(first: 1) { totalCount } cities(first: 1) { totalCount } }""",
        role="portal",
    )
    explorer.open("#/coverage")
    explorer.screenshot("coverage")

    cards = explorer.page.locator(".cards").inner_text()
    assert f"{data['coverage']['pairingCoverage'] * 100:.1f}%" in cards
    assert f"{data['coverage']['commissionerCoverage'] * 100:.1f}%" in cards
    counties = explorer.page.locator("table[data-table=counties] tbody tr")
    assert counties.count() == data["counties"]["totalCount"]
    assert (
        explorer.page.locator("table[data-table=cities] tbody tr").count()
        == data["cities"]["totalCount"]
    )
    three_no = explorer.page.locator("table[data-table=three-no] tbody tr")
    assert three_no.count() == min(100, data["coverage"]["threeNoTotal"])
    shown = explorer.page.locator("table[data-table=three-no]").inner_text()
    assert all(
        explorer.page.locator(f"table[data-table=three-no] a[href$='/{e['key']}']").count() == 1
        for e in data["coverage"]["threeNoEnterprises"]
    ), shown

    # sort the counties by benchmark enterprises, both ways
    header = explorer.page.locator("table[data-table=counties] th[data-column=benchmark]")
    column = "(rows) => rows.map((r) => Number(r.children[3].textContent))"
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    values = counties.evaluate_all(column)
    assert values == sorted(values, reverse=True) and values[0] > 0
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert counties.evaluate_all(column) == sorted(values)


def test_collaboration_shows_ego_network_path_and_brokers(
    explorer: Explorer, explorer_server: Server
) -> None:
    brokers = explorer_server.data(
        "{ brokers(first: 15) { key expert { name } } }", role="planner"
    )["brokers"]
    centre = brokers[0]["key"]
    network = explorer_server.data(
        """query($e: String!) { collaborationNetwork(expert: $e, depth: 2, first: 60) {
             nodes { key depth } } }""",
        {"e": centre},
        role="planner",
    )["collaborationNetwork"]

    explorer.open("#/collaboration?depth=2")
    names = explorer.page.locator("table[data-table=brokers] tbody tr td:nth-child(2)")
    assert names.all_inner_texts() == [b["expert"]["name"] for b in brokers]
    drawn = set(explorer.js(GRAPH_NODES, "network"))
    assert drawn == {node_id("Expert", n["key"]) for n in network["nodes"]}
    centre_classes = explorer.js(
        "(id) => window.explorer.graphs.network.getElementById(id).classes()",
        node_id("Expert", centre),
    )
    assert "center" in centre_classes

    far = next(n["key"] for n in network["nodes"] if n["depth"] == 2)
    path = explorer_server.data(
        """query($a: String!, $b: String!) { collaborationPath(from: $a, to: $b, maxHops: 6) {
             experts { key } } }""",
        {"a": centre, "b": far},
        role="planner",
    )["collaborationPath"]
    explorer.open(f"#/collaboration?expert={quote(centre)}&to={quote(far)}&depth=1")
    chain = explorer.page.locator("ol.chain-list li").evaluate_all(
        "(items) => items.map((li) => li.dataset.key)"
    )
    assert chain == [e["key"] for e in path["experts"]]
    assert set(explorer.js(GRAPH_NODES, "path")) == {
        node_id("Expert", e["key"]) for e in path["experts"]
    }
    # the chain is highlighted where the ego network (one tie deep) holds it
    in_network = set(explorer.js(HIGHLIGHTED, "network"))
    assert node_id("Expert", centre) in in_network
    assert {i for i in in_network if "|" not in i} <= {
        node_id("Expert", e["key"]) for e in path["experts"]
    }
    assert any("|COLLABORATES_WITH|" in i for i in in_network)
    explorer.screenshot("collaboration")

    # clicking a broker centres the network on them
    explorer.page.locator("table[data-table=brokers] tbody tr").nth(1).locator("a").click()
    explorer.wait(view="collaboration")
    assert node_id("Expert", brokers[1]["key"]) in explorer.js(GRAPH_NODES, "network")


def test_the_language_toggle_switches_every_view(make_explorer: Any) -> None:
    explorer = make_explorer(TOKENS["planner"], "zh")
    explorer.open("#/search")
    nav = explorer.page.locator("nav.views")
    assert "搜索" in nav.inner_text()
    explorer.page.locator("#language").click()
    explorer.wait(view="search")
    assert "Search" in nav.inner_text() and "搜索" not in nav.inner_text()
    assert explorer.js("() => document.documentElement.lang") == "en"
    assert explorer.page.locator("#language").inner_text() == "中文"

    for view in ["search", "recommend", "clusters", "coverage", "collaboration"]:
        explorer.open(f"#/{view}")  # the choice is remembered across loads
        assert explorer.js("() => document.documentElement.lang") == "en"
    explorer.screenshot("collaboration-english")
    explorer.page.locator("#language").click()
    explorer.wait(view="collaboration")
    assert "合作网络" in explorer.page.locator("h1").inner_text()
    assert explorer.js("() => window.explorer.missingStrings") == []


def test_views_say_which_role_they_need_and_when_a_token_is_wrong(make_explorer: Any) -> None:
    public = make_explorer(None)
    public.open("#/clusters", status="error")
    notice = public.page.locator("#notice")
    assert notice.get_attribute("data-kind") == "forbidden"
    assert "规划（planner）" in notice.inner_text()
    public.open("#/coverage", status="error")
    assert "门户（portal）" in notice.inner_text()
    public.open("#/search")  # public views still work
    assert not notice.is_visible()
    public.screenshot("forbidden")

    portal = make_explorer(TOKENS["portal"], "en")
    portal.open("#/collaboration", status="error")
    assert "planner" in portal.page.locator("#notice").inner_text()
    portal.open("#/coverage")

    wrong = make_explorer("not-a-token")
    wrong.expected_errors.append("401")  # the browser logs the refused request itself
    wrong.open("#/search", status="error")
    assert wrong.page.locator("#notice").get_attribute("data-kind") == "auth"
    assert "401" in wrong.page.locator("#notice").inner_text()
    # entering a good token in the field recovers
    wrong.page.locator("#token-form input[name=token]").fill(TOKENS["planner"])
    wrong.page.locator("#token-form button[type=submit]").click()
    wrong.wait(view="search")
    token = wrong.js("() => sessionStorage.getItem('graphsvc.explorer.token')")
    assert token == TOKENS["planner"]


def test_a_plan_is_shown_before_it_is_committed(
    explorer: Explorer, explorer_server: Server, make_explorer: Any
) -> None:
    plan = explorer_server.data(
        """{ planPairing { version assignmentCount coverage { shareAfter }
             assignments(first: 100) { enterprise { key } institution { key } } } }""",
        role="planner",
    )["planPairing"]
    assert plan["assignments"], "the demo data leaves benchmark enterprises to pair"
    removed = plan["assignments"][0]["institution"]["key"]
    what_if = explorer_server.data(
        """query($r: [String!]) { planWhatIf(kind: PAIRING, variant: {remove: $r}) {
             counties { code } } }""",
        {"r": [removed]},
        role="planner",
    )["planWhatIf"]

    explorer.open("#/coverage")
    form = explorer.page.locator("#plan-form")
    form.locator("select[name=kind]").select_option("PAIRING")
    form.locator("button[type=submit]").click()
    explorer.page.wait_for_selector("#plan[data-status=ready]", state="attached", timeout=60_000)
    result = explorer.page.locator("#plan")
    assert "未提交" in result.locator(".plan-state").inner_text()
    assert f"{plan['coverage']['shareAfter'] * 100:.1f}%" in result.locator(".cards").inner_text()
    listed = result.locator("table[data-table=plan-assignments] tbody tr td:first-child a")
    hrefs = listed.evaluate_all("(links) => links.map((a) => decodeURIComponent(a.hash))")
    expected = [f"#/entity/Enterprise/{a['enterprise']['key']}" for a in plan["assignments"]]
    assert sorted(hrefs) == sorted(expected)
    explorer.screenshot("coverage-plan")

    form.locator("input[name=remove]").fill(removed)
    form.locator("button[type=submit]").click()
    explorer.page.wait_for_selector("#plan[data-status=ready] .what-if", state="attached")
    rows = result.locator("table[data-table=what-if-counties] tbody tr:not(:has(td.empty))")
    assert rows.count() == len(what_if["counties"])

    portal = make_explorer(TOKENS["portal"])
    portal.open("#/coverage")
    portal.page.locator("#plan-form button[type=submit]").click()
    portal.page.wait_for_selector("#plan[data-status=error]", state="attached")
    notice = portal.page.locator("#notice")
    assert notice.get_attribute("data-kind") == "forbidden"
    assert "规划（planner）" in notice.inner_text()
