import { h, duration } from "../dom.js";
import { episodes } from "../episode_player.js";

// Shared by the podcast pages: descriptions (sanitised HTML on the server) shown as plain text,
// artwork, and an episode's line in a list.
export function plainText(html) {
  const parsed = new DOMParser().parseFromString(html || "", "text/html"); // never run, only read
  return (parsed.body.textContent || "").trim();
}

export function artwork(show, size = 232) {
  const img = h("img", { class: "cover", alt: "", width: size, height: size, loading: "lazy" });
  if (show && show.image_url) img.src = show.image_url;
  return img;
}

// Plays the row's episode in the player bar; the rows after it play next.
function playFromList(event) {
  const row = event.currentTarget.closest("[data-episode]");
  const ids = [...row.parentElement.querySelectorAll(":scope > [data-episode]")].map((r) => Number(r.dataset.episode));
  episodes.play(row.dataset.episode, { list: ids }).catch(() => {});
}

export function episodeRow(episode, { showTitle = false } = {}) {
  const date = episode.published_at ? new Date(episode.published_at).toLocaleDateString() : "";
  const length = episode.duration_ms ? duration(episode.duration_ms) : "";
  const progress = episode.progress;
  const state = progress?.played ? "Played" : progress?.position_ms ? `${duration(progress.position_ms)} in` : "";
  return h(
    "li",
    { class: "episode-row", dataset: { episode: String(episode.id) } },
    h("button", { type: "button", class: "icon-button episode-play", "aria-label": `Play ${episode.title}`, title: "Play", disabled: !episode.playable, onclick: playFromList }, "▶"),
    h("a", { href: `/episode/${episode.id}`, "data-link": true, class: "episode-title" }, episode.title),
    showTitle && episode.show_title ? h("a", { href: `/show/${episode.show_id}`, "data-link": true, class: "episode-show" }, episode.show_title) : null,
    h("span", { class: "episode-meta" }, [date, length, state].filter(Boolean).join(" · ")),
    h("p", { class: "episode-notes" }, plainText(episode.description_html).slice(0, 200)),
  );
}
