// The now-playing view of an episode: the show's artwork large, the episode and its show, and
// its chapters, the one playing marked, each a button that skips there.
import { h, clear, duration } from "./dom.js";
import { player } from "./player.js";
import { episodes } from "./episode_player.js";

function markChapter(list) {
  const current = episodes.chapter();
  for (const button of list.querySelectorAll("button.chapter")) {
    const on = current !== null && Number(button.dataset.start) === current.start_ms;
    button.classList.toggle("current", on);
    if (on) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

export function episodeHead(box, episode) {
  if (box.dataset.episodeId === String(episode.id)) return markChapter(box);
  box.dataset.episodeId = String(episode.id);
  box.dataset.trackId = "";
  const art = h("img", { class: "cover", alt: "", width: 640, height: 640 });
  if (episode.show.image_url) art.src = episode.show.image_url;
  const chapters = episode.chapters.map((c) =>
    h("li", {}, h("button", { type: "button", class: "chapter", dataset: { start: String(c.start_ms) }, onclick: () => episodes.seek(c.start_ms) }, `${duration(c.start_ms)} ${c.title}`)),
  );
  clear(
    box,
    h("div", { class: "np-cover" }, art),
    h("div", { class: "np-heading" }, h("div", { class: "np-names" },
      h("h2", { id: "np-view-title" }, h("a", { href: `/episode/${episode.id}`, "data-link": true }, episode.title)),
      h("p", { class: "np-view-artists" }, h("a", { href: `/show/${episode.show.id}`, "data-link": true }, episode.show.title)))),
    chapters.length
      ? h("section", { class: "np-chapters", "aria-labelledby": "np-chapters-title" },
          h("h3", { id: "np-chapters-title" }, "Chapters"),
          h("button", { type: "button", class: "button", onclick: () => episodes.nextChapter() }, "Next chapter"),
          h("ol", { class: "chapters" }, chapters))
      : null,
  );
  const onTime = () => (box.isConnected && box.dataset.episodeId === String(episode.id) ? markChapter(box) : player.removeEventListener("time", onTime));
  player.addEventListener("time", onTime);
  markChapter(box);
}
