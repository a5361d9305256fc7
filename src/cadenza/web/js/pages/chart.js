import { h } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { store } from "../store.js";
import { trackList, bigPlayButton, inPlaceNotice } from "./common.js";

const MOVES = {
  up: ["▲", "Up since yesterday"],
  down: ["▼", "Down since yesterday"],
  same: ["–", "Same place as yesterday"],
  new: ["New", "New on the chart"],
};

function movement(track) {
  const [mark, words] = MOVES[track.movement] || MOVES.same;
  return h("span", { class: `chart-move ${track.movement}`, title: words, "aria-label": words }, mark);
}

// A chart (/chart/ID): its songs with their movement since yesterday, played as a context
// (in shuffle on Free, as a playlist).
export async function render(main, { id }) {
  const country = store.me ? "" : `?country=${encodeURIComponent((navigator.language.split("-")[1] || "US").toUpperCase())}`;
  const chart = await api.get(`/api/v1/browse/charts/${encodeURIComponent(id)}${country}`);
  const context = { kind: "chart", id: chart.id };
  const notice = inPlaceNotice();
  const list = trackList(chart.tracks, (i) => player.play({ context, offset: i }), { showRelease: true, notice });
  list.querySelectorAll(":scope > li").forEach((row, i) => {
    const track = chart.tracks[i];
    row.querySelector(".track-title")?.append(movement(track));
    row.querySelector(".track-artists")?.append(` · ${track.streams.toLocaleString()} ${track.streams === 1 ? "play" : "plays"} this week`);
  });
  const about = chart.kind === "viral" ? "The songs rising fastest, week over week" : "The most played songs of the last seven days";
  main.append(
    h("header", { class: "hero" }, h("div", { class: `cover chart-cover ${chart.kind}`, "aria-hidden": "true" }, h("span", {}, chart.kind === "viral" ? "Viral 50" : "Top 50"), h("small", {}, chart.country || "Global")), h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Chart"), h("h1", {}, chart.name), h("p", { class: "hero-meta" }, `${about} · updated ${new Date(chart.updated_at).toLocaleDateString()}`))),
    chart.tracks.length
      ? h("div", { class: "actions" }, bigPlayButton(`Play ${chart.name}`, async () => {
          notice.show(null);
          try {
            await player.play({ context });
          } catch (error) {
            notice.show(error);
          }
        }))
      : h("p", { class: "lead", role: "status" }, "Nothing on this chart you can play yet."),
    notice,
    list,
  );
}
