// The public HTTP API (/api/v1): tokens, refresh, errors as values a page can show.

const KEY = "cadenza.session";
const DEVICE = "cadenza.device";

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    Object.assign(this, extra);
  }
}

// This browser's device id: kept across visits, so a known device skips the e-mailed code.
export function deviceId() {
  let id = localStorage.getItem(DEVICE);
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem(DEVICE, id);
  }
  return id;
}

export function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Firefox/.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrom/.test(ua) ? "Chrome" : /Safari/.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return `Web player (${browser}${system ? ` on ${system}` : ""})`;
}

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

let session = load();
const listeners = new Set();

export function signedIn() {
  return Boolean(session?.refresh_token);
}

export function onSessionChange(fn) {
  listeners.add(fn);
}

function save(tokens) {
  session = tokens
    ? { ...tokens, expires_at: Date.now() + (tokens.expires_in - 30) * 1000 }
    : null;
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  listeners.forEach((fn) => fn(signedIn()));
}

// Another tab refreshed or signed out: use what it stored.
window.addEventListener("storage", (event) => {
  if (event.key === KEY) {
    session = load();
    listeners.forEach((fn) => fn(signedIn()));
  }
});

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  const error = body?.error;
  if (error) return new ApiError(response.status, error.code, error.message, error);
  if (Array.isArray(body?.detail)) {
    const first = body.detail[0];
    const where = (first.loc || []).filter((p) => p !== "body").join(".");
    return new ApiError(response.status, "invalid_request", `${where}: ${first.msg}`);
  }
  return new ApiError(response.status, "http_error", `The server answered ${response.status}.`);
}

// Each refresh token works once: one refresh at a time across this browser's tabs.
async function refresh() {
  const stale = session?.refresh_token;
  const run = async () => {
    const current = load();
    if (current && current.refresh_token !== stale && current.expires_at > Date.now()) {
      session = current; // another tab already refreshed
      return;
    }
    const response = await fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: current?.refresh_token || stale }),
    });
    if (!response.ok) {
      save(null);
      throw await errorOf(response);
    }
    save(await response.json());
  };
  if (navigator.locks) return navigator.locks.request("cadenza-refresh", run);
  return run();
}

async function bearer() {
  if (!session) return null;
  if (session.expires_at <= Date.now()) await refresh();
  return session?.access_token || null;
}

export async function request(method, path, body, { raw = false, auth = true } = {}) {
  const attempt = async () => {
    const headers = {};
    const token = auth ? await bearer() : null;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return fetch(path, { method, headers, body: payload });
  };
  let response = await attempt();
  if (response.status === 401 && auth && session) {
    const error = await errorOf(response.clone());
    if (error.code === "token_expired" || error.code === "invalid_token") {
      await refresh();
      response = await attempt();
    }
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && auth && ["session_ended", "invalid_token", "authentication_required"].includes(error.code)) {
      save(null); // logged out elsewhere (or everywhere): this page shows the signed-out view
    }
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export const api = {
  get: (path, opts) => request("GET", path, undefined, opts),
  post: (path, body, opts) => request("POST", path, body, opts),
  put: (path, body, opts) => request("PUT", path, body, opts),
  patch: (path, body, opts) => request("PATCH", path, body, opts),
  del: (path, opts) => request("DELETE", path, undefined, opts),
  token: bearer,
};

export async function logIn({ email, password, totp, email_code }) {
  const tokens = await request(
    "POST",
    "/api/v1/auth/token",
    { email, password, totp: totp || null, email_code: email_code || null, device_id: deviceId(), device_name: deviceName() },
    { auth: false },
  );
  save(tokens);
}

export async function logOut() {
  try {
    await api.post("/api/v1/auth/logout");
  } finally {
    save(null);
  }
}

export function forget() {
  save(null);
}

// Catalog objects change rarely: one request per id per page load.
const cache = new Map();
export function cached(path) {
  if (!cache.has(path)) {
    const pending = api.get(path);
    cache.set(path, pending);
    pending.catch(() => cache.delete(path));
  }
  return cache.get(path);
}
