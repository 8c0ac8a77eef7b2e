// The page's only way to the data: POST ../graphql (same origin) with the bearer token.

const TOKEN_KEY = "graphsvc.explorer.token";
const ENDPOINT = new URL("../graphql", document.baseURI).href;

/** A request that failed: `kind` is "auth" (401), "forbidden" (role too low), "unavailable"
 * (503: still loading), "input" (the server refused the arguments) or "network". */
export class ApiError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
  }
}

const answers = new Map(); // per token, query and variables: the page's own cache

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

/** Keep the token for this browser tab only (sessionStorage) and forget cached answers. */
export function setToken(token) {
  const trimmed = token.trim();
  if (trimmed) sessionStorage.setItem(TOKEN_KEY, trimmed);
  else sessionStorage.removeItem(TOKEN_KEY);
  answers.clear();
}

async function post(document, variables) {
  const headers = { "content-type": "application/json" };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: document, variables }),
    });
  } catch (error) {
    throw new ApiError("network", String(error));
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  const firstMessage = payload?.errors?.[0]?.message || response.statusText;
  if (response.status === 401) throw new ApiError("auth", firstMessage);
  if (response.status === 503) throw new ApiError("unavailable", firstMessage);
  if (!response.ok || payload === null) throw new ApiError("input", firstMessage);
  return payload;
}

function forbiddenOf(errors) {
  return errors.filter((e) => e.extensions?.code === "FORBIDDEN");
}

/**
 * Run a GraphQL query; resolve to its `data`. Any error rejects with an ApiError; with
 * `partial: true`, fields the role may not see come back as null and their paths are listed
 * in the answer's `forbidden` instead.
 */
export async function query(document, variables = {}, { partial = false } = {}) {
  const key = JSON.stringify([getToken(), document, variables, partial]);
  if (!answers.has(key)) {
    const pending = run(document, variables, partial);
    answers.set(key, pending);
    pending.catch(() => answers.delete(key));
  }
  return answers.get(key);
}

async function run(document, variables, partial) {
  const payload = await post(document, variables);
  const errors = payload.errors || [];
  const forbidden = forbiddenOf(errors);
  const others = errors.filter((e) => !forbidden.includes(e));
  if (others.length) throw new ApiError("input", others.map((e) => e.message).join("; "));
  if (forbidden.length && !partial) throw new ApiError("forbidden", forbidden[0].message);
  if (partial) return { data: payload.data, forbidden: forbidden.map((e) => e.path.join(".")) };
  return payload.data;
}

/** Every node of a connection, walking `after: endCursor` (pick(data) gives the connection). */
export async function queryAll(document, variables, pick, { pageSize = 100, limit = 5000 } = {}) {
  const nodes = [];
  let after = null;
  for (;;) {
    const data = await query(document, { ...variables, first: pageSize, after });
    const connection = pick(data);
    nodes.push(...connection.edges.map((edge) => edge.node));
    if (!connection.pageInfo.hasNextPage || nodes.length >= limit) return nodes;
    after = connection.pageInfo.endCursor;
  }
}
