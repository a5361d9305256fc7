// The web player as an app that works without the network: the service worker (installed
// here, updated when the listener agrees), the notice of what is not available offline, the
// listener's last known account for an offline start, the licence's check-in when online,
// and the listening events kept while offline, sent once the network is back.
import { api, ApiError, signedIn } from "./api.js";
import { h, clear } from "./dom.js";
import { store, watch, notifyWatchers, PLAN_NAMES } from "./store.js";
import * as db from "./offline_store.js";
import { checkIn, downloads, followPlaylists, resume } from "./offline_downloads.js";
import { startOfflinePlayer } from "./offline_player.js";

const KNOWN = "cadenza.offline-account"; // who was signed in, for a start with no network
export const NOT_OFFLINE = "Search, browsing, radio and mixes, songs that are not downloaded, lyrics, friends and other devices need the internet.";

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadOne = Boolean(navigator.serviceWorker.controller);
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/", type: "module" });
  const offer = (worker) => {
    if (!hadOne || !worker) return; // the first install needs no reload
    showUpdate(worker);
  };
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => worker.state === "installed" && offer(worker));
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadOne && !reloading && updateAccepted) {
      reloading = true;
      location.reload();
    }
  });
}

let updateAccepted = false;
function showUpdate(worker) {
  const bar = document.getElementById("app-notice");
  bar.hidden = false;
  clear(
    bar,
    h("span", {}, "A new version of Cadenza is ready."),
    h("button", { type: "button", class: "button secondary", onclick: () => { updateAccepted = true; worker.postMessage({ type: "skip-waiting" }); } }, "Reload"),
  );
}

// A check-in deleted every download: the plan they came with ended (or gave way to another).
// The plan is named as the downloads knew it (Premium Duo, Family, Student, ...).
function showRemoved(event) {
  const bar = document.getElementById("app-notice");
  if (!bar) return;
  const plan = PLAN_NAMES[event.detail?.plan];
  const ended = plan ? `your ${plan} ended` : "your plan with downloads ended";
  const why = event.detail?.premiumEnded
    ? [`Your downloads were removed because ${ended}. `, h("a", { class: "notice-action", href: "/account/plan", "data-link": true }, "Get Premium"), " to download again."]
    : ["Your downloads were removed because your plan changed. Download them again from their pages."];
  bar.hidden = false;
  clear(bar, h("span", { class: "downloads-removed" }, ...why), h("button", { type: "button", class: "button secondary", onclick: () => { bar.hidden = true; } }, "Dismiss"));
}

function drawConnection() {
  const bar = document.getElementById("offline-notice");
  const offline = !navigator.onLine;
  document.body.classList.toggle("offline", offline);
  bar.hidden = !offline;
  if (offline) {
    clear(bar, h("strong", {}, "You're offline. "), "Your downloads still play: ", h("a", { href: "/downloads", "data-link": true }, "Downloads"), `. ${NOT_OFFLINE}`);
  }
}

// Listening events kept while offline: sent in batches; each has its own id, so one sent
// twice (the answer lost on the way) counts once.
let sending = null;
export function sendKeptEvents() {
  sending ??= (async () => {
    for (;;) {
      const events = (await db.all("events")).slice(0, 500);
      if (!events.length || !navigator.onLine || !signedIn()) return;
      try {
        await api.post("/api/v1/me/player/events", { events });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401) return; // later
      }
      for (const event of events) await db.remove("events", event.id);
    }
  })().finally(() => (sending = null));
  return sending;
}

// Back online (or started online): the kept events go, and a device that keeps downloads
// checks in, whatever the plan says now (a plan that ended is how the downloads learn to go),
// then follows its downloaded playlists' changes and finishes what was downloading.
async function whenOnline() {
  drawConnection();
  await sendKeptEvents();
  if (store.me && (await db.device())) {
    const held = await checkIn().catch(() => null);
    if (held?.key) await followPlaylists().catch(() => null);
    resume();
  }
}

// Logging out takes the account's downloads off this browser, as Spotify does: the events not
// sent yet go first, then the download device (its slot is free again), the sealed audio, the
// device's key and the songs it played. Called before the session ends.
export async function forgetAccount() {
  await sendKeptEvents().catch(() => null);
  const held = await db.device();
  if (held && navigator.onLine) await api.del(`/api/v1/me/offline/devices/${held.id}`).catch(() => null);
  await db.forgetAccount();
  localStorage.removeItem(KNOWN);
  downloads.dispatchEvent(new Event("change"));
}

// Called by the app once it has asked who is signed in.
export async function startOffline() {
  const bars = document.createElement("div");
  bars.className = "app-bars";
  bars.append(h("div", { id: "offline-notice", class: "app-notice offline-notice", role: "status", hidden: true }), h("div", { id: "app-notice", class: "app-notice", role: "status", hidden: true }));
  document.querySelector(".content")?.prepend(bars);
  startOfflinePlayer();
  downloads.addEventListener("removed", showRemoved);
  window.addEventListener("online", whenOnline);
  window.addEventListener("offline", drawConnection);
  drawConnection();
  watch(() => {
    if (store.me) localStorage.setItem(KNOWN, JSON.stringify({ me: store.me, plan: store.plan }));
  });
  if (!store.me && !navigator.onLine && signedIn()) {
    try {
      Object.assign(store, JSON.parse(localStorage.getItem(KNOWN)) || {});
    } catch {
      /* nothing known */
    }
    if (location.pathname === "/") history.replaceState(null, "", "/downloads");
    notifyWatchers();
  }
  registerWorker().catch(() => null);
  if (navigator.onLine) whenOnline();
  setInterval(() => navigator.onLine && sendKeptEvents(), 30000);
}
