// Search: the `search` query over names, titles and keywords; each hit links to its entity view.

import { query } from "../api.js";
import { entityHref, h, kindBadge, number, section, sortableTable } from "../dom.js";
import { kindName, t } from "../i18n.js";
import { SEARCH, STATS } from "../queries.js";

const LABELS = ["Expert", "Enterprise", "Institution", "Demand", "Achievement", "Industry", "County", "City", "Subgroup", "Training"];

export const role = "public";

export async function render(root, { params }) {
  const text = params.get("q") || "";
  const label = params.get("label") || "";
  const input = h("input", { name: "q", type: "search", value: text, placeholder: t("search.placeholder"), required: true });
  const kinds = h(
    "select",
    { name: "label", "aria-label": t("search.kind") },
    h("option", { value: "" }, t("search.anyKind")),
    LABELS.map((l) => h("option", { value: l, selected: l === label }, kindName(l))),
  );
  const form = h(
    "form",
    {
      class: "toolbar",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams({ q: input.value.trim() });
        if (kinds.value) next.set("label", kinds.value);
        location.hash = `#/search?${next}`;
      },
    },
    input,
    kinds,
    h("button", { type: "submit" }, t("search.go")),
  );
  root.append(h("h1", {}, t("view.search")), form);
  if (!text) {
    root.append(await overview());
    return;
  }
  const data = await query(SEARCH, { text, first: 30, labels: label ? [label] : null });
  const hits = data.search;
  const list = h(
    "ol",
    { class: "hits" },
    hits.map((hit) =>
      h(
        "li",
        { dataset: { key: hit.node.key, label: hit.label } },
        kindBadge(hit.label),
        " ",
        h("a", { href: entityHref(hit.label, hit.node.key) }, hit.node.name),
        h("span", { class: "muted" }, ` ${hit.node.key} · ${t("search.matched")} ${hit.matched.join("、") || "–"} · ${number(hit.score, 1)}`),
      ),
    ),
  );
  root.append(section("search.results", hits.length ? list : h("p", { class: "empty" }, t("search.none"))));
}

async function overview() {
  const data = await query(STATS);
  const rows = data.stats.nodeCounts.filter((row) => row.count > 0);
  return section(
    "search.overview",
    h("p", {}, t("search.hint")),
    sortableTable(
      [
        { id: "label", title: "table.kind", value: (r) => kindName(r.label), cell: (r) => kindBadge(r.label) },
        { id: "count", title: "table.count", value: (r) => r.count, numeric: true },
      ],
      rows,
      { sortBy: "count", descending: true, name: "stats" },
    ),
  );
}
