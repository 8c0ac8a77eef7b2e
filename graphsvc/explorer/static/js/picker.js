// A text field that suggests entities as you type (the `search` query), keeping their keys.

import { query } from "./api.js";
import { h } from "./dom.js";
import { SEARCH } from "./queries.js";

let counter = 0;

/**
 * An <input name=`name`> whose value is a key, with suggestions of `labels` (e.g. ["Expert"])
 * from the search query as the user types: each suggestion's value is the key, its text the name.
 */
export function entityField({ name, labels, value = "", placeholder = "" }) {
  const listId = `suggest-${name}-${++counter}`;
  const datalist = h("datalist", { id: listId });
  const input = h("input", { name, list: listId, value, placeholder, autocomplete: "off", class: "entity-field" });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 1) return;
    timer = setTimeout(async () => {
      try {
        const data = await query(SEARCH, { text, first: 10, labels });
        datalist.replaceChildren(
          ...data.search.map((hit) => h("option", { value: hit.node.key }, `${hit.node.name} (${hit.node.key})`)),
        );
      } catch {
        datalist.replaceChildren(); // suggestions are a convenience; the form reports errors
      }
    }, 250);
  });
  return h("span", { class: "field" }, input, datalist);
}
