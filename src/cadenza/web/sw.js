// The web player's service worker (served at /sw.js, scope /, the server writes in the shell's
// version and files): the app starts with no network, played tracks are kept by their content
// address (a replay asks the server for a grant, never for bytes), and downloads play sealed.
import { AUDIO_CACHE, byIndex, device, evictPlayed, get, licenceHolds, put, settings } from "/static/js/offline_store.js";
import { open } from "/static/js/offline_crypto.js";

const VERSION = "__SHELL_VERSION__";
const SHELL = ["__SHELL_FILES__"];
const SHELL_CACHE = `cadenza-shell-${VERSION}`;
const LICENCE_KEY = "__LICENCE_KEY__"; // the server's key for download licences (Ed25519)
const AUDIO = "/api/v1/audio/";
const OFFLINE_AUDIO = "/offline-audio/";
const NOT_PAGES = ["/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/payments/", "/static/", "/sw.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "no-cache" })))));
});

// The new version takes over when the page says so (the listener pressed "Reload"), or at
// once when no page runs the old one; only then does the old shell go.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("cadenza-shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") self.skipWaiting();
  if (event.data?.type === "version") event.source?.postMessage({ type: "version", version: VERSION });
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(AUDIO)) event.respondWith(streamed(event, url));
  else if (url.pathname.startsWith(OFFLINE_AUDIO)) event.respondWith(downloaded(url, request.headers.get("range")));
  else if (request.mode === "navigate" && !NOT_PAGES.some((p) => url.pathname.startsWith(p))) event.respondWith(page(request));
  else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") event.respondWith(shellFile(request));
});

// -- the app shell ------------------------------------------------------------------------
async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const shell = await caches.match("/", { cacheName: SHELL_CACHE });
    if (shell) return shell;
    throw error;
  }
}

async function shellFile(request) {
  const kept = await caches.match(request, { cacheName: SHELL_CACHE, ignoreSearch: true });
  return kept || fetch(request);
}

// -- audio: a stream grant's URL ---------------------------------------------------------
// The path names the file's content; the query is the one-minute grant. Kept by the path.
async function streamed(event, url) {
  const request = event.request;
  const range = request.headers.get("range");
  const blob = url.pathname.slice(AUDIO.length).split(".")[0];
  const mine = await playableDownload(await byIndex("tracks", "blob", blob).catch(() => null));
  if (mine) return sealedAnswer(mine.track, mine.key, range);
  const key = url.origin + url.pathname;
  const cache = await caches.open(AUDIO_CACHE);
  const kept = await cache.match(key);
  if (kept) {
    if (!range || /^bytes=0-/.test(range)) event.waitUntil(touch(key, Number(kept.headers.get("content-length")) || 0));
    return rangedAnswer(await kept.blob(), kept.headers, range);
  }
  let whole = fetching.get(key);
  if (!whole && (!range || /^bytes=0-/.test(range))) {
    whole = keepWhole(url, key, cache);
    fetching.set(key, whole);
    event.waitUntil(whole.catch(() => null).finally(() => fetching.delete(key)));
  }
  const got = whole && (await whole.catch(() => null));
  if (!got) return fetch(request); // a seek into a file not kept (nor coming)
  if (got.refusal) return got.refusal.clone(); // 403 grant_expired, 429 ...: as the server said
  return rangedAnswer(got.blob, got.headers, range);
}

// The whole file, once (the audio element's first range and the ranges it asks for meanwhile
// wait for it), kept when it fits the limit; every range is then cut from it.
const fetching = new Map();

async function keepWhole(url, key, cache) {
  const response = await fetch(url.href, { credentials: "same-origin" });
  if (response.status !== 200) return { refusal: response };
  const blob = await response.blob();
  const headers = new Headers(response.headers);
  headers.set("accept-ranges", "bytes");
  headers.set("content-length", String(blob.size));
  const limit = (await settings()).audioCacheBytes;
  if (blob.size <= limit) {
    await cache.put(key, new Response(blob, { status: 200, headers }));
    await touch(key, blob.size);
    await evictPlayed(limit);
  }
  return { blob, headers };
}

async function touch(path, size) {
  await put("played", { path, size, used: Date.now() });
}

function parseRange(range, size) {
  const found = /^bytes=(\d*)-(\d*)$/.exec((range || "").trim());
  if (!found || (!found[1] && !found[2])) return null;
  if (!found[1]) return [Math.max(0, size - Number(found[2])), size - 1];
  const start = Number(found[1]);
  const end = found[2] ? Math.min(Number(found[2]), size - 1) : size - 1;
  return [start, end];
}

function rangedAnswer(body, stored, range) {
  const size = body.size;
  const headers = new Headers({ "content-type": stored.get("content-type") || "application/octet-stream", "accept-ranges": "bytes", "cache-control": "private, max-age=86400" });
  if (stored.get("etag")) headers.set("etag", stored.get("etag"));
  const wanted = parseRange(range, size);
  if (!wanted) {
    headers.set("content-length", String(size));
    return new Response(body, { status: 200, headers });
  }
  const [start, end] = wanted;
  if (start >= size || start > end) return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
  headers.set("content-range", `bytes ${start}-${end}/${size}`);
  headers.set("content-length", String(end - start + 1));
  return new Response(body.slice(start, end + 1), { status: 206, headers });
}

// -- downloads: sealed chunks in IndexedDB ----------------------------------------------------
async function playableDownload(track) {
  if (!track?.complete) return null;
  const held = await device();
  if (!(await licenceHolds(held, LICENCE_KEY)) || held.id !== track.device_id) return null;
  return { track, key: held.key };
}

function refusal(status, code, message) {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { "content-type": "application/json" } });
}

async function downloaded(url, range) {
  const trackId = Number(url.pathname.slice(OFFLINE_AUDIO.length));
  const track = await get("tracks", trackId).catch(() => null);
  if (!track?.complete) return refusal(404, "download_not_found", "This track is not downloaded here.");
  const held = await device();
  if (!(await licenceHolds(held, LICENCE_KEY)) || held.id !== track.device_id) {
    return refusal(403, "offline_licence_expired", "Connect to the internet so this device can check in: downloads play for 30 days after the last check-in.");
  }
  return sealedAnswer(track, held.key, range);
}

// The asked range, opened a chunk at a time as the audio element reads it.
function sealedAnswer(track, key, range) {
  const size = track.size;
  const chunk = track.chunk_bytes;
  const [start, end] = parseRange(range, size) || [0, size - 1];
  const headers = new Headers({ "content-type": track.media_type, "accept-ranges": "bytes", etag: `"${track.blob}"`, "content-length": String(end - start + 1) });
  if (start >= size) return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
  let index = Math.floor(start / chunk);
  const last = Math.floor(end / chunk);
  const body = new ReadableStream({
    async pull(controller) {
      if (index > last) return controller.close();
      const sealed = await get("chunks", [track.track_id, index]);
      if (!sealed) return controller.error(new Error("a chunk is missing"));
      const plain = new Uint8Array(await open(key, track.track_id, index, sealed));
      const from = index === Math.floor(start / chunk) ? start - index * chunk : 0;
      const to = index === last ? end - index * chunk + 1 : plain.length;
      controller.enqueue(plain.subarray(from, to));
      index += 1;
    },
  });
  if (range) headers.set("content-range", `bytes ${start}-${end}/${size}`);
  return new Response(body, { status: range ? 206 : 200, headers });
}
