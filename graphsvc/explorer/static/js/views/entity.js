// An entity's view: its key facts, its neighbourhood drawn as a graph, and links onward.

import { query } from "../api.js";
import { entityHref, h, kindBadge, number, section } from "../dom.js";
import { drawGraph, graphEdge, graphNode, legend } from "../graph.js";
import { kindName, relName, t } from "../i18n.js";
import { nodeId } from "../kinds.js";
import { ENTITY } from "../queries.js";

export const role = "public";

const yesNo = (value) => (value === null || value === undefined ? null : t(value ? "yes" : "no"));
const nodesOf = (connection) => connection?.edges.map((edge) => edge.node) || [];
const keyword = (k) => ({ key: k.key, name: k.key });

/** A group of neighbours: a relationship, their kind, and {key, name} items (total: all of them). */
function group(rel, label, items, total = null) {
  const kept = items.filter(Boolean);
  return { rel, label, items: kept, total: total ?? kept.length };
}

/** Per kind: its facts ([i18n key, value]), its neighbour groups and links to other views. */
const SPECS = {
  Expert: {
    facts: (e) => [
      ["fact.title", e.title],
      ["fact.commissioner", yesNo(e.commissioner)],
      ["fact.load", `${e.currentLoad} / ${e.capacity ?? "–"}`],
      ["fact.institution", e.institution?.name],
      ["fact.city", e.city?.name],
    ],
    groups: (e) => [
      group("AFFILIATED_WITH", "Institution", [e.institution]),
      group("BASED_IN", "City", [e.city]),
      group("MEMBER_OF", "Subgroup", e.subgroups),
      group("EXPERT_IN", "Industry", e.industries),
      group("HAS_SKILL", "Keyword", e.keywords.slice(0, 12).map(keyword), e.keywords.length),
      group("COLLABORATES_WITH", "Expert", nodesOf(e.collaborators).map((c) => c.expert), e.collaborators.totalCount),
      group("SERVED", "Enterprise", nodesOf(e.servedEnterprises), e.servedEnterprises.totalCount),
      group("OWNS", "Achievement", nodesOf(e.achievements), e.achievements.totalCount),
    ],
    actions: (e) => [
      [`#/collaboration?expert=${encodeURIComponent(e.key)}`, "action.collaboration"],
    ],
  },
  Enterprise: {
    facts: (e) => [
      ["fact.size", e.size && t(`size.${e.size}`)],
      ["fact.benchmark", yesNo(e.benchmark)],
      ["fact.highTech", yesNo(e.highTech)],
      ["fact.threeNo", yesNo(e.threeNo)],
      ["fact.rd", `${e.rdStaff ?? "–"} / ${yesNo(e.rdPlatform) ?? "–"} / ${number(e.rdSpendWan, 1)}`],
      ["fact.founded", e.foundedYear],
      ["fact.county", [e.county?.name, e.city?.name].filter(Boolean).join(" · ")],
    ],
    groups: (e) => [
      group("LOCATED_IN", "County", [e.county]),
      group("IN_INDUSTRY", "Industry", e.industries),
      group("POSTED", "Demand", nodesOf(e.demands), e.demands.totalCount),
      group("PAIRED_WITH", "Institution", e.pairings.map((p) => p.institution)),
      group("SERVED", "Expert", e.commissioners),
      group("OWNS", "Achievement", e.achievements),
    ],
    actions: (e) => [[`#/recommend?enterprise=${encodeURIComponent(e.key)}`, "action.recommend"]],
  },
  Institution: {
    facts: (e) => [
      ["fact.kind", e.kind && t(`institutionKind.${e.kind}`)],
      ["fact.size", e.size && t(`size.${e.size}`)],
      ["fact.capacity", e.capacity],
      ["fact.city", e.city?.name],
      ["fact.pairings", e.pairings.totalCount],
    ],
    groups: (e) => [
      group("LOCATED_IN", "City", [e.city]),
      group("AFFILIATED_WITH", "Expert", nodesOf(e.experts), e.experts.totalCount),
      group("PAIRED_WITH", "Enterprise", nodesOf(e.pairings).map((p) => p.enterprise), e.pairings.totalCount),
      group("OWNS", "Achievement", nodesOf(e.achievements), e.achievements.totalCount),
    ],
    actions: () => [],
  },
  Demand: {
    facts: (e) => [
      ["fact.status", e.status && t(`status.${e.status}`)],
      ["fact.postedOn", e.postedOn],
      ["fact.budget", number(e.budgetWan, 1)],
      ["fact.enterprise", e.enterprise?.name],
      ["fact.description", e.description],
    ],
    groups: (e) => [
      group("POSTED", "Enterprise", [e.enterprise]),
      group("CONCERNS", "Industry", e.industries),
      group("MENTIONS", "Keyword", e.keywords.slice(0, 15).map(keyword), e.keywords.length),
    ],
    actions: (e) => [[`#/recommend?demand=${encodeURIComponent(e.key)}`, "action.recommend"]],
  },
  Achievement: {
    facts: (e) => [
      ["fact.kind", e.kind && t(`achievementKind.${e.kind}`)],
      ["fact.maturity", e.maturity],
      ["fact.price", number(e.priceWan, 1)],
      ["fact.listedOn", e.listedOn],
    ],
    groups: (e) => [
      ...["Expert", "Institution", "Enterprise"].map((label) =>
        group("OWNS", label, e.owners.filter((o) => o.__typename === label)),
      ),
      group("APPLIES_TO", "Industry", e.industries),
      group("MENTIONS", "Keyword", e.keywords.slice(0, 15).map(keyword), e.keywords.length),
    ],
    actions: () => [],
  },
  Industry: {
    facts: (e) => [["fact.code", e.key], ["fact.tags", (e.tags || []).join("、")]],
    groups: (e) => [
      group("SUBCLASS_OF", "Industry", [e.parent, ...e.children]),
      group("COVERS", "Subgroup", e.subgroups),
      group("EXPERT_IN", "Expert", nodesOf(e.experts), e.experts.totalCount),
      group("IN_INDUSTRY", "Enterprise", nodesOf(e.enterprises), e.enterprises.totalCount),
    ],
    actions: () => [],
  },
  County: {
    facts: (e) => [["fact.code", e.key], ["fact.poverty", yesNo(e.povertyCounty)], ["fact.city", e.city?.name]],
    groups: (e) => [
      group("IN_CITY", "City", [e.city]),
      group("LOCATED_IN", "Enterprise", nodesOf(e.enterprises), e.enterprises.totalCount),
    ],
    actions: () => [],
  },
  City: {
    facts: (e) => [["fact.code", e.key], ["fact.counties", e.counties.length]],
    groups: (e) => [
      group("IN_CITY", "County", e.counties),
      group("LOCATED_IN", "Institution", nodesOf(e.institutions), e.institutions.totalCount),
      group("BASED_IN", "Expert", nodesOf(e.experts), e.experts.totalCount),
    ],
    actions: () => [],
  },
  Subgroup: {
    facts: (e) => [["fact.members", e.experts.totalCount]],
    groups: (e) => [
      group("COVERS", "Industry", e.industries),
      group("MEMBER_OF", "Expert", nodesOf(e.experts), e.experts.totalCount),
    ],
    actions: () => [],
  },
  Training: {
    facts: (e) => [
      ["fact.heldOn", e.heldOn],
      ["fact.kind", e.kind && t(`trainingKind.${e.kind}`)],
      ["fact.organizer", e.organizer],
      ["fact.attendees", e.attendees],
    ],
    groups: (e) => [
      group("HELD_IN", "City", [e.city]),
      group("ATTENDED", "Enterprise", nodesOf(e.attendances).map((a) => a.enterprise), e.attendances.totalCount),
    ],
    actions: () => [],
  },
  Keyword: {
    facts: () => [],
    groups: (e) => [
      group("HAS_SKILL", "Expert", nodesOf(e.experts), e.experts.totalCount),
      group("MENTIONS", "Demand", nodesOf(e.demands), e.demands.totalCount),
      group("MENTIONS", "Achievement", nodesOf(e.achievements), e.achievements.totalCount),
    ],
    actions: () => [],
  },
};

