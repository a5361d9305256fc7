// Hearts: whether the listener likes a track, the same on every row, the player bar and the
// now-playing view; kept right after a like anywhere (this page, another tab, another device).
import { api } from "./api.js";
import { h, icon, toast } from "./dom.js";
import { store, watch } from "./store.js";
import { setLiked } from "./library.js";

const known = new Map(); // track id -> liked
const channel = "BroadcastChannel" in window ? new BroadcastChannel("cadenza-likes") : null;

function draw(button, on) {
  button.setAttribute("aria-pressed", String(on));
  const title = button.dataset.title;
  button.setAttribute("aria-label", on ? `Remove ${title} from Liked Songs` : `Save ${title} to Liked Songs`);
  button.title = on ? "Remove from Liked Songs" : "Save to Liked Songs";
  button.classList.toggle("on", on);
  button.replaceChildren(icon(on ? "heart" : "heart-outline"));
}

function show(trackId, on) {
  known.set(trackId, on);
  for (const button of document.querySelectorAll(`button.like[data-like-track="${trackId}"]`)) draw(button, on);
}

// A heart for a track; null when no one is signed in.
export function heart(track) {
  if (!store.me || !track?.id) return null;
  const button = h("button", { type: "button", class: "icon-button like", dataset: { likeTrack: String(track.id), title: track.title } });
  draw(button, Boolean(known.get(track.id)));
  button.addEventListener("click", async (event) => {
    event.stopPropagation();
    const on = !known.get(track.id);
    try {
      await setLiked(track.id, on); // tells every heart through "cadenza:liked"
    } catch (error) {
      toast(error.message);
    }
  });
  if (!known.has(track.id)) ask(track.id);
  return button;
}

// The hearts drawn in one go (a track list) are asked about in one request.
const pending = new Set();
function ask(trackId) {
  if (!pending.size) queueMicrotask(() => {
    const ids = [...pending];
    pending.clear();
    refresh(ids);
  });
  pending.add(trackId);
}

// Ask the server about these tracks (50 at a time) and redraw their hearts.
export async function refresh(ids = null) {
  if (!store.me) return;
  const wanted = [...new Set(ids || [...document.querySelectorAll("button.like[data-like-track]")].map((b) => Number(b.dataset.likeTrack)))];
  for (let i = 0; i < wanted.length; i += 50) {
    const chunk = wanted.slice(i, i + 50);
    try {
      const answers = await api.get(`/api/v1/me/tracks/contains?ids=${chunk.join(",")}`);
      chunk.forEach((id, n) => show(id, Boolean(answers[n])));
    } catch {
      return; // signed out meanwhile, or no library: the hearts stay as they are
    }
  }
}

export function startLikes() {
  watch(() => known.clear()); // another account: nothing known
  document.addEventListener("cadenza:liked", ({ detail }) => {
    show(detail.trackId, detail.on);
    channel?.postMessage(detail);
  });
  channel?.addEventListener("message", ({ data }) => show(data.trackId, data.on));
  // A like from another device shows when the listener comes back to this page.
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
  window.addEventListener("focus", () => refresh());
}
