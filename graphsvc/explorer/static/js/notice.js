// The message line under the header: problems (bad token, role too low, server loading) in words.

import { ApiError } from "./api.js";
import { t } from "./i18n.js";

function box() {
  return document.getElementById("notice");
}

export function clearNotice() {
  const element = box();
  element.hidden = true;
  element.textContent = "";
  delete element.dataset.kind;
}

/** Show a message; kind: "auth", "forbidden", "unavailable", "input", "network" or "info". */
export function showNotice(kind, message) {
  const element = box();
  element.hidden = false;
  element.dataset.kind = kind;
  element.textContent = message;
}

/**
 * Say what went wrong in the user's language. `role` is the role the view needs, named in the
 * message when the server refused the caller's. Errors that are not the API's are bugs: they
 * also go to the console.
 */
export function reportError(error, { role = "portal" } = {}) {
  if (error instanceof ApiError) {
    const detail = error.kind === "input" || error.kind === "network" ? `: ${error.message}` : "";
    showNotice(error.kind, t(`error.${error.kind}`, { role: t(`role.${role}`) }) + detail);
  } else {
    showNotice("input", `${t("error.unexpected")}: ${error?.message || error}`);
    console.error(error);
  }
}

/** Run an action started by the user (a click, a form), reporting its failure. */
export async function attempt(action, options) {
  clearNotice();
  try {
    return await action();
  } catch (error) {
    reportError(error, options);
    return undefined;
  }
}
