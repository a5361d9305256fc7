// The listener's library: playlists (own and followed), liked songs; the sidebar list.
import { api } from "./api.js";
import { h, clear, toast } from "./dom.js";
import { store } from "./store.js";
import { navigate } from "./router.js";

let playlists = null; // null: not loaded; false: the server has no library API

export async function myPlaylists(fresh = false) {
  if (!store.me) return [];
  if (playlists === false) return [];
  if (playlists && !fresh) return playlists;
  try {
    const page = await api.get("/api/v1/me/playlists?limit=50");
    playlists = page.items;
  } catch (error) {
    if (error.status === 404 || error.status === 405) playlists = false;
    else throw error;
    return [];
  }
  return playlists;
}

export function libraryAvailable() {
  return playlists !== false;
}

export async function changed() {
  await myPlaylists(true);
  await drawSidebar();
}

export async function createPlaylist(name = "My playlist") {
  const made = await api.post("/api/v1/me/playlists", { name, description: "", public: true, collaborative: false });
  await changed();
  return made;
}

export async function addToPlaylist(playlist, trackIds) {
  await api.post(`/api/v1/playlists/${playlist.id}/tracks`, { track_ids: trackIds });
  toast(`Added to ${playlist.name}`);
  await changed();
}

export async function setLiked(trackId, on) {
  if (on) await api.put(`/api/v1/me/tracks/${trackId}`);
  else await api.del(`/api/v1/me/tracks/${trackId}`);
  document.dispatchEvent(new CustomEvent("cadenza:liked", { detail: { trackId, on } }));
  toast(on ? "Added to Liked Songs" : "Removed from Liked Songs");
}

export async function liked(trackIds) {
  if (!store.me || playlists === false || !trackIds.length) return trackIds.map(() => false);
  try {
    return await api.get(`/api/v1/me/tracks/contains?ids=${trackIds.slice(0, 50).join(",")}`);
  } catch {
    return trackIds.map(() => false);
  }
}

// A playlist's track (a card that may be unavailable) in the shape track lists draw.
export function listed(item) {
  const t = item.track;
  return {
    id: t.id,
    title: t.title || "Unavailable song",
    artists: t.artists || [],
    release_id: t.release?.id,
    release: t.release,
    duration_ms: t.duration_ms || 0,
    explicit: Boolean(t.explicit),
    playable: t.playable,
    unavailable_reason: t.unavailable_reason,
    position: item.position,
  };
}

export async function drawSidebar() {
  const box = document.getElementById("sidebar-library");
  if (!box) return;
  const mine = store.me ? await myPlaylists().catch(() => []) : [];
  if (!store.me || playlists === false) {
    clear(box);
    return;
  }
  const create = h("button", {
    type: "button",
    class: "button secondary small",
    onclick: async () => {
      const made = await createPlaylist(`My playlist #${mine.length + 1}`);
      navigate(`/playlist/${made.id}`);
    },
  }, "+ Create playlist");
  clear(
    box,
    h("h2", {}, h("a", { href: "/library", "data-link": true }, "Your Library")),
    create,
    h(
      "ul",
      { class: "nav-list library-list" },
      h("li", {}, h("a", { href: "/collection/tracks", "data-link": true }, "Liked Songs")),
      mine.map((p) => h("li", {}, h("a", { href: `/playlist/${p.id}`, "data-link": true, "aria-current": location.pathname === `/playlist/${p.id}` ? "page" : null }, p.name))),
    ),
  );
}
