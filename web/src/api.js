// Talking to `corridor serve`: every request goes to the page's own origin, with the bearer
// token when there is one. Errors become `ApiError`s carrying the server's `{code, message}`.

const TOKEN_KEY = "corridor.token";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Fetches `path` (relative to the origin) and returns its JSON, or throws an `ApiError`. */
export async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const t = token();
  if (t) headers.set("Authorization", `Bearer ${t}`);
  let res;
  try {
    res = await fetch(path, { ...options, headers });
  } catch (e) {
    throw new ApiError(0, "Network", `the server did not answer (${e.message}); is corridor serve still running?`);
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const osrmFailed = body && typeof body.code === "string" && body.code !== "Ok" && path.startsWith("/route/");
  if (!res.ok || osrmFailed) {
    const code = (body && body.code) || `HTTP ${res.status}`;
    const message = (body && body.message) || text.slice(0, 200) || res.statusText;
    throw new ApiError(res.status, code, message);
  }
  return body;
}

/** A sentence a person can act on, for an error from `api`. */
export function explain(err, what) {
  if (!(err instanceof ApiError)) return `${what}: ${err.message}`;
  if (err.status === 401 && err.code === "TokenExpired") return `${what}: your token has expired (${err.message}). Enter a new one.`;
  if (err.status === 401) {
    return token()
      ? `${what}: the server refused the token (${err.message}). It may have expired or been revoked — enter a new one.`
      : `${what}: this server needs an access token (${err.message}).`;
  }
  if (err.status === 403) return `${what}: your token may not do this (${err.message}).`;
  if (err.code === "NoRoute") return `${what}: no route — ${err.message}`;
  if (err.code === "NoSegment") return `${what}: that point is too far from any road — ${err.message}`;
  return `${what}: ${err.message} (${err.code})`;
}
