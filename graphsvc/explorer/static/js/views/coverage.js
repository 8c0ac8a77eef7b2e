// Coverage: the province's pairing and commissioner coverage, per city and per county
// (sortable), the "three-no" enterprises, and a pairing or commissioner plan before it is
// committed.

import { query, queryAll } from "../api.js";
import { entityHref, h, number, percent, section, sortableTable } from "../dom.js";
import { t } from "../i18n.js";
import { attempt } from "../notice.js";
import { BENCHMARKS, COUNTIES, COVERAGE, THREE_NO } from "../queries.js";
import { planSection } from "./plan.js";

export const role = "portal";

export async function render(root) {
  root.append(h("h1", {}, t("view.coverage")));
  const [{ coverage }, counties, benchmarks, threeNo] = await Promise.all([
    query(COVERAGE),
    queryAll(COUNTIES, {}, (d) => d.counties),
    queryAll(BENCHMARKS, {}, (d) => d.enterprises),
    query(THREE_NO, { first: 100, after: null }),
  ]);
  root.append(figures(coverage));
  const rows = countyRows(coverage, counties, benchmarks);
  root.append(
    section("coverage.cities", sortableTable(cityColumns(), cityRows(rows), { sortBy: "pairing", name: "cities" })),
    section(
      "coverage.counties",
      h("p", { class: "muted" }, t("coverage.countiesHint")),
      sortableTable(countyColumns(), rows, { sortBy: "pressure", descending: true, name: "counties" }),
    ),
    threeNoSection(threeNo.enterprises),
    planSection(),
  );
}

function figures(c) {
  const card = (titleKey, share, detail) =>
    h("div", { class: "card" }, h("div", { class: "figure" }, percent(share)), h("div", {}, t(titleKey)), h("div", { class: "muted" }, detail));
  return h(
    "div",
    { class: "cards", dataset: { asOf: c.asOf } },
    card("coverage.pairing", c.pairingCoverage, `${c.benchmarkPaired} / ${c.benchmarkTotal}`),
    card("coverage.commissioner", c.commissionerCoverage, `${c.countiesWithCommissioner} / ${c.countiesTotal}`),
    card("coverage.povertyCommissioner", c.povertyCommissionerCoverage, `${c.povertyCountiesWithCommissioner} / ${c.povertyCountiesTotal}`),
    card("coverage.povertyServed", c.povertyServedCoverage, `${c.povertyCountiesServed} / ${c.povertyCountiesTotal}`),
    card("coverage.threeNo", c.threeNoShare, `${c.threeNoTotal} / ${c.enterprises}`),
  );
}

/** One row per county: benchmark enterprises paired, commissioner present, demand pressure. */
function countyRows(coverage, counties, benchmarks) {
  const without = coverage.countiesWithoutCommissioner.map((c) => c.code);
  const withoutCount = coverage.countiesTotal - coverage.countiesWithCommissioner;
  // The list stops at 100 counties (by code); past its last code a county's status is unknown.
  const lastListed = without.length < withoutCount ? without[without.length - 1] : null;
  const withoutSet = new Set(without);
  const gaps = new Map(coverage.countyGaps.map((g) => [g.code, g]));
  const rows = new Map(
    counties.map((c) => [
      c.code,
      {
        code: c.code,
        name: c.name,
        city: c.city,
        poverty: c.povertyCounty,
        benchmark: 0,
        paired: 0,
        commissioner: withoutSet.has(c.code) ? false : lastListed !== null && c.code > lastListed ? null : true,
        openDemands: gaps.get(c.code)?.openDemands ?? 0,
        experts: gaps.get(c.code)?.experts ?? null,
        pressure: gaps.get(c.code)?.pressure ?? 0,
      },
    ]),
  );
  for (const e of benchmarks) {
    const row = rows.get(e.county?.code);
    if (!row) continue;
    row.benchmark += 1;
    if (e.pairings.length) row.paired += 1;
  }
  for (const row of rows.values()) row.pairing = row.benchmark ? row.paired / row.benchmark : null;
  return [...rows.values()];
}

function cityRows(countyRows) {
  const cities = new Map();
  for (const row of countyRows) {
    const key = row.city?.code || "";
    const city = cities.get(key) || { code: key, name: row.city?.name || "–", counties: 0, withCommissioner: 0, benchmark: 0, paired: 0, openDemands: 0 };
    city.counties += 1;
    if (row.commissioner) city.withCommissioner += 1;
    city.benchmark += row.benchmark;
    city.paired += row.paired;
    city.openDemands += row.openDemands;
    cities.set(key, city);
  }
  return [...cities.values()].map((c) => ({
    ...c,
    pairing: c.benchmark ? c.paired / c.benchmark : null,
    commissionerShare: c.counties ? c.withCommissioner / c.counties : null,
  }));
}

