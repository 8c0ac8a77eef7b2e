// Industry–expert clusters: each cluster's top experts and industries drawn in its community's
// colour, a sortable summary per cluster, and the industry gaps.

import { query } from "../api.js";
import { entityHref, h, number, section, sortableTable } from "../dom.js";
import { drawGraph, graphEdge, graphNode, highlight } from "../graph.js";
import { t } from "../i18n.js";
import { communityColor, nodeId } from "../kinds.js";
import { CLUSTERS, GAPS } from "../queries.js";

export const role = "planner";

const PROJECTIONS = ["INDUSTRY_EXPERT", "COLLABORATION"];

export async function render(root, { params }) {
  const projection = PROJECTIONS.includes(params.get("projection")) ? params.get("projection") : "INDUSTRY_EXPERT";
  const resolution = Number(params.get("resolution")) > 0 ? Number(params.get("resolution")) : 1;
  const first = Math.min(100, Math.max(1, Number(params.get("first")) || 20));
  root.append(h("h1", {}, t("view.clusters")), controls(projection, resolution, first));

  const [{ clusters: result }, { coverage }] = await Promise.all([
    query(CLUSTERS, { projection, resolution, first }),
    query(GAPS, { first: 20 }),
  ]);
  const clusters = result.clusters;
  root.append(
    h(
      "p",
      { class: "summary" },
      t("clusters.summary", {
        count: result.clusterCount,
        experts: result.experts,
        edges: result.edges,
        modularity: number(result.modularity, 3),
        unassigned: result.unassignedOpenDemands,
      }),
    ),
  );
  const canvas = h("div", { class: "graph tall", id: "clusters-graph" });
  root.append(h("div", { class: "drawing" }, canvas, h("p", { class: "muted" }, t("clusters.drawingHint"))));
  const cy = drawClusters(canvas, clusters);

  const show = (cluster) => {
    const ids = cy.nodes().filter((n) => n.data("cluster") === cluster.id).map((n) => n.id());
    const edgeIds = cy.edges().filter((e) => e.source().data("cluster") === cluster.id && e.target().data("cluster") === cluster.id).map((e) => e.id());
    highlight(cy, ids, edgeIds);
  };
  root.append(
    section(
      "clusters.table",
      sortableTable(
        [
          {
            id: "id",
            title: "clusters.id",
            value: (c) => c.id,
            cell: (c) =>
              h("button", { type: "button", class: "cluster-chip", style: `background:${communityColor(c.id)}`, dataset: { cluster: c.id }, onclick: () => show(c) }, `#${c.id}`),
            numeric: true,
          },
          { id: "size", title: "clusters.size", value: (c) => c.size, numeric: true },
          { id: "industries", title: "clusters.industries", value: (c) => names(c.topIndustries.map((x) => x.industry), 4) },
          { id: "experts", title: "clusters.experts", value: (c) => names(c.topExperts.map((x) => x.expert), 3) },
          { id: "counties", title: "clusters.counties", value: (c) => names(c.topCounties.map((x) => x.county), 3) },
          { id: "open", title: "clusters.openDemands", value: (c) => c.openDemands, numeric: true },
          { id: "balance", title: "clusters.balance", value: (c) => c.demandExpertRatio, cell: (c) => number(c.demandExpertRatio, 2), numeric: true },
        ],
        clusters,
        { sortBy: "id", name: "clusters" },
      ),
    ),
    gapsSection(coverage.industryGaps, clusters),
  );
}

function names(items, limit) {
  return items.slice(0, limit).map((x) => x.name).join("、");
}

function controls(projection, resolution, first) {
  return h(
    "form",
    {
      class: "toolbar",
      onsubmit: (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        location.hash = `#/clusters?${new URLSearchParams(form)}`;
      },
    },
    h(
      "label",
      {},
      t("clusters.projection"),
      " ",
      h("select", { name: "projection" }, PROJECTIONS.map((p) => h("option", { value: p, selected: p === projection }, t(`projection.${p}`)))),
    ),
    h("label", {}, t("clusters.resolution"), " ", h("input", { name: "resolution", type: "number", step: "0.1", min: "0.1", max: "100", value: resolution })),
    h("label", {}, t("clusters.first"), " ", h("input", { name: "first", type: "number", min: "1", max: "100", value: first })),
    h("button", { type: "submit" }, t("clusters.go")),
  );
}

