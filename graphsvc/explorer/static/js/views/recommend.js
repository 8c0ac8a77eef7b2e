// Recommendations for a demand or an enterprise: the ranked items, the drawing of their
// explanation paths, and — for the item clicked — its paths highlighted, its reasons and each
// path's share of its score.

import { query } from "../api.js";
import { entityHref, h, kindBadge, number, percent, section } from "../dom.js";
import { drawGraph, graphEdge, graphNode, highlight, legend } from "../graph.js";
import { kindName, relName, t } from "../i18n.js";
import { nodeId } from "../kinds.js";
import { entityField } from "../picker.js";
import { OPEN_DEMANDS, RECOMMEND, RECOMMEND_SOURCE } from "../queries.js";

export const role = "portal";

const TABS = { Demand: ["experts", "achievements"], Enterprise: ["experts", "institutions"] };
const ITEM_LABEL = { experts: "Expert", institutions: "Institution", achievements: "Achievement" };

export async function render(root, { params }) {
  const demand = params.get("demand") || "";
  const enterprise = params.get("enterprise") || "";
  root.append(h("h1", {}, t("view.recommend")), pickerForm(demand, enterprise));
  if (!demand && !enterprise) {
    root.append(await openDemands());
    return;
  }
  const sourceLabel = demand ? "Demand" : "Enterprise";
  const sourceKey = demand || enterprise;
  const { source } = await query(RECOMMEND_SOURCE[sourceLabel], { key: sourceKey });
  if (!source) {
    root.append(h("p", { class: "empty" }, t("entity.notFound")));
    return;
  }
  const tab = TABS[sourceLabel].includes(params.get("tab")) ? params.get("tab") : "experts";
  const variables = sourceLabel === "Demand" ? { demand: sourceKey, first: 10 } : { enterprise: sourceKey, first: 10 };
  const { items } = await query(RECOMMEND[tab], variables);

  root.append(
    h(
      "p",
      { class: "source" },
      kindBadge(sourceLabel),
      " ",
      h("a", { href: entityHref(sourceLabel, source.key) }, source.name),
      h("span", { class: "muted" }, ` ${source.key}`),
    ),
    h(
      "nav",
      { class: "tabs" },
      TABS[sourceLabel].map((name) =>
        h(
          "a",
          {
            href: `#/recommend?${new URLSearchParams({ [sourceLabel.toLowerCase()]: sourceKey, tab: name })}`,
            class: name === tab ? "active" : null,
            dataset: { tab: name },
          },
          t(`recommend.${name}`),
        ),
      ),
    ),
  );
  if (!items.length) {
    root.append(h("p", { class: "empty" }, t("recommend.none")));
    return;
  }
  const itemLabel = ITEM_LABEL[tab];
  const canvas = h("div", { class: "graph", id: "recommend-graph" });
  const detail = h("div", { class: "detail", id: "recommend-detail" }, h("p", { class: "muted" }, t("recommend.clickHint")));
  const list = h("ol", { class: "items" });
  const drawnLabels = new Set([sourceLabel, itemLabel]);
  items.forEach((item) => item.paths.forEach((p) => p.nodes.forEach((n) => drawnLabels.add(n.label))));
  root.append(
    h(
      "div",
      { class: "split recommend" },
      section("recommend.ranked", list),
      h("div", { class: "drawing" }, canvas, legend([...drawnLabels], kindName)),
      detail,
    ),
  );
  const cy = drawPaths(canvas, sourceLabel, source, items, itemLabel);
  cy.on("tap", "node.recommended", (event) => select(items.findIndex((i) => i.entity.key === event.target.data("key"))));
  items.forEach((item, index) => {
    const button = h(
      "button",
      {
        type: "button",
        class: "item",
        dataset: { key: item.entity.key, rank: index + 1 },
        "aria-pressed": "false",
        onclick: () => select(index),
      },
      h("span", { class: "rank" }, index + 1),
      h("span", { class: "name" }, item.entity.name),
      h("span", { class: "score" }, number(item.score, 2)),
    );
    list.append(h("li", {}, button));
  });

  function select(index) {
    const item = items[index];
    list.querySelectorAll("button.item").forEach((b, i) => b.setAttribute("aria-pressed", String(i === index)));
    cy.nodes().removeClass("selected-item");
    cy.getElementById(nodeId(itemLabel, item.entity.key)).addClass("selected-item");
    showPaths(item, item.paths);
    detail.replaceChildren(
      h("h3", {}, kindBadge(itemLabel), " ", h("a", { href: entityHref(itemLabel, item.entity.key) }, item.entity.name)),
      h("p", {}, `${t("recommend.score")} ${number(item.score, 3)}`),
      h("h4", {}, t("recommend.reasons")),
      h("ul", { class: "reasons" }, item.reasons.map((reason) => h("li", {}, reason))),
      h("h4", {}, t("recommend.paths")),
      h(
        "ol",
        { class: "paths" },
        item.paths.map((path, i) =>
          h(
            "li",
            {},
            h(
              "button",
              { type: "button", class: "path", dataset: { path: i }, onclick: () => showPaths(item, [path]) },
              h("span", { class: "share" }, percent(path.share)),
              " ",
              describePath(path),
            ),
          ),
        ),
      ),
      h("button", { type: "button", class: "link", onclick: () => showPaths(item, item.paths) }, t("recommend.allPaths")),
    );
  }

  function showPaths(item, paths) {
    const nodeIds = new Set();
    const edgeIds = new Set();
    for (const path of paths) {
      const { nodes, edges } = pathElements(path);
      nodes.forEach((n) => nodeIds.add(n));
      edges.forEach((e) => edgeIds.add(e.data.id));
    }
    nodeIds.add(nodeId(itemLabel, item.entity.key));
    highlight(cy, [...nodeIds], [...edgeIds]);
  }
}

