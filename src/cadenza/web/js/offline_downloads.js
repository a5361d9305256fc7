// Downloads for listening without the network (Premium): this browser registers as a download
// device, checks in for its 30-day licence and key, and keeps releases and playlists at the
// chosen quality, a chunk at a time: each chunk checked against the server's sha256, sealed
// (AES-GCM) and stored, so an interrupted download goes on from the last chunk kept.
import { api, deviceName } from "./api.js";
import { store } from "./store.js";
import * as db from "./offline_store.js";
import { importDeviceKey, seal, sha256Hex } from "./offline_crypto.js";

export const downloads = new EventTarget(); // "change": progress, a licence, a toggle; "removed": a check-in deleted them all
const emit = () => downloads.dispatchEvent(new Event("change"));
const DEVICES = "/api/v1/me/offline/devices";
const BAD_CHUNK_TRIES = 3;

export function downloadsAllowed() {
  return Boolean(store.plan?.features?.offline_devices);
}

// -- the device and its licence -------------------------------------------------------------
export async function checkIn() {
  let held = await db.device();
  if (held && store.me && held.account_id !== store.me.id) {
    await db.forgetDownloads(); // another account's downloads are not this one's
    await db.remove("meta", "device");
    held = null;
  }
  if (!held) {
    const made = await api.post(DEVICES, { name: deviceName() });
    held = { id: made.id, account_id: store.me?.id, name: made.name };
    await db.saveDevice(held);
  }
  let answer;
  try {
    answer = await api.post(`${DEVICES}/${held.id}/licence`);
  } catch (error) {
    if (error.code === "download_device_not_found") {
      await db.forgetDownloads(); // the device was removed (here or on another device)
      await db.remove("meta", "device");
      emit();
    }
    throw error;
  }
  await db.sawServerTime(answer.checked_in_at);
  if (answer.delete_all) {
    const had = (await db.count("collections")) > 0 || (await db.count("tracks")) > 0;
    await db.forgetDownloads();
    // Said once, where the listener sees it: the page shows why the downloads went.
    if (had) downloads.dispatchEvent(new CustomEvent("removed", { detail: { premiumEnded: !answer.key, plan: held.plan } }));
  }
  for (const gone of answer.delete) await forgetTrack(gone.track_id);
  await db.put("meta", answer.licence_public_key, "licence-key");
  held = {
    ...held,
    key: answer.key ? await importDeviceKey(answer.key) : null,
    // The plan the downloads come with (named if it ends); kept while the page knows none.
    plan: answer.key && downloadsAllowed() ? store.plan.plan : held.plan,
    signed_licence: answer.signed_licence, // what the licence holds by; the dates, to show
    licence_expires_at: answer.licence_expires_at,
    checked_in_at: answer.checked_in_at,
  };
  await db.saveDevice(held);
  emit();
  return held;
}

export async function licensed() {
  const held = await db.device();
  return (await db.licenceHolds(held)) ? held : checkIn();
}

// -- what is kept ---------------------------------------------------------------------------
export const collectionKey = (kind, id) => `${kind}:${id}`;

export async function collection(kind, id) {
  return db.get("collections", collectionKey(kind, id));
}

// Progress over a collection's tracks: chunks kept of chunks to keep.
export async function progress(kept) {
  let done = 0;
  let total = 0;
  let complete = 0;
  for (const trackId of kept?.track_ids || []) {
    const track = await db.get("tracks", trackId);
    if (track?.complete) complete += 1;
    const chunks = track?.chunks || 1;
    total += chunks;
    done += track?.complete ? chunks : Math.min(track?.done || 0, chunks);
  }
  return { done, total, complete, tracks: kept?.track_ids?.length || 0, share: total ? done / total : 0 };
}

// Every song of a playlist, page after page (the server sends 100 at a time), and the
// snapshot they belong to.
export async function playlistTracks(id) {
  const songs = [];
  let snapshot = null;
  for (let offset = 0; ; offset += PLAYLIST_PAGE) {
    const page = await api.get(`/api/v1/playlists/${encodeURIComponent(id)}?limit=${PLAYLIST_PAGE}&offset=${offset}`);
    snapshot ??= page.snapshot_id;
    for (const item of page.tracks.items) {
      const t = item.track;
      if (t?.id && t.playable !== false) songs.push({ id: t.id, title: t.title, duration_ms: t.duration_ms, artists: t.artists || [], release: t.release });
    }
    if (!page.tracks.items.length || offset + PLAYLIST_PAGE >= page.tracks.total) break;
  }
  return { tracks: songs, snapshot };
}
const PLAYLIST_PAGE = 100;

