// The explorer's entry point: hash routes to views, the token field and the language toggle.

import { getToken, setToken } from "./api.js";
import { h } from "./dom.js";
import { getLanguage, setLanguage, t, translate } from "./i18n.js";
import { clearNotice, reportError } from "./notice.js";
import * as clusters from "./views/clusters.js";
import * as collaboration from "./views/collaboration.js";
import * as coverage from "./views/coverage.js";
import * as entity from "./views/entity.js";
import * as recommend from "./views/recommend.js";
import * as search from "./views/search.js";

const VIEWS = { search, entity, recommend, clusters, coverage, collaboration };
const explorer = (window.explorer = window.explorer || {});

/** "#/entity/Expert/EXP-1?x=1" → { view: "entity", args: ["Expert", "EXP-1"], params }. */
export function parseRoute(hash) {
  const [path, queryString = ""] = hash.replace(/^#\/?/, "").split("?");
  const [view, ...args] = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { view: VIEWS[view] ? view : "search", args, params: new URLSearchParams(queryString) };
}

let generation = 0;

async function route() {
  const { view, args, params } = parseRoute(location.hash);
  const mine = ++generation;
  const root = h("div", { class: "view", dataset: { view, status: "loading" } }, h("p", { class: "muted loading" }, t("loading")));
  document.getElementById("view").replaceChildren(root);
  const tab = view === "entity" ? "search" : view;
  document.querySelectorAll("nav.views a").forEach((a) => a.classList.toggle("active", a.dataset.view === tab));
  clearNotice();
  explorer.view = view;
  try {
    await VIEWS[view].render(root, { args, params });
    if (mine !== generation) return;
    root.querySelector(":scope > .loading")?.remove();
    root.dataset.status = "ready";
  } catch (error) {
    if (mine !== generation) return;
    root.querySelector(":scope > .loading")?.remove();
    root.dataset.status = "error";
    reportError(error, { role: VIEWS[view].role });
  }
}

function showTokenState() {
  document.getElementById("token-state").textContent = t(getToken() ? "token.set" : "token.none");
}

function setUp() {
  setLanguage(getLanguage());
  translate();
  const form = document.getElementById("token-form");
  const input = form.elements.token;
  input.value = getToken();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(input.value);
    showTokenState();
    route();
  });
  document.getElementById("token-clear").addEventListener("click", () => {
    input.value = "";
    setToken("");
    showTokenState();
    route();
  });
  document.getElementById("language").addEventListener("click", () => {
    setLanguage(getLanguage() === "zh" ? "en" : "zh");
    translate();
    showTokenState();
    route();
  });
  showTokenState();
  window.addEventListener("hashchange", route);
  route();
}

setUp();
