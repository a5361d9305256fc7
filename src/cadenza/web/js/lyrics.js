// Lyrics in the now-playing view: plain lines, or lines timed to the audio with the line being
// sung highlighted (and a click on a timed line seeks there).
import { api } from "./api.js";
import { h, clear } from "./dom.js";
import { player } from "./player.js";

const lyricsOf = new Map(); // track id -> lyrics, or null when it has none

async function load(trackId) {
  if (!lyricsOf.has(trackId)) {
    lyricsOf.set(trackId, api.get(`/api/v1/tracks/${trackId}/lyrics`).catch((error) => {
      if (error.status === 404) return null;
      lyricsOf.delete(trackId); // a passing failure: ask again next time
      throw error;
    }));
  }
  return lyricsOf.get(trackId);
}

// Where the playing track is now, in ms, on this page's audio or as the server reports it.
export function positionMs() {
  if (player.decks && player.deck.grant && player.deck.grant.track_id === player.state?.track_id) return player.deck.positionMs();
  const state = player.state;
  if (!state?.track_id) return 0;
  const since = state.playing && state.updated_at ? Date.now() - Date.parse(state.updated_at) : 0;
  return state.progress_ms + Math.max(0, since);
}

// Draws the lyrics of the playing track into `box` and follows the audio; returns a stop().
export function lyricsPanel(box) {
  let shown = null;
  let lines = [];
  const follow = () => {
    if (!lines.length) return;
    const now = positionMs();
    let current = -1;
    lines.forEach((line, i) => {
      if (Number(line.dataset.start) <= now) current = i;
    });
    lines.forEach((line, i) => {
      const on = i === current;
      if (line.classList.contains("current") === on) return;
      line.classList.toggle("current", on);
      line.classList.toggle("sung", i < current);
      if (on) {
        line.setAttribute("aria-current", "true");
        const top = line.offsetTop - box.offsetTop - box.clientHeight / 3;
        box.scrollTo({ top, behavior: "smooth" });
      } else line.removeAttribute("aria-current");
    });
  };
  const draw = async () => {
    const trackId = player.state?.track_id || null;
    if (trackId === shown) return follow();
    shown = trackId;
    lines = [];
    if (!trackId) return clear(box, h("p", { class: "hint" }, "Nothing is playing."));
    clear(box, h("p", { class: "hint" }, "Loading lyrics…"));
    let lyrics;
    try {
      lyrics = await load(trackId);
    } catch (error) {
      if (shown === trackId) clear(box, h("p", { class: "hint" }, error.message));
      return;
    }
    if (shown !== trackId) return;
    if (!lyrics) return clear(box, h("p", { class: "hint" }, "No lyrics for this song yet."));
    const items = lyrics.lines.map((line) =>
      lyrics.synced
        ? h("button", { type: "button", class: "lyric-line", dataset: { start: String(line.start_ms) }, onclick: () => player.seek(line.start_ms) }, line.text || "♪")
        : h("p", { class: "lyric-line" }, line.text || "\u00a0"),
    );
    clear(box, h("div", { class: `lyrics${lyrics.synced ? " synced" : ""}`, dataset: { trackId: String(trackId) } }, items));
    if (lyrics.synced) lines = items;
    follow();
  };
  player.addEventListener("change", draw);
  player.addEventListener("time", follow);
  const ticker = setInterval(follow, 500); // another device plays: no audio events here
  draw();
  return () => {
    player.removeEventListener("change", draw);
    player.removeEventListener("time", follow);
    clearInterval(ticker);
  };
}