function pickerForm(demand, enterprise) {
  const demandField = entityField({ name: "demand", labels: ["Demand"], value: demand, placeholder: t("recommend.demandKey") });
  const enterpriseField = entityField({ name: "enterprise", labels: ["Enterprise"], value: enterprise, placeholder: t("recommend.enterpriseKey") });
  return h(
    "form",
    {
      class: "toolbar",
      onsubmit: (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        const d = String(form.get("demand") || "").trim();
        const e = String(form.get("enterprise") || "").trim();
        if (d) location.hash = `#/recommend?${new URLSearchParams({ demand: d })}`;
        else if (e) location.hash = `#/recommend?${new URLSearchParams({ enterprise: e })}`;
      },
    },
    h("label", {}, t("recommend.demand"), " ", demandField),
    h("label", {}, t("recommend.enterprise"), " ", enterpriseField),
    h("button", { type: "submit" }, t("recommend.go")),
  );
}

async function openDemands() {
  const data = await query(OPEN_DEMANDS, { first: 12 });
  const demands = data.demands.edges.map((e) => e.node);
  return section(
    "recommend.openDemands",
    h(
      "ul",
      { class: "chips" },
      demands.map((d) =>
        h(
          "li",
          { dataset: { key: d.key } },
          h("a", { href: `#/recommend?${new URLSearchParams({ demand: d.key })}` }, d.title),
          h("span", { class: "muted" }, ` ${d.enterprise?.name || ""}`),
        ),
      ),
    ),
  );
}

/** The drawing's node and edge ids of one path. */
function pathElements(path) {
  const nodes = path.nodes.map((n) => nodeId(n.label, n.key));
  const edges = path.relationships.map((rel, i) => {
    const [a, b] = [nodes[i], nodes[i + 1]];
    return graphEdge({
      source: rel.forward ? a : b,
      target: rel.forward ? b : a,
      type: rel.type,
      label: relName(rel.type),
    });
  });
  return { nodes, edges };
}

/**
 * Positions left to right: the source, then each path's nodes by their place along it, the
 * recommended items last in rank order; other nodes ordered by the best-ranked item they explain.
 */
export function layeredPositions(sourceId, items, itemLabel) {
  const itemIds = items.map((item) => nodeId(itemLabel, item.entity.key));
  const depth = Math.max(2, ...items.flatMap((item) => item.paths.map((p) => p.nodes.length - 1)));
  const layerOf = new Map([[sourceId, 0]]);
  const rankOf = new Map();
  itemIds.forEach((id, rank) => {
    layerOf.set(id, depth);
    rankOf.set(id, rank);
  });
  items.forEach((item, rank) =>
    item.paths.forEach((path) =>
      path.nodes.forEach((n, i) => {
        const id = nodeId(n.label, n.key);
        if (layerOf.get(id) === 0 || (rankOf.has(id) && layerOf.get(id) === depth)) return;
        layerOf.set(id, Math.min(layerOf.get(id) ?? depth - 1, Math.max(1, Math.min(i, depth - 1))));
        rankOf.set(id, Math.min(rankOf.get(id) ?? rank, rank));
      }),
    ),
  );
  const layers = Array.from({ length: depth + 1 }, () => []);
  for (const [id, layer] of layerOf) layers[layer].push(id);
  const positions = new Map();
  const gap = 46;
  layers.forEach((ids, layer) => {
    ids.sort((a, b) => (rankOf.get(a) ?? 0) - (rankOf.get(b) ?? 0) || a.localeCompare(b));
    ids.forEach((id, i) => positions.set(id, { x: layer * 240, y: (i - (ids.length - 1) / 2) * gap }));
  });
  return positions;
}

function drawPaths(container, sourceLabel, source, items, itemLabel) {
  const sourceId = nodeId(sourceLabel, source.key);
  const nodes = new Map([[sourceId, graphNode({ id: sourceId, label: sourceLabel, key: source.key, name: source.name, size: 42, classes: "center" })]]);
  const edges = [];
  for (const item of items) {
    const id = nodeId(itemLabel, item.entity.key);
    nodes.set(id, graphNode({ id, label: itemLabel, key: item.entity.key, name: item.entity.name, size: 34, classes: "recommended" }));
  }
  for (const item of items) {
    for (const path of item.paths) {
      path.nodes.forEach((n) => {
        const pid = nodeId(n.label, n.key);
        if (!nodes.has(pid)) nodes.set(pid, graphNode({ id: pid, label: n.label, key: n.key, name: n.name }));
      });
      edges.push(...pathElements(path).edges);
    }
  }
  const positions = layeredPositions(sourceId, items, itemLabel);
  for (const node of nodes.values()) node.position = positions.get(node.data.id) || { x: 0, y: 0 };
  return drawGraph(container, { name: "recommend", nodes: [...nodes.values()], edges, layout: "preset" });
}

function describePath(path) {
  const parts = [];
  path.nodes.forEach((node, i) => {
    if (i > 0) {
      const rel = path.relationships[i - 1];
      parts.push(h("span", { class: "rel" }, rel.forward ? ` —${relName(rel.type)}→ ` : ` ←${relName(rel.type)}— `));
    }
    parts.push(h("span", { class: "node", title: kindName(node.label) }, node.name));
  });
  return h("span", { class: "chain" }, parts);
}
