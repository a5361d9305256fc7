// What this browser keeps for playing without the network, in IndexedDB: the download device
// and its key, the downloaded tracks (sealed chunks), the played-tracks cache's bookkeeping,
// the settings, and listening events waiting for the network. Used by the page and by the
// service worker (no window, no document here).
import { verifiedLicence } from "./offline_crypto.js";

const NAME = "cadenza-offline";
const VERSION = 1;
export const DEFAULT_AUDIO_CACHE_BYTES = 1024 ** 3; // 1 GB of played tracks

let opening = null;

export function openStore() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta"); // "settings", "device": out-of-line keys
      db.createObjectStore("played", { keyPath: "path" }); // {path, size, used}
      const tracks = db.createObjectStore("tracks", { keyPath: "track_id" }); // a download, its state
      tracks.createIndex("blob", "blob"); // a stream URL names the file by its content
      db.createObjectStore("chunks"); // [track_id, index] -> {iv, data}
      db.createObjectStore("collections", { keyPath: "key" }); // "release:1" -> track ids
      db.createObjectStore("events", { keyPath: "id" }); // listening events not sent yet
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// One request in its own transaction: `run(store)` returns the IDBRequest.
async function one(storeName, mode, run) {
  const db = await openStore();
  const tx = db.transaction(storeName, mode);
  const result = await done(run(tx.objectStore(storeName)));
  if (mode === "readwrite") {
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }
  return result;
}

export const get = (storeName, key) => one(storeName, "readonly", (s) => s.get(key));
export const all = (storeName, range) => one(storeName, "readonly", (s) => s.getAll(range));
export const put = (storeName, value, key) => one(storeName, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
export const remove = (storeName, key) => one(storeName, "readwrite", (s) => s.delete(key));
export const count = (storeName, range) => one(storeName, "readonly", (s) => s.count(range));

export const byIndex = (storeName, index, key) => one(storeName, "readonly", (s) => s.index(index).get(key));

// Every chunk of a track: keys [track_id, 0] .. [track_id, Infinity].
export function chunkRange(trackId) {
  return IDBKeyRange.bound([trackId, 0], [trackId, Infinity]);
}

export async function settings() {
  const kept = (await get("meta", "settings")) || {};
  return { audioCacheBytes: DEFAULT_AUDIO_CACHE_BYTES, ...kept };
}

export async function saveSettings(changes) {
  await put("meta", { ...(await settings()), ...changes }, "settings");
}

export const device = () => get("meta", "device");
export const saveDevice = (value) => put("meta", value, "device");

// The licence holds: checked in within its 30 days, not revoked, a key released. Its end is
// the one the server signed (worked out from the server's clock at the check-in), read from
// the signed licence, never from a field the device could rewrite; it is held against
// trustedNow(), never this device's clock alone. `publicKey`: the service worker's own (written
// in as it was served); the page's comes with the check-in.
export async function licenceHolds(held, publicKey = null) {
  if (!held?.key) return false;
  const licence = await verifiedLicence(held.signed_licence, publicKey ?? (await get("meta", "licence-key")));
  if (!licence || licence.device_id !== held.id) return false;
  return (await trustedNow()) < Date.parse(licence.licence_expires_at);
}

// The time to hold a licence against: this device's clock, but never earlier than the latest
// time seen here (by this clock or the server's at a check-in), so a clock moved back does not
// bring an ended licence back; one moved ahead ends it early, until the next check-in.
export async function trustedNow() {
  const seen = (await get("meta", "time-seen")) || 0;
  const now = Math.max(Date.now(), seen);
  if (now > seen) await put("meta", now, "time-seen");
  return now;
}

export async function sawServerTime(iso) {
  const at = Date.parse(iso);
  if (at > ((await get("meta", "time-seen")) || 0)) await put("meta", at, "time-seen");
}

// Everything downloaded goes (a revoked licence, another account, the listener's choice).
export async function forgetDownloads() {
  const db = await openStore();
  const tx = db.transaction(["tracks", "chunks", "collections"], "readwrite");
  for (const name of ["tracks", "chunks", "collections"]) tx.objectStore(name).clear();
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

// The played-tracks cache within its limit: least recently used first out.
export const AUDIO_CACHE = "cadenza-audio-v1";

// The account leaves this browser (it logged out): its downloads, the device's key, the
// songs it played and the listening events not sent go; the settings stay with the browser.
export async function forgetAccount() {
  const db = await openStore();
  const names = ["tracks", "chunks", "collections", "played", "events"];
  const tx = db.transaction([...names, "meta"], "readwrite");
  for (const name of names) tx.objectStore(name).clear();
  tx.objectStore("meta").delete("device");
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
  await caches.delete(AUDIO_CACHE);
}

export async function evictPlayed(limit) {
  const played = (await all("played")).sort((a, b) => a.used - b.used);
  let total = played.reduce((sum, p) => sum + p.size, 0);
  const cache = await caches.open(AUDIO_CACHE);
  for (const entry of played) {
    if (total <= limit) break;
    await cache.delete(entry.path);
    await remove("played", entry.path);
    total -= entry.size;
  }
  return total;
}
