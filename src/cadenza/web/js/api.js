// The public HTTP API (/api/v1): tokens, refresh, errors as values a page can show.

const LEGACY_KEY = "cadenza.session";
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

// The refresh token is an HttpOnly cookie (page scripts never see it); the access token lives
// in this page's memory only. localStorage keeps just the fact of being signed in, so other
// tabs follow a log-in or log-out.
const SIGNED_IN = "cadenza.signed-in";
let session = null; // {access_token, expires_at}
const listeners = new Set();

export function signedIn() {
  return localStorage.getItem(SIGNED_IN) === "1" || Boolean(legacyRefreshToken());
}

// The refresh token an older version kept in localStorage: traded once for the cookie.
function legacyRefreshToken() {
  try {
    return JSON.parse(localStorage.getItem(LEGACY_KEY))?.refresh_token || null;
  } catch {
    return null;
  }
}

export function onSessionChange(fn) {
  listeners.add(fn);
}

function save(tokens) {
  session = tokens ? { access_token: tokens.access_token, expires_at: Date.now() + (tokens.expires_in - 30) * 1000 } : null;
  if (session) localStorage.setItem(SIGNED_IN, "1");
  else localStorage.removeItem(SIGNED_IN);
  listeners.forEach((fn) => fn(signedIn()));
}

// Another tab logged in or out.
window.addEventListener("storage", (event) => {
  if (event.key === SIGNED_IN) {
    if (!signedIn()) session = null;
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

// Each refresh token works once: one refresh at a time across this browser's tabs (they share
// the cookie), and one per page however many requests wait for it.
let refreshing = null;
function refresh() {
  refreshing ??= lockedRefresh().finally(() => (refreshing = null));
  return refreshing;
}

async function lockedRefresh() {
  const run = async () => {
    let response;
    // 409 refresh_raced: another tab swapped the cookie a moment ago (browsers without Web
    // Locks, e.g. over plain http on a LAN address): the cookie jar has the new one now.
    for (let attempt = 0; attempt < 4; attempt += 1) {
      if (attempt) await new Promise((done) => setTimeout(done, 250 * attempt));
      const legacy = legacyRefreshToken();
      response = await fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json", "x-cadenza-web": "1" },
        body: JSON.stringify(legacy ? { refresh_token: legacy, web: true } : {}),
        credentials: "same-origin",
      });
      localStorage.removeItem(LEGACY_KEY);
      if (response.status !== 409) break;
    }
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
  if (!signedIn()) return null;
  if (!session || session.expires_at <= Date.now()) await refresh();
  return session?.access_token || null;
}

// The playback device this page registered: named on every request, so the player's answers
// carry a stream grant only while this page is the device that plays (one person, one stream).
let playbackDevice = null;
export function nameDevice(id) {
  playbackDevice = id;
}

export async function request(method, path, body, { raw = false, auth = true } = {}) {
  const attempt = async () => {
    const headers = {};
    if (playbackDevice) headers["x-cadenza-device"] = playbackDevice;
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
  if (response.status === 401 && auth && signedIn()) {
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
    { email, password, totp: totp || null, email_code: email_code || null, device_id: deviceId(), device_name: deviceName(), web: true },
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

// A session another page made: the tokens an answer carried, or the refresh cookie that a
// sign-in through an OpenID provider left (its redirect could not hand tokens to this page).
export function adoptSession(tokens) {
  save(tokens);
}

export async function adoptCookieSession() {
  localStorage.setItem(SIGNED_IN, "1");
  await refresh();
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
