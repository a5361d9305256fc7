// Playing downloads with no network: the player's decks play the sealed files through the
// service worker (/offline-audio/ID), this page keeps the queue (shuffled as the plan and the
// listener say), and listening events wait in IndexedDB until the server can have them.
import { player } from "./player.js";
import { store, onDemand } from "./store.js";
import * as db from "./offline_store.js";

const SHUFFLE = "cadenza.offline-shuffle";
const FOREVER = "9999-12-31T00:00:00Z"; // no grant to renew: the licence decides

export class OfflineRefusal extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
    this.status = 403;
  }
}

// The plan's rule first: without on-demand play, shuffle is always on.
function shuffleWanted(asked) {
  if (store.plan && !onDemand()) return true;
  if (asked !== undefined) return asked;
  return localStorage.getItem(SHUFFLE) === "1";
}

function shuffled(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// Why downloads cannot play now, or null.
export async function licenceProblem() {
  const held = await db.device();
  if (!held) return new OfflineRefusal("download_device_not_found", "Nothing is downloaded on this device.");
  if (store.me && held.account_id !== store.me.id) return new OfflineRefusal("download_device_not_found", "The downloads here belong to another account.");
  if (!held.key) return new OfflineRefusal("offline_licence_revoked", "Your downloads ended with your Premium plan. Connect to the internet to check in.");
  if (!(await db.licenceHolds(held))) {
    return new OfflineRefusal("offline_licence_expired", "This device has not checked in for 30 days. Connect to the internet so it can check in; then your downloads play again.");
  }
  return null;
}

export async function playDownloaded(trackIds, { offset = 0, shuffle } = {}) {
  const problem = await licenceProblem();
  if (problem) throw problem;
  const held = await db.device();
  const tracks = [];
  for (const id of trackIds) {
    const track = await db.get("tracks", id);
    if (track?.complete && track.device_id === held.id) tracks.push(track);
  }
  if (!tracks.length) throw new OfflineRefusal("nothing_downloaded", "None of these songs is downloaded yet.");
  const on = shuffleWanted(shuffle);
  const first = tracks[Math.min(offset, tracks.length - 1)];
  const queue = on ? [first, ...shuffled(tracks.filter((t) => t !== first))] : tracks.slice(tracks.indexOf(first));
  await player.finishCurrent("skip").catch(() => null);
  player.dropPrefetch();
  player.offline = { queue, all: tracks, index: 0, shuffle: on, device: held };
  await startTrack();
}

async function startTrack() {
  const o = player.offline;
  const track = o.queue[o.index];
  player.ensureAudio();
  const meta = track.meta || {};
  const grant = { track_id: track.track_id, url: `/offline-audio/${track.track_id}`, duration_ms: meta.duration_ms || 0, gain_db: 0, expires_at: FOREVER, quality: track.quality };
  player.deck.load(grant, 0);
  player.state = { track_id: track.track_id, playing: true, shuffle: o.shuffle, repeat: "off", progress_ms: 0, device: player.me(), up_next: [], offline: true };
  player.track = { ...meta, id: track.track_id, artists: meta.artists || [], release: { ...(meta.release || { id: 0, title: "" }), images: [] } };
  player.setNotice(null);
  try {
    await player.deck.audio.play();
  } catch (error) {
    if (error.name !== "AbortError") player.setNotice({ code: "audio_error", message: "This download could not be played." });
  }
  player.emit();
  player.announce();
}

async function move(step) {
  const o = player.offline;
  await player.finishCurrent("skip");
  const next = o.index + step;
  if (next < 0 || next >= o.queue.length) {
    player.deck.audio.pause();
    player.state = { ...player.state, playing: false };
    player.emit();
    return;
  }
  o.index = next;
  await startTrack();
}

// Events of a download's play name the download device: the server counts them as offline
// plays licensed to it. Kept in IndexedDB while the network is away.
export async function keepEvents(events) {
  for (const event of events) await db.put("events", event);
}

// The player's own commands, while it plays downloads, stay on this page.
function wrap(name, offlineVersion) {
  const online = player[name].bind(player);
  player[name] = (...args) => (player.offline ? offlineVersion(...args) : online(...args));
}

export function startOfflinePlayer() {
  const online = {
    play: player.play.bind(player),
    queueEvent: player.queueEvent.bind(player),
    flush: player.flush.bind(player),
  };
  player.play = (...args) => {
    player.offline = null; // the listener chose something online: the server's player again
    return online.play(...args);
  };
  player.queueEvent = (deck, kind, positionMs, extra = {}) => {
    const before = player.pending.length;
    online.queueEvent(deck, kind, positionMs, extra);
    if (player.offline && player.pending.length > before) player.pending.at(-1).device = String(player.offline.device.id);
  };
  player.flush = async (options) => {
    if (!navigator.onLine && player.pending.length) {
      await keepEvents(player.pending.splice(0));
      return;
    }
    await online.flush(options);
  };
  wrap("toggle", async () => {
    const audio = player.deck.audio;
    if (audio.paused) await audio.play().catch(() => null);
    else audio.pause();
    player.state = { ...player.state, playing: !audio.paused };
    player.emit();
  });
  wrap("next", () => move(1));
  wrap("previous", () => (player.deck.positionMs() > 3000 ? player.seek(0) : move(-1)));
  wrap("seek", (positionMs) => {
    const deck = player.deck;
    const target = Math.max(0, Math.min(positionMs, (deck.grant?.duration_ms || 0) - 250));
    player.recordSeek(deck, target);
    deck.audio.currentTime = target / 1000;
    player.emit("time");
  });
  wrap("trackEnded", async (deck) => {
    player.queueEvent(deck, "end", deck.grant ? deck.grant.duration_ms : deck.positionMs());
    deck.play = null;
    await player.flush();
    await move(1);
  });
  wrap("setShuffle", (on) => {
    const o = player.offline;
    o.shuffle = shuffleWanted(on);
    localStorage.setItem(SHUFFLE, o.shuffle ? "1" : "0");
    const playing = o.queue[o.index];
    const rest = o.all.filter((t) => t !== playing);
    o.queue = [playing, ...(o.shuffle ? shuffled(rest) : o.all.slice(o.all.indexOf(playing) + 1))];
    o.index = 0;
    player.state = { ...player.state, shuffle: o.shuffle };
    player.emit();
  });
  wrap("setRepeat", () => null);
  wrap("enqueue", () => false);
  window.addEventListener("online", () => player.flush());
}
