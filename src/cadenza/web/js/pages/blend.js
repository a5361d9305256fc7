import { h, toast } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { listed } from "../library.js";
import { navigate } from "../router.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn } from "./common.js";

// One Blend: its match score, and its tracks, each saying whose taste it comes from.
export async function render(main, { id }) {
  if (requireSignIn(main)) return;
  const blend = await api.get(`/api/v1/blends/${encodeURIComponent(id)}`);
  const tracks = blend.tracks.map((item) => ({ ...listed(item), from: item.from_member?.display_name }));
  const playable = tracks.filter((t) => t.playable).map((t) => t.id);
  const notice = inPlaceNotice();
  const play = async (i) => {
    const from = playable.indexOf(tracks[i].id);
    await player.play({ track_ids: playable.slice(Math.max(0, from)), source: "algorithmic" });
  };
  const leave = h("button", { type: "button", class: "button secondary" }, "Leave this Blend");
  leave.addEventListener("click", async () => {
    if (!confirm("Leave this Blend? It is gone for both of you.")) return;
    await api.del(`/api/v1/blends/${blend.id}`);
    toast("You left the Blend.");
    navigate("/blend");
  });
  const list = trackList(tracks, play, { showRelease: true, notice });
  // Whose taste each track comes from, under its title.
  list.querySelectorAll(".track-row").forEach((row, i) => {
    const from = tracks[i].from;
    if (from) row.querySelector(".track-main").append(h("span", { class: "blend-from" }, `from ${from}`));
  });
  main.append(
    h("header", { class: "hero" }, h("div", { class: "cover blend-cover", "aria-hidden": "true" }, `${blend.match_score}%`), h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Blend"), h("h1", {}, blend.name), h("p", { class: "hero-meta match-score" }, `${blend.match_score}% taste match · ${tracks.length} songs · made again every day`))),
    h("div", { class: "actions" }, bigPlayButton(`Play ${blend.name}`, async () => {
      notice.show(null);
      try {
        await player.play({ track_ids: playable, source: "algorithmic" });
      } catch (error) {
        notice.show(error);
      }
    }), leave),
    notice,
    list,
  );
}