/** The radius of a ring of `count` nodes `spacing` apart. */
const ringRadius = (count, spacing) => (count > 1 ? Math.max(spacing, (count * spacing) / (2 * Math.PI)) : 0);

/**
 * Cluster centres on a grid; each cluster's industries on an inner ring, its experts on a ring
 * outside it. groups: [{ inner: [ids], outer: [ids] }] → Map(id → {x, y}).
 */
export function clusterLayout(groups) {
  const rings = groups.map((g) => {
    const inner = ringRadius(g.inner.length, 44);
    return { inner, outer: Math.max(inner + 60, ringRadius(g.outer.length, 44)) };
  });
  const columns = Math.max(1, Math.ceil(Math.sqrt(groups.length)));
  const cell = 2 * Math.max(60, ...rings.map((r) => r.outer)) + 90;
  const positions = new Map();
  groups.forEach((g, i) => {
    const cx = (i % columns) * cell;
    const cy = Math.floor(i / columns) * cell;
    const ring = (ids, r) =>
      ids.forEach((id, j) => {
        const angle = (2 * Math.PI * j) / Math.max(1, ids.length);
        positions.set(id, { x: cx + r * Math.cos(angle), y: cy + r * Math.sin(angle) });
      });
    ring(g.inner, rings[i].inner);
    ring(g.outer, rings[i].outer);
  });
  return positions;
}

function drawClusters(container, clusters) {
  // An industry belongs to the cluster with most of its experts among those listed.
  const owner = new Map();
  for (const c of clusters) {
    for (const { industry, experts } of c.topIndustries) {
      const current = owner.get(industry.code);
      if (!current || experts > current.experts) owner.set(industry.code, { cluster: c.id, experts, industry });
    }
  }
  const nodes = [];
  const edges = [];
  const groups = clusters.map((c) => ({ cluster: c, inner: [], outer: [] }));
  const byId = new Map(groups.map((g) => [g.cluster.id, g]));
  for (const { cluster, industry } of owner.values()) {
    const id = nodeId("Industry", industry.code);
    byId.get(cluster).inner.push(id);
    nodes.push(graphNode({ id, label: "Industry", key: industry.code, name: industry.name, color: communityColor(cluster), size: 26, cluster }));
  }
  for (const g of groups) {
    for (const { expert } of g.cluster.topExperts) {
      const id = nodeId("Expert", expert.key);
      g.outer.push(id);
      nodes.push(graphNode({ id, label: "Expert", key: expert.key, name: expert.name, color: communityColor(g.cluster.id), size: 22, cluster: g.cluster.id }));
      for (const industry of expert.industries) {
        if (owner.has(industry.code)) {
          edges.push(graphEdge({ source: id, target: nodeId("Industry", industry.code), type: "EXPERT_IN", width: 1 }));
        }
      }
    }
  }
  const positions = clusterLayout(groups);
  nodes.forEach((n) => (n.position = positions.get(n.data.id)));
  return drawGraph(container, {
    name: "clusters",
    nodes,
    edges,
    layout: "preset",
    onNodeTap: (node) => {
      location.hash = entityHref(node.label, node.key);
    },
  });
}

function gapsSection(gaps, clusters) {
  const ownerOf = new Map();
  for (const c of clusters) for (const industry of c.ownedIndustries) ownerOf.set(industry.code, c.id);
  return section(
    "clusters.gaps",
    h("p", { class: "muted" }, t("clusters.gapsHint")),
    sortableTable(
      [
        { id: "rank", title: "gaps.rank", value: (g) => g.rank, numeric: true },
        { id: "industry", title: "gaps.industry", value: (g) => g.industry?.name || g.code, cell: (g) => h("a", { href: entityHref("Industry", g.code) }, g.industry?.name || g.code) },
        { id: "cluster", title: "gaps.cluster", value: (g) => ownerOf.get(g.code) ?? null, cell: (g) => (ownerOf.has(g.code) ? `#${ownerOf.get(g.code)}` : "–"), numeric: true },
        { id: "open", title: "gaps.openDemands", value: (g) => g.openDemands, numeric: true },
        { id: "experts", title: "gaps.experts", value: (g) => g.experts, numeric: true },
        { id: "commissioners", title: "gaps.commissioners", value: (g) => g.commissioners, numeric: true },
        { id: "pressure", title: "gaps.pressure", value: (g) => g.pressure, cell: (g) => number(g.pressure, 2), numeric: true },
      ],
      gaps,
      { sortBy: "rank", name: "industry-gaps" },
    ),
  );
}