export async function render(root, { args }) {
  const [label, key] = args;
  const spec = SPECS[label];
  if (!spec || !key) {
    root.append(h("p", { class: "empty" }, t("entity.unknownKind")));
    return;
  }
  const data = await query(ENTITY[label], { key });
  const entity = data.entity;
  if (!entity) {
    root.append(h("h1", {}, kindBadge(label), " ", key), h("p", { class: "empty" }, t("entity.notFound")));
    return;
  }
  const groups = spec.groups(entity).filter((g) => g.items.length);
  const facts = spec.facts(entity).filter(([, value]) => value !== null && value !== undefined && value !== "");
  root.append(
    h("h1", {}, kindBadge(label), " ", entity.name || entity.key, h("span", { class: "muted" }, ` ${entity.key}`)),
    h(
      "nav",
      { class: "actions" },
      spec.actions(entity).map(([href, titleKey]) => h("a", { href, class: "button" }, t(titleKey))),
    ),
  );
  const canvas = h("div", { class: "graph", id: "entity-graph" });
  const side = h(
    "div",
    { class: "side" },
    section("entity.facts", h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, String(v))]))),
    groups.map((g) =>
      h(
        "section",
        { class: "panel neighbours", dataset: { rel: g.rel, label: g.label } },
        h("h3", {}, `${relName(g.rel)} · ${kindName(g.label)} (${g.total})`),
        h("ul", {}, g.items.map((item) => h("li", {}, h("a", { href: entityHref(g.label, item.key) }, item.name || item.key)))),
      ),
    ),
  );
  const labels = [label, ...new Set(groups.map((g) => g.label))];
  root.append(h("div", { class: "split" }, h("div", { class: "drawing" }, canvas, legend([...new Set(labels)], kindName)), side));
  drawNeighbourhood(canvas, label, entity, groups);
}

function drawNeighbourhood(container, label, entity, groups) {
  const center = nodeId(label, entity.key);
  const nodes = [graphNode({ id: center, label, key: entity.key, name: entity.name || entity.key, ring: 0, size: 40, classes: "center" })];
  const edges = [];
  const seen = new Set([center]);
  for (const g of groups) {
    for (const item of g.items) {
      const id = nodeId(g.label, item.key);
      if (!seen.has(id)) {
        seen.add(id);
        nodes.push(graphNode({ id, label: g.label, key: item.key, name: item.name || item.key, ring: 1 }));
      }
      edges.push(graphEdge({ source: center, target: id, type: g.rel, label: relName(g.rel) }));
    }
  }
  drawGraph(container, {
    name: "entity",
    nodes,
    edges,
    layout: nodes.length > 40 ? "cose" : "concentric",
    onNodeTap: (node) => {
      if (node.id !== center) location.hash = entityHref(node.label, node.key);
    },
  });
}
