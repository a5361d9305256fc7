// The now-playing view: the cover large, the title and artists, the credits the catalog
// knows, the lyrics (following the audio when timed) and what plays next. Opened from the
// player bar (its button, or the cover); a heart in the bar likes the song playing.
import { cached } from "./api.js";
import { h, clear, cover, artistLinks, icon } from "./dom.js";
import { player } from "./player.js";
import { store } from "./store.js";
import { heart } from "./likes.js";
import { shareButton } from "./share.js";
import { lyricsPanel } from "./lyrics.js";
import { queuePanel } from "./queue.js";
import { episodes } from "./episode_player.js";
import { episodeHead } from "./episode_nowplaying.js";

let view = null; // the open view: {box, stop, opener}

function credits(track, release) {
  const rows = [
    ...track.artists.map((a) => [a, "Main artist"]),
    ...(track.featured_artists || []).map((a) => [a, "Featured artist"]),
  ];
  return h(
    "section",
    { class: "np-credits", "aria-labelledby": "np-credits-title" },
    h("h3", { id: "np-credits-title" }, "Credits"),
    h("dl", {}, rows.map(([artist, role]) => h("div", { class: "credit" }, h("dt", {}, h("a", { href: `/artist/${artist.id}`, "data-link": true }, artist.name)), h("dd", {}, role)))),
    release?.label ? h("p", { class: "hint" }, `Label: ${release.label}`) : null,
    (release?.copyright || []).map((line) => h("p", { class: "hint" }, line)),
  );
}

async function drawHead(box) {
  box.closest(".np-view")?.classList.toggle("np-episode", Boolean(episodes.current)); // no lyrics
  if (episodes.current) return episodeHead(box, episodes.current);
  box.dataset.episodeId = "";
  const trackId = player.state?.track_id;
  if (!trackId) return clear(box, h("p", { class: "hint" }, "Nothing is playing. Pick a song to play."));
  if (box.dataset.trackId === String(trackId)) return;
  box.dataset.trackId = String(trackId);
  const track = await cached(`/api/v1/tracks/${trackId}`);
  const release = await cached(`/api/v1/releases/${track.release.id}`).catch(() => null);
  if (box.dataset.trackId !== String(trackId)) return;
  clear(
    box,
    h("div", { class: "np-cover" }, cover(track.release, 640)),
    h(
      "div",
      { class: "np-heading" },
      h("div", { class: "np-names" }, h("h2", { id: "np-view-title" }, h("a", { href: `/track/${track.id}`, "data-link": true }, track.title)), h("p", { class: "np-view-artists" }, artistLinks(track.artists))),
      h("div", { class: "np-actions" }, heart(track), shareButton("track", track.id, "Share")),
    ),
    h("p", { class: "hint" }, "From ", h("a", { href: `/release/${track.release.id}`, "data-link": true }, track.release.title)),
    credits(track, release),
  );
}

export function openNowPlaying(opener = document.activeElement) {
  if (view) return view.box.querySelector(".np-close").focus();
  const head = h("div", { class: "np-head" });
  const lyrics = h("div", { class: "np-lyrics-box", tabindex: "0", "aria-label": "Lyrics" });
  const queue = h("div", { class: "np-queue-box" });
  const close = h("button", { type: "button", class: "icon-button np-close", "aria-label": "Close now playing", title: "Close", onclick: closeNowPlaying }, icon("close"));
  const box = h(
    "section",
    { class: "np-view", id: "now-playing-view", role: "dialog", "aria-modal": "false", "aria-label": "Now playing" },
    h("header", { class: "np-view-bar" }, h("span", { class: "pill" }, "Now playing"), close),
    h(
      "div",
      { class: "np-view-body" },
      head,
      h("div", { class: "np-side" },
        h("section", { class: "np-lyrics", "aria-labelledby": "np-lyrics-title" }, h("h3", { id: "np-lyrics-title" }, "Lyrics"), lyrics),
        h("section", { class: "np-queue", "aria-labelledby": "np-queue-title" }, h("h3", { id: "np-queue-title" }, "Up next"), queue),
      ),
    ),
  );
  const drawHeadNow = () => drawHead(head);
  // Escape closes it wherever the focus is (a removed queue row leaves it on the body).
  const onKey = (event) => event.key === "Escape" && !event.target.closest?.("[aria-expanded=true]:not(.np-open)") && closeNowPlaying();
  const stops = [lyricsPanel(lyrics), queuePanel(queue), () => player.removeEventListener("change", drawHeadNow), () => document.removeEventListener("keydown", onKey)];
  player.addEventListener("change", drawHeadNow);
  drawHeadNow();
  document.addEventListener("keydown", onKey);
  box.addEventListener("click", (event) => event.target.closest("a[data-link]") && closeNowPlaying({ restore: false }));
  document.body.append(box);
  document.body.classList.add("np-open");
  view = { box, stop: () => stops.forEach((stop) => stop()), opener };
  close.focus();
  syncButton();
}

export function closeNowPlaying({ restore = true } = {}) {
  if (!view) return;
  const { box, stop, opener } = view;
  view = null;
  stop();
  box.remove();
  document.body.classList.remove("np-open");
  syncButton();
  if (restore && opener?.isConnected) opener.focus();
}

let openButton = null;
function syncButton() {
  if (!openButton) return;
  openButton.setAttribute("aria-expanded", String(Boolean(view)));
  openButton.classList.toggle("on", Boolean(view));
}

// Hooks into the player bar that playerbar.js draws: a heart beside the song's name, a
// button that opens the view, and the cover as a second way in.
export function startNowPlaying() {
  const bar = document.getElementById("player-bar");
  const nowPlaying = bar.querySelector(".now-playing");
  const extras = bar.querySelector(".extras");
  const likeSlot = h("span", { class: "np-like" });
  nowPlaying?.append(likeSlot);
  openButton = h("button", { type: "button", class: "icon-button np-open", "aria-label": "Now playing view", title: "Now playing view", "aria-expanded": "false", "aria-controls": "now-playing-view", onclick: () => (view ? closeNowPlaying() : openNowPlaying(openButton)) }, icon("expand"));
  extras?.prepend(openButton);
  const art = bar.querySelector(".np-art");
  art?.addEventListener("click", () => (player.state?.track_id || episodes.current) && openNowPlaying(art));
  art?.classList.add("clickable");
  const drawLike = () => {
    const trackId = player.ad || episodes.current ? null : player.state?.track_id;
    if (String(trackId || "") === likeSlot.dataset.trackId && store.me) return;
    likeSlot.dataset.trackId = String(trackId || "");
    if (!trackId || !store.me) return clear(likeSlot);
    cached(`/api/v1/tracks/${trackId}`).then((track) => {
      if (likeSlot.dataset.trackId === String(track.id)) clear(likeSlot, heart(track));
    }).catch(() => clear(likeSlot));
  };
  player.addEventListener("change", drawLike);
  drawLike();
  document.addEventListener("cadenza:page", () => view && closeNowPlaying({ restore: false }));
}