function cityColumns() {
  return [
    { id: "name", title: "coverage.city", value: (r) => r.name, cell: (r) => (r.code ? h("a", { href: entityHref("City", r.code) }, r.name) : r.name) },
    { id: "counties", title: "coverage.countyCount", value: (r) => r.counties, numeric: true },
    { id: "withCommissioner", title: "coverage.withCommissioner", value: (r) => r.withCommissioner, numeric: true },
    { id: "commissionerShare", title: "coverage.commissionerShare", value: (r) => r.commissionerShare, cell: (r) => percent(r.commissionerShare), numeric: true },
    { id: "benchmark", title: "coverage.benchmark", value: (r) => r.benchmark, numeric: true },
    { id: "paired", title: "coverage.paired", value: (r) => r.paired, numeric: true },
    { id: "pairing", title: "coverage.pairingShare", value: (r) => r.pairing, cell: (r) => percent(r.pairing), numeric: true },
    { id: "open", title: "coverage.openDemands", value: (r) => r.openDemands, numeric: true },
  ];
}

function countyColumns() {
  const mark = (value) => (value === null ? "?" : t(value ? "yes" : "no"));
  return [
    { id: "name", title: "coverage.county", value: (r) => r.name, cell: (r) => h("a", { href: entityHref("County", r.code) }, r.name) },
    { id: "city", title: "coverage.city", value: (r) => r.city?.name },
    { id: "poverty", title: "coverage.poverty", value: (r) => (r.poverty ? 1 : 0), cell: (r) => mark(!!r.poverty) },
    { id: "benchmark", title: "coverage.benchmark", value: (r) => r.benchmark, numeric: true },
    { id: "paired", title: "coverage.paired", value: (r) => r.paired, numeric: true },
    { id: "pairing", title: "coverage.pairingShare", value: (r) => r.pairing, cell: (r) => percent(r.pairing), numeric: true },
    { id: "commissioner", title: "coverage.hasCommissioner", value: (r) => (r.commissioner === null ? -1 : r.commissioner ? 1 : 0), cell: (r) => mark(r.commissioner) },
    { id: "open", title: "coverage.openDemands", value: (r) => r.openDemands, numeric: true },
    { id: "experts", title: "coverage.expertsInReach", value: (r) => r.experts, numeric: true },
    { id: "pressure", title: "coverage.pressure", value: (r) => r.pressure, cell: (r) => number(r.pressure, 2), numeric: true },
  ];
}

function threeNoSection(connection) {
  const rows = connection.edges.map((e) => e.node);
  const yes = (v) => t(v ? "yes" : "no");
  const table = () =>
    sortableTable(
      [
        { id: "name", title: "coverage.enterprise", value: (r) => r.name, cell: (r) => h("a", { href: entityHref("Enterprise", r.key) }, r.name) },
        { id: "county", title: "coverage.county", value: (r) => r.county?.name },
        { id: "city", title: "coverage.city", value: (r) => r.city?.name },
        { id: "size", title: "coverage.size", value: (r) => r.size && t(`size.${r.size}`) },
        { id: "industry", title: "coverage.industry", value: (r) => r.industries.map((i) => i.name).join("、") },
        { id: "benchmark", title: "coverage.isBenchmark", value: (r) => (r.benchmark ? 1 : 0), cell: (r) => yes(r.benchmark) },
        { id: "paired", title: "coverage.isPaired", value: (r) => r.pairings.length, cell: (r) => yes(r.pairings.length) },
        { id: "commissioner", title: "coverage.hasCommissioner", value: (r) => r.commissioners.length, cell: (r) => yes(r.commissioners.length) },
      ],
      rows,
      { sortBy: "name", name: "three-no" },
    );
  const holder = h("div", {}, table());
  const caption = h("p", { class: "muted" });
  const setCaption = () => (caption.textContent = t("coverage.threeNoShown", { shown: rows.length, total: connection.totalCount }));
  setCaption();
  let pageInfo = connection.pageInfo;
  const more = h(
    "button",
    {
      type: "button",
      hidden: !pageInfo.hasNextPage,
      onclick: () =>
        attempt(async () => {
          more.disabled = true;
          try {
            const next = await query(THREE_NO, { first: 100, after: pageInfo.endCursor });
            rows.push(...next.enterprises.edges.map((e) => e.node));
            pageInfo = next.enterprises.pageInfo;
            holder.replaceChildren(table());
            setCaption();
          } finally {
            more.disabled = false;
            more.hidden = !pageInfo.hasNextPage;
          }
        }),
    },
    t("coverage.more"),
  );
  return section("coverage.threeNoList", caption, holder, more);
}
