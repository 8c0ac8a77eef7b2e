// A plan shown before it is committed: planPairing or planCommissioners (and, when keys are
// removed, planWhatIf against the plan with them), as figures and sortable tables. The page
// commits nothing: an admin applies a checked plan with the commitPlan mutation.

import { query } from "../api.js";
import { entityHref, h, number, percent, section, sortableTable } from "../dom.js";
import { t } from "../i18n.js";
import { attempt } from "../notice.js";
import { PLAN, PLAN_WHAT_IF } from "../queries.js";

const KINDS = ["PAIRING", "COMMISSIONERS"];
const MODES = ["OPTIMAL", "STABLE"];

/** The plan section: its form, and the plan it computes on demand. */
export function planSection() {
  const result = h("div", { class: "plan", id: "plan", dataset: { status: "idle" } });
  const form = h(
    "form",
    {
      class: "toolbar",
      id: "plan-form",
      onsubmit: (event) => {
        event.preventDefault();
        const values = new FormData(event.target);
        const remove = String(values.get("remove") || "").split(/[\s,，、]+/).filter(Boolean);
        run(result, String(values.get("kind")), String(values.get("mode")), remove);
      },
    },
    h("label", {}, t("plan.kind"), " ", h("select", { name: "kind" }, KINDS.map((k) => h("option", { value: k }, t(`plan.kind.${k}`))))),
    h("label", {}, t("plan.mode"), " ", h("select", { name: "mode" }, MODES.map((m) => h("option", { value: m }, t(`plan.mode.${m}`))))),
    h("label", {}, t("plan.remove"), " ", h("input", { name: "remove", placeholder: t("plan.removeHint"), class: "entity-field" })),
    h("button", { type: "submit" }, t("plan.go")),
  );
  return section("plan.title", h("p", { class: "muted" }, t("plan.hint")), form, result);
}

async function run(result, kind, mode, remove) {
  result.dataset.status = "loading";
  result.replaceChildren(h("p", { class: "muted" }, t("loading")));
  const done = await attempt(
    async () => {
      const variables = { mode, remove: remove.length ? remove : null };
      const [{ plan }, whatIf] = await Promise.all([
        query(PLAN[kind], variables),
        remove.length ? query(PLAN_WHAT_IF, { kind, ...variables }) : Promise.resolve(null),
      ]);
      result.replaceChildren(...renderPlan(plan, whatIf?.planWhatIf));
      return true;
    },
    { role: "planner" },
  );
  if (done) {
    result.dataset.status = "ready";
  } else {
    result.dataset.status = "error";
    result.replaceChildren();
  }
}

function renderPlan(plan, whatIf) {
  const c = plan.coverage;
  const term = plan.startOn ? ` · ${t("plan.term")} ${plan.startOn} – ${plan.termEnd}` : "";
  const parts = [
    h("p", { class: "plan-state" }, h("strong", {}, t("plan.notCommitted")), ` · ${t("plan.version")} ${plan.version}${term}`),
    h(
      "div",
      { class: "cards" },
      card(t("plan.coverage"), `${percent(c.shareBefore)} → ${percent(c.shareAfter)}`, `${c.before} → ${c.after} / ${c.total}`),
      card(t("plan.assigned"), String(plan.assignmentCount), `${t("plan.kept")} ${plan.kept}`),
      card(t("plan.unassigned"), String(plan.unassignedCount), ""),
      card(t("plan.totalFit"), number(plan.totalFit, 1), t(`plan.mode.${plan.mode}`)),
    ),
  ];
  if (whatIf) parts.push(whatIfTables(whatIf));
  parts.push(
    folded(
      t("plan.byCounty"),
      sortableTable(
      [
        { id: "name", title: "coverage.county", value: (r) => r.name, cell: (r) => h("a", { href: entityHref("County", r.code) }, r.name) },
        { id: "total", title: "plan.inScope", value: (r) => r.total, numeric: true },
        { id: "before", title: "plan.before", value: (r) => r.before, numeric: true },
        { id: "after", title: "plan.after", value: (r) => r.after, numeric: true },
        { id: "gain", title: "plan.gain", value: (r) => r.after - r.before, numeric: true },
      ],
      c.counties,
      { sortBy: "gain", descending: true, name: "plan-counties" },
      ),
    ),
    h("h3", {}, t("plan.assignments"), h("span", { class: "muted" }, ` ${t("plan.shown", { shown: plan.assignments.length, total: plan.assignmentCount })}`)),
    sortableTable(
      [
        { id: "enterprise", title: "coverage.enterprise", value: (a) => a.enterprise?.name, cell: (a) => link("Enterprise", a.enterprise) },
        { id: "county", title: "coverage.county", value: (a) => a.enterprise?.county?.name },
        {
          id: "partner",
          title: "plan.partner",
          value: (a) => (a.institution || a.expert)?.name,
          cell: (a) => (a.institution ? link("Institution", a.institution) : link("Expert", a.expert)),
        },
        { id: "score", title: "plan.score", value: (a) => a.score, cell: (a) => number(a.score, 2), numeric: true },
        { id: "round", title: "plan.round", value: (a) => a.round, numeric: true },
        { id: "reasons", title: "plan.reasons", value: (a) => a.reasons.slice(0, 3).join("；") },
      ],
      plan.assignments,
      { sortBy: "score", descending: true, name: "plan-assignments" },
    ),
    folded(
      `${t("plan.unassignedList")} ${t("plan.shown", { shown: plan.unassigned.length, total: plan.unassignedCount })}`,
      sortableTable(
      [
        { id: "enterprise", title: "coverage.enterprise", value: (u) => u.enterprise?.name, cell: (u) => link("Enterprise", u.enterprise) },
        { id: "county", title: "coverage.county", value: (u) => u.enterprise?.county?.name },
        { id: "code", title: "plan.code", value: (u) => u.code },
        { id: "reason", title: "plan.reason", value: (u) => u.reason },
      ],
      plan.unassigned,
      { sortBy: "code", name: "plan-unassigned" },
      ),
    ),
  );
  return parts;
}

function whatIfTables(w) {
  const columns = [
    { id: "name", title: "plan.group", value: (r) => r.name },
    { id: "total", title: "plan.inScope", value: (r) => r.total, numeric: true },
    { id: "base", title: "plan.base", value: (r) => r.base, numeric: true },
    { id: "variant", title: "plan.variant", value: (r) => r.variant, numeric: true },
    { id: "change", title: "plan.change", value: (r) => r.change, numeric: true },
  ];
  return h(
    "div",
    { class: "what-if" },
    h("h3", {}, t("plan.whatIf")),
    h("p", {}, t("plan.whatIfSummary", { base: w.baseCovered, variant: w.variantCovered, total: w.total, change: w.change, moved: w.moved })),
    folded(t("plan.whatIfCounties"), sortableTable(columns, w.counties, { sortBy: "change", name: "what-if-counties" })),
    folded(t("plan.whatIfIndustries"), sortableTable(columns, w.industries, { sortBy: "change", name: "what-if-industries" })),
  );
}

/** A table under a summary line the user unfolds. */
function folded(summary, content) {
  return h("details", {}, h("summary", {}, summary), content);
}

function card(title, figure, detail) {
  return h("div", { class: "card" }, h("div", { class: "figure" }, figure), h("div", {}, title), h("div", { class: "muted" }, detail));
}

function link(label, entity) {
  return entity ? h("a", { href: entityHref(label, entity.key) }, entity.name) : "–";
}
