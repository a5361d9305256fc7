import { h, clear, duration } from "../dom.js";
import { api } from "../api.js";
import { store } from "../store.js";
import { player } from "../player.js";
import { episodes } from "../episode_player.js";
import { artwork, plainText } from "./podcast_common.js";

// An episode (/episode/:id): played in the player bar where you stopped (speed 0.5x-3x and the
// sleep timer are there); chapters to skip between; the transcript shown and searchable; mark
// as played. Where you are is saved as you listen, and reaches your other devices.
export async function render(main, { id }) {
  const episode = await api.get(`/api/v1/episodes/${encodeURIComponent(id)}`);
  const status = h("p", { class: "episode-status", role: "status" });
  const inBar = () => episodes.current?.id === episode.id;
  const position = () => (inBar() ? episodes.positionMs() : episode.progress?.position_ms || 0);

  const playButton = h("button", { class: "button primary", type: "button", disabled: !episode.playable || !store.me });
  const label = () => {
    const resumable = episode.progress?.position_ms && !episode.progress.played;
    playButton.textContent = inBar() && episodes.playing() ? "Pause" : inBar() || resumable ? "Resume" : "Play";
  };
  label();
  playButton.addEventListener("click", () => (inBar() ? episodes.toggle() : episodes.play(episode.id)).catch((e) => (status.textContent = e.message)));
  const onChange = () => {
    label();
    drawChapter();
  };
  // Another device moved on in this episode: the page says where it resumes.
  const heard = (event) => {
    const moved = event.detail;
    if (moved.episode_id !== episode.id || (inBar() && episodes.playing())) return;
    if (moved.from_device_id && moved.from_device_id === episodes.me()) return;
    episode.progress = { position_ms: moved.position_ms, played: moved.played, updated_at: moved.updated_at };
    label();
    status.textContent = `Resumes at ${duration(moved.position_ms)}, where another device stopped`;
  };
  document.addEventListener("cadenza:episode-position", heard);

  const played = h("button", { class: "button", type: "button", hidden: !store.me }, episode.progress?.played ? "Mark as unplayed" : "Mark as played");
  played.addEventListener("click", async () => {
    const now = !(episode.progress?.played);
    episode.progress = await api.put(`/api/v1/me/episodes/${episode.id}/played`, { played: now });
    played.textContent = episode.progress.played ? "Mark as unplayed" : "Mark as played";
    status.textContent = episode.progress.played ? "Marked as played" : "Marked as unplayed";
  });

  const chapterItems = episode.chapters.map((c) =>
    h("li", { dataset: { start: String(c.start_ms) } }, h("button", { type: "button", class: "chapter", onclick: () => seek(c.start_ms) }, `${duration(c.start_ms)} ${c.title}`)),
  );
  const nextChapter = h("button", { type: "button", class: "button", hidden: !episode.chapters.length }, "Next chapter");
  nextChapter.addEventListener("click", () => {
    const after = episode.chapters.find((c) => c.start_ms > position() + 500);
    if (after) seek(after.start_ms);
  });
  const seek = (ms) => {
    if (inBar() && episodes.started) {
      episodes.seek(ms);
      if (!episodes.playing()) episodes.toggle();
    } else if (store.me && episode.playable) episodes.play(episode.id, { from: ms });
  };
  const drawChapter = () => {
    const now = position();
    let current = null;
    for (const item of chapterItems) if (Number(item.dataset.start) <= now) current = item;
    for (const item of chapterItems) item.classList.toggle("current", item === current);
    if (current) current.querySelector("button").setAttribute("aria-current", "true");
    for (const item of chapterItems) if (item !== current) item.querySelector("button").removeAttribute("aria-current");
  };

  const cueItems = episode.transcript.map((c) =>
    h("li", { class: "cue", dataset: { start: String(c.start_ms) } },
      h("button", { type: "button", class: "cue-time", onclick: () => seek(c.start_ms) }, duration(c.start_ms)),
      c.speaker ? h("strong", {}, `${c.speaker}: `) : null,
      h("span", { class: "cue-text" }, c.text)),
  );
  const findBox = h("input", { type: "search", "aria-label": "Search the transcript", placeholder: "Search the transcript" });
  const found = h("p", { class: "transcript-found", role: "status" });
  findBox.addEventListener("input", () => {
    const words = findBox.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of cueItems) {
      const text = item.textContent.toLowerCase();
      item.hidden = words.length > 0 && !words.every((w) => text.includes(w));
      shown += item.hidden ? 0 : 1;
    }
    found.textContent = words.length ? `${shown} of ${cueItems.length} lines` : "";
  });

  const show = episode.show;
  clear(
    main,
    h("header", { class: "hero" }, artwork(show), h("div", { class: "hero-text" },
      h("a", { href: `/show/${show.id}`, "data-link": true, class: "pill" }, show.title),
      h("h1", {}, episode.title),
      h("p", { class: "hero-meta" }, [episode.published_at ? new Date(episode.published_at).toLocaleDateString() : "", episode.duration_ms ? duration(episode.duration_ms) : ""].filter(Boolean).join(" · ")),
    )),
    h("div", { class: "actions episode-controls" }, playButton, played),
    !episode.playable ? h("p", { class: "lead" }, "This episode's audio is not ready yet.") : null,
    status,
    h("p", { class: "lead" }, plainText(episode.description_html)),
    episode.chapters.length ? h("section", { "aria-label": "Chapters" }, h("h2", {}, "Chapters"), nextChapter, h("ol", { class: "chapters" }, chapterItems)) : null,
    episode.transcript.length ? h("section", { "aria-label": "Transcript" }, h("h2", {}, "Transcript"), findBox, found, h("ol", { class: "transcript" }, cueItems)) : null,
  );
  player.addEventListener("change", onChange);
  player.addEventListener("time", drawChapter);
  drawChapter();
  return () => {
    document.removeEventListener("cadenza:episode-position", heard);
    player.removeEventListener("change", onChange);
    player.removeEventListener("time", drawChapter);
  };
}