// A downloaded playlist follows its changes (checked at each check-in, and as its page opens):
// songs added are downloaded, songs removed go (unless another download has them).
export async function followPlaylists(only = null) {
  for (const kept of await db.all("collections")) {
    if (kept.kind !== "playlist" || (only !== null && kept.id !== String(only))) continue;
    let now;
    try {
      now = await api.get(`/api/v1/playlists/${encodeURIComponent(kept.id)}?limit=1`);
    } catch (error) {
      if (error.status === 404 || error.status === 403) await drop("playlist", kept.id); // gone, or no longer shared
      continue;
    }
    if (now.snapshot_id === kept.snapshot_id) continue;
    const { tracks, snapshot } = await playlistTracks(kept.id);
    await keep("playlist", kept.id, now.name, tracks, snapshot);
  }
}

// Keep a release or a playlist: `tracks` as the page shows them (titles, artists, release).
export async function keep(kind, id, title, tracks, snapshot = null) {
  const held = await licensed();
  navigator.storage?.persist?.().catch(() => null); // downloads are not for the browser to evict
  const quality = (await db.settings()).downloadQuality || null; // null: the plan's best
  const ids = [...new Set(tracks.map((t) => t.id))]; // a playlist may list a song twice
  const grants = [];
  for (let i = 0; i < ids.length; i += 500) {
    const body = kind === "release" ? { release_id: Number(id), quality } : { track_ids: ids.slice(i, i + 500), quality };
    const added = await api.post(`${DEVICES}/${held.id}/downloads`, body);
    grants.push(...added.grants);
    if (kind === "release") break;
  }
  const byId = new Map(tracks.map((t) => [t.id, t]));
  for (const grant of grants) {
    const known = await db.get("tracks", grant.track_id);
    // Kept already, or on its way (a playlist followed while it downloads): it goes on.
    if (known && known.quality === grant.quality && known.device_id === held.id) continue;
    const t = byId.get(grant.track_id) || {};
    await db.put("tracks", {
      track_id: grant.track_id,
      device_id: held.id,
      quality: grant.quality,
      media_type: grant.media_type,
      url: grant.url,
      complete: false,
      done: 0,
      meta: {
        id: grant.track_id,
        title: t.title,
        duration_ms: t.duration_ms,
        artists: (t.artists || []).map((a) => ({ id: a.id, name: a.name })),
        release: t.release ? { id: t.release.id, title: t.release.title } : null,
      },
    });
  }
  const before = await collection(kind, id);
  const granted = new Set(grants.map((g) => g.track_id));
  const trackIds = ids.filter((t) => granted.has(t)); // in the page's order
  await db.put("collections", { key: collectionKey(kind, id), kind, id: String(id), title, track_ids: trackIds, snapshot_id: snapshot, added_at: before?.added_at || new Date().toISOString() });
  await forgetUnkept(held, (before?.track_ids || []).filter((t) => !trackIds.includes(t)));
  emit();
  resume();
}

// Not kept any more: its tracks go unless another kept release or playlist has them.
export async function drop(kind, id) {
  const key = collectionKey(kind, id);
  const gone = await db.get("collections", key);
  await db.remove("collections", key);
  await forgetUnkept(await db.device(), gone?.track_ids || []);
  emit();
}

// These tracks go from the device (here and on the server's list) unless a download keeps them.
async function forgetUnkept(held, trackIds) {
  const others = new Set((await db.all("collections")).flatMap((c) => c.track_ids));
  for (const trackId of trackIds) {
    if (others.has(trackId)) continue;
    await forgetTrack(trackId);
    if (held) await api.del(`${DEVICES}/${held.id}/downloads/${trackId}`).catch(() => null);
  }
}

