// Collaboration: an expert's ego network, the chain of collaborators between two experts, and
// the brokers of the whole network.

import { query } from "../api.js";
import { entityHref, h, number, section, sortableTable } from "../dom.js";
import { drawGraph, graphEdge, graphNode, highlight } from "../graph.js";
import { t, tieKind } from "../i18n.js";
import { nodeId } from "../kinds.js";
import { entityField } from "../picker.js";
import { BROKERS, COLLABORATION_PATH, NETWORK } from "../queries.js";

export const role = "planner";

const RING_SIZE = [40, 26, 18, 14, 12];

export async function render(root, { params }) {
  const depth = Math.min(3, Math.max(1, Number(params.get("depth")) || 1));
  const { brokers } = await query(BROKERS, { first: 15 });
  const expert = params.get("expert") || brokers[0]?.key || "";
  const other = params.get("to") || "";
  root.append(h("h1", {}, t("view.collaboration")), controls(expert, other, depth));
  if (!expert) {
    root.append(h("p", { class: "empty" }, t("collaboration.noExperts")));
    return;
  }
  const [{ collaborationNetwork: network }, path] = await Promise.all([
    query(NETWORK, { expert, depth, first: 60 }),
    other ? query(COLLABORATION_PATH, { from: expert, to: other, maxHops: 6 }) : Promise.resolve(null),
  ]);
  const row = h("div", { class: "split" });
  root.append(row);
  if (!network) {
    row.append(h("p", { class: "empty" }, t("entity.notFound")));
  } else {
    const canvas = h("div", { class: "graph", id: "network-graph" });
    row.append(
      section(
        "collaboration.network",
        h("p", { class: "muted" }, t("collaboration.networkSummary", { reachable: network.reachable, shown: network.nodes.length - 1, depth: network.depth })),
        canvas,
      ),
    );
    const cy = drawNetwork(canvas, network, depth);
    if (path?.collaborationPath) highlightPath(cy, path.collaborationPath);
  }
  if (other) {
    const { element, draw } = pathSection(path.collaborationPath, expert, other);
    row.append(element);
    draw();
  }
  root.append(brokersSection(brokers, depth));
}

function controls(expert, other, depth) {
  return h(
    "form",
    {
      class: "toolbar",
      onsubmit: (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        const next = new URLSearchParams();
        for (const [name, value] of form) if (String(value).trim()) next.set(name, String(value).trim());
        location.hash = `#/collaboration?${next}`;
      },
    },
    h("label", {}, t("collaboration.expert"), " ", entityField({ name: "expert", labels: ["Expert"], value: expert, placeholder: t("collaboration.expertKey") })),
    h("label", {}, t("collaboration.other"), " ", entityField({ name: "to", labels: ["Expert"], value: other, placeholder: t("collaboration.expertKey") })),
    h("label", {}, t("collaboration.depth"), " ", h("select", { name: "depth" }, [1, 2, 3].map((d) => h("option", { value: d, selected: d === depth }, d)))),
    h("button", { type: "submit" }, t("collaboration.go")),
  );
}

function drawNetwork(container, network, depth) {
  const nodes = network.nodes.map((n) =>
    graphNode({
      id: nodeId("Expert", n.key),
      label: "Expert",
      key: n.key,
      name: n.name,
      ring: n.depth,
      size: RING_SIZE[n.depth] + Math.min(12, n.degree),
      classes: n.depth === 0 ? "center" : "",
    }),
  );
  const edges = network.edges.map((e) =>
    graphEdge({
      source: nodeId("Expert", e.source),
      target: nodeId("Expert", e.target),
      type: "COLLABORATES_WITH",
      label: tieKind(e.kind),
      width: Math.min(8, 1 + e.weight),
    }),
  );
  return drawGraph(container, {
    name: "network",
    nodes,
    edges,
    layout: "concentric",
    onNodeTap: (node) => {
      location.hash = `#/collaboration?${new URLSearchParams({ expert: node.key, depth })}`;
    },
  });
}

/** Highlight, in the ego network, the experts and ties of the chain that it holds. */
function highlightPath(cy, path) {
  const experts = path.experts.map((e) => nodeId("Expert", e.key)).filter((id) => cy.getElementById(id).nonempty());
  const ties = path.ties.flatMap((tie) => {
    const [a, b] = [nodeId("Expert", tie.source), nodeId("Expert", tie.target)];
    return [`${a}|COLLABORATES_WITH|${b}`, `${b}|COLLABORATES_WITH|${a}`];
  });
  if (experts.length > 1) highlight(cy, experts, ties);
}

/** The chain between two experts: its section, and a function drawing it once in the page. */
function pathSection(path, from, to) {
  if (!path) {
    const element = section("collaboration.path", h("p", { class: "empty", id: "no-path" }, t("collaboration.noPath", { from, to })));
    return { element, draw: () => {} };
  }
  const canvas = h("div", { class: "graph short", id: "path-graph" });
  const chain = h(
    "ol",
    { class: "chain-list" },
    path.experts.map((e, i) =>
      h(
        "li",
        { dataset: { key: e.key } },
        h("a", { href: entityHref("Expert", e.key) }, e.name),
        h("span", { class: "muted" }, ` ${e.institution?.name || ""}`),
        i < path.ties.length ? h("span", { class: "tie" }, ` — ${tieKind(path.ties[i].kind)} (${number(path.ties[i].weight, 2)})`) : null,
      ),
    ),
  );
  const element = section("collaboration.path", h("p", {}, t("collaboration.pathSummary", { length: path.length, distance: number(path.distance, 2) })), canvas, chain);
  const draw = () => {
    const nodes = path.experts.map((e, i) =>
      graphNode({ id: nodeId("Expert", e.key), label: "Expert", key: e.key, name: e.name, classes: i === 0 || i === path.experts.length - 1 ? "center" : "", position: { x: i * 140, y: 0 } }),
    );
    const edges = path.ties.map((tie) =>
      graphEdge({ source: nodeId("Expert", tie.source), target: nodeId("Expert", tie.target), type: "COLLABORATES_WITH", label: tieKind(tie.kind), width: Math.min(8, 1 + tie.weight) }),
    );
    drawGraph(canvas, { name: "path", nodes, edges, layout: "preset" });
  };
  return { element, draw };
}

function brokersSection(brokers, depth) {
  return section(
    "collaboration.brokers",
    h("p", { class: "muted" }, t("collaboration.brokersHint")),
    sortableTable(
      [
        { id: "rank", title: "brokers.rank", value: (b) => b.rank, numeric: true },
        {
          id: "name",
          title: "brokers.expert",
          value: (b) => b.expert?.name || b.key,
          cell: (b) => h("a", { href: `#/collaboration?${new URLSearchParams({ expert: b.key, depth })}` }, b.expert?.name || b.key),
        },
        { id: "institution", title: "brokers.institution", value: (b) => b.expert?.institution?.name },
        { id: "score", title: "brokers.score", value: (b) => b.score, cell: (b) => number(b.score, 4), numeric: true },
        { id: "degree", title: "brokers.degree", value: (b) => b.degree, numeric: true },
        { id: "strength", title: "brokers.strength", value: (b) => b.strength, cell: (b) => number(b.strength, 1), numeric: true },
      ],
      brokers,
      { sortBy: "rank", name: "brokers" },
    ),
  );
}
