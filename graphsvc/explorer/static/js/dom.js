// Small DOM helpers: element building, sortable tables, number formats.

import { t, kindName } from "./i18n.js";
import { KINDS } from "./kinds.js";

/** An element: h("a", { href: "#/x", class: "link", onclick: fn }, "text", child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : String(child));
  }
}

/** A link to another view of the page. */
export function viewLink(href, text, attrs = {}) {
  return h("a", { href, ...attrs }, text);
}

/** The link to an entity's view. */
export function entityHref(label, key) {
  return `#/entity/${encodeURIComponent(label)}/${encodeURIComponent(key)}`;
}

/** A coloured badge naming a node kind. */
export function kindBadge(label) {
  const color = KINDS[label]?.color || "#64748b";
  return h("span", { class: "badge", style: `background:${color}` }, kindName(label));
}

/** 0.4567 → "45.7%". */
export function percent(share) {
  return share === null || share === undefined ? "–" : `${(share * 100).toFixed(1)}%`;
}

/** A number with at most `digits` decimals, "–" for none. */
export function number(value, digits = 2) {
  if (value === null || value === undefined) return "–";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A titled section. */
export function section(titleKey, ...children) {
  return h("section", { class: "panel" }, h("h2", {}, t(titleKey)), ...children);
}

/**
 * A table sortable by clicking its headers. columns: [{ id, title (i18n key), value(row)
 * (what it sorts by), cell(row) (what it shows; defaults to value), numeric }].
 */
export function sortableTable(columns, rows, { sortBy = null, descending = false, name = "" } = {}) {
  const state = { sortBy, descending };
  const tbody = h("tbody");
  const headers = columns.map((column) =>
    h(
      "th",
      {
        scope: "col",
        class: column.numeric ? "numeric sortable" : "sortable",
        dataset: { column: column.id },
        onclick: () => {
          state.descending = state.sortBy === column.id ? !state.descending : !!column.numeric;
          state.sortBy = column.id;
          fill();
        },
      },
      t(column.title),
    ),
  );
  const table = h(
    "table",
    { class: "sortable-table", dataset: { table: name } },
    h("thead", {}, h("tr", {}, headers)),
    tbody,
  );

  function fill() {
    const column = columns.find((c) => c.id === state.sortBy);
    const sorted = [...rows];
    if (column) {
      sorted.sort((a, b) => compare(column.value(a), column.value(b)));
      if (state.descending) sorted.reverse();
    }
    headers.forEach((th, i) => {
      const active = columns[i].id === state.sortBy;
      th.setAttribute("aria-sort", active ? (state.descending ? "descending" : "ascending") : "none");
    });
    tbody.replaceChildren(
      ...sorted.map((row) =>
        h(
          "tr",
          {},
          columns.map((c) =>
            h("td", { class: c.numeric ? "numeric" : null }, (c.cell || c.value)(row) ?? "–"),
          ),
        ),
      ),
    );
    if (!sorted.length) {
      tbody.append(h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, t("table.empty"))));
    }
  }

  fill();
  return table;
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "zh-Hans-CN");
}
