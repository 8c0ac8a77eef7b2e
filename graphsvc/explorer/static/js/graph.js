// Drawings: cytoscape.js (from npm, served from ../vendor/) with one style for every view.
//
// Each drawing is registered under a name in window.explorer.graphs, so tests and the
// benchmark can read its state (e.g. which elements carry the "highlighted" class). Labels are
// hidden while zoomed out far enough to make them unreadable, which keeps large drawings fast.

import cytoscape from "../vendor/cytoscape.esm.min.js";
import { KINDS } from "./kinds.js";

export const LARGE_GRAPH = 1000;

const explorer = (window.explorer = window.explorer || {});
explorer.graphs = explorer.graphs || {};

const STYLE = [
  {
    selector: "node",
    style: {
      "background-color": "data(color)",
      shape: "data(shape)",
      label: "data(name)",
      width: "data(size)",
      height: "data(size)",
      "font-size": 11,
      "font-family": "system-ui, Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif",
      color: "#1e293b",
      "text-valign": "bottom",
      "text-margin-y": 3,
      "text-wrap": "ellipsis",
      "text-max-width": 110,
      "min-zoomed-font-size": 7,
      "border-width": 0,
      "border-color": "#0f172a",
    },
  },
  { selector: "node.center", style: { "border-width": 3, "font-weight": "bold", "font-size": 13 } },
  {
    selector: "edge",
    style: {
      width: "data(width)",
      "line-color": "#cbd5e1",
      "curve-style": "straight",
      opacity: 0.8,
    },
  },
  { selector: "node.selected-item", style: { "border-width": 4, "border-color": "#f59e0b" } },
  { selector: "node.highlighted", style: { "border-width": 3, "border-color": "#f59e0b", "z-index": 10 } },
  {
    selector: "edge.highlighted",
    style: {
      "line-color": "#f59e0b",
      width: 4,
      opacity: 1,
      label: "data(label)",
      "font-size": 9,
      color: "#92400e",
      "text-background-color": "#fff",
      "text-background-opacity": 0.8,
      "z-index": 10,
    },
  },
  { selector: ".faded", style: { opacity: 0.15 } },
];

/**
 * A node for drawGraph: { id, label (its kind), key, name } plus optional color, size,
 * ring (0: the centre), classes and position.
 */
export function graphNode({ id, label, key, name, color, size, ring, classes, position, ...extra }) {
  const kind = KINDS[label] || { color: "#94a3b8", shape: "ellipse" };
  return {
    group: "nodes",
    data: {
      id,
      label,
      key,
      name: name || key,
      color: color || kind.color,
      shape: kind.shape,
      size: size || (label === "Keyword" ? 16 : 26),
      ring: ring ?? 1,
      ...extra,
    },
    classes: classes || "",
    position,
  };
}

/** An edge for drawGraph; its id is "source|type|target" unless given. */
export function graphEdge({ source, target, type, label, width, id, ...extra }) {
  return {
    group: "edges",
    data: {
      id: id || `${source}|${type}|${target}`,
      source,
      target,
      type,
      label: label || type,
      width: width || 1.5,
      ...extra,
    },
  };
}

function layoutFor(kind, cy, root) {
  switch (kind) {
    case "preset":
      return { name: "preset", fit: true, padding: 30 };
    case "breadthfirst":
      return { name: "breadthfirst", roots: root ? cy.getElementById(root) : undefined, directed: false, spacingFactor: 1.1, fit: true, padding: 30, animate: false };
    case "cose":
      return { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 80, fit: true, padding: 30, numIter: 600 };
    default:
      return {
        name: "concentric",
        concentric: (node) => 10 - node.data("ring"),
        levelWidth: () => 1,
        minNodeSpacing: 18,
        fit: true,
        padding: 30,
        animate: false,
      };
  }
}

/**
 * How cytoscape renders a drawing of `nodeCount` nodes: always its canvas renderer (its WebGL
 * renderer draws a frame of 5,000 nodes in about a second where WebGL is emulated on the CPU,
 * as on machines without a GPU; the canvas renderer in under 20 ms: docs/explorer.md); above
 * LARGE_GRAPH nodes at one device pixel per CSS pixel, below at the screen's resolution.
 */
export function rendererOptions(nodeCount) {
  return { webgl: false, pixelRatio: nodeCount > LARGE_GRAPH ? 1 : "auto" };
}

/**
 * Draw nodes and edges into `container` and register the drawing as window.explorer.graphs[name].
 * layout: "concentric" (by ring), "breadthfirst" (from `root`), "cose" or "preset" (positions given).
 * Edges whose ends are missing are left out; `renderer` overrides rendererOptions(). Returns the
 * cytoscape instance.
 */
export function drawGraph(container, { name, nodes, edges = [], layout = "concentric", root = null, onNodeTap = null, renderer = {} }) {
  explorer.graphs[name]?.destroy();
  const ids = new Set(nodes.map((n) => n.data.id));
  const kept = edges.filter((e) => ids.has(e.data.source) && ids.has(e.data.target) && e.data.source !== e.data.target);
  const cy = cytoscape({
    container,
    elements: [...nodes, ...dedupe(kept)],
    style: STYLE,
    layout: { name: "preset", fit: false },
    minZoom: 0.02,
    maxZoom: 5,
    boxSelectionEnabled: false,
    ...rendererOptions(nodes.length),
    ...renderer,
  });
  cy.layout(layoutFor(layout, cy, root)).run();
  if (onNodeTap) cy.on("tap", "node", (event) => onNodeTap(event.target.data()));
  explorer.graphs[name] = cy;
  container.dataset.graph = name;
  return cy;
}

function dedupe(edges) {
  const seen = new Map();
  for (const edge of edges) if (!seen.has(edge.data.id)) seen.set(edge.data.id, edge);
  return [...seen.values()];
}

/** Highlight these node and edge ids (fading the rest); no ids: clear the highlight. */
export function highlight(cy, nodeIds = [], edgeIds = []) {
  cy.batch(() => {
    cy.elements().removeClass("highlighted faded");
    if (!nodeIds.length && !edgeIds.length) return;
    let chosen = cy.collection();
    for (const id of [...nodeIds, ...edgeIds]) chosen = chosen.union(cy.getElementById(id));
    chosen.addClass("highlighted");
    cy.elements().difference(chosen).addClass("faded");
  });
}

/** A legend of the node kinds drawn, with their colours; names from `nameOf(label)`. */
export function legend(labels, nameOf) {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const label of labels) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = KINDS[label]?.color || "#94a3b8";
    item.append(swatch, nameOf(label));
    list.append(item);
  }
  return list;
}