async function forgetTrack(trackId) {
  const database = await db.openStore();
  const tx = database.transaction(["tracks", "chunks"], "readwrite");
  tx.objectStore("tracks").delete(trackId);
  tx.objectStore("chunks").delete(db.chunkRange(trackId));
  await new Promise((resolve) => (tx.oncomplete = tx.onerror = resolve));
}

// -- fetching, verified, resumed --------------------------------------------------------------
let running = null;
export const downloadState = { error: null, waiting: false };

export function resume() {
  running ??= drain().finally(() => (running = null));
  return running;
}

async function drain() {
  for (;;) {
    const pending = (await db.all("tracks")).filter((t) => !t.complete);
    if (!pending.length) return;
    try {
      for (const track of pending) await fetchTrack(track);
      downloadState.error = null;
      downloadState.waiting = false;
    } catch (error) {
      // The connection dropped (or the server refused): try again shortly, or once back online.
      downloadState.error = error;
      downloadState.waiting = true;
      emit();
      if (error.code && error.status && error.status < 500 && !["grant_expired", "download_not_found"].includes(error.code)) return;
      await new Promise((done) => {
        const again = () => {
          window.removeEventListener("online", again);
          clearTimeout(timer);
          done();
        };
        const timer = setTimeout(again, navigator.onLine ? 1500 : 60000);
        window.addEventListener("online", again);
      });
      downloadState.waiting = false;
    }
  }
}

async function regrant(track) {
  const grant = await api.post(`${DEVICES}/${track.device_id}/downloads/${track.track_id}/grant`);
  track.url = grant.url;
  await db.put("tracks", track);
}

async function manifest(track) {
  try {
    return await api.get(`${track.url}/chunks`);
  } catch (error) {
    if (error.status !== 401 && error.status !== 404) throw error;
    await regrant(track); // the grant ran out before the download finished
    return api.get(`${track.url}/chunks`);
  }
}

async function fetchTrack(track) {
  const held = await licensed();
  if (!held.key) throw Object.assign(new Error("This device's downloads licence is revoked."), { code: "offline_licence_revoked", status: 403 });
  if (!track.sha256) {
    const m = await manifest(track);
    Object.assign(track, { blob: m.blob, size: m.size, chunk_bytes: m.chunk_bytes, sha256: m.sha256, chunks: m.sha256.length });
    await db.put("tracks", track);
  }
  let bad = 0;
  for (let index = track.done; index < track.chunks; ) {
    const start = index * track.chunk_bytes;
    const end = Math.min(track.size, start + track.chunk_bytes) - 1;
    const response = await fetch(track.url, { headers: { range: `bytes=${start}-${end}` }, cache: "no-store" });
    if (response.status === 401 || response.status === 404) {
      await regrant(track);
      continue;
    }
    if (response.status !== 206 && response.status !== 200) {
      const body = await response.json().catch(() => ({}));
      throw Object.assign(new Error(body.error?.message || `The server answered ${response.status}.`), { status: response.status, code: body.error?.code });
    }
    let bytes = await response.arrayBuffer();
    if (response.status === 200) bytes = bytes.slice(start, end + 1);
    if ((await sha256Hex(bytes)) !== track.sha256[index]) {
      bad += 1; // damaged on the way: fetched again, never kept
      if (bad > BAD_CHUNK_TRIES) throw new Error("A downloaded chunk failed its check again and again.");
      continue;
    }
    await db.put("chunks", await seal(held.key, track.track_id, index, bytes), [track.track_id, index]);
    index += 1;
    track.done = index;
    await db.put("tracks", track);
    emit();
  }
  track.complete = true;
  delete track.sha256; // kept only while downloading
  await db.put("tracks", track);
  emit();
}

// -- what the page shows ------------------------------------------------------------------------
export async function limits() {
  const features = store.plan?.features || {};
  const held = await db.device();
  let devices = null;
  try {
    devices = await api.get(DEVICES);
  } catch {
    /* offline: what this device knows */
  }
  const mine = devices?.find((d) => d.id === held?.id);
  return {
    tracksHere: mine ? mine.tracks : (await db.count("tracks")),
    tracksPerDevice: features.offline_tracks_per_device || 10000,
    devices: devices ? devices.length : null,
    devicesAllowed: features.offline_devices || 5,
    device: held,
  };
}
