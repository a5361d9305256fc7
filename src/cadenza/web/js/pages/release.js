import { h, cover, artistLinks, duration } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { store } from "../store.js";
import { shareButton } from "../share.js";
import { downloadToggle } from "../offline_ui.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn, saveButton } from "./common.js";

export async function render(main, { id }) {
  const release = await api.get(`/api/v1/releases/${encodeURIComponent(id)}`);
  const total = release.tracks.reduce((sum, t) => sum + t.duration_ms, 0);
  const year = new Date(release.release_date).getFullYear();
  const notice = inPlaceNotice();
  const context = { kind: "release", id: release.id };
  const play = (offset) => {
    if (requireSignIn(main)) return Promise.resolve();
    return player.play({ context, ...(offset === undefined ? {} : { offset }) });
  };
  main.append(
    h(
      "header",
      { class: "hero" },
      cover(release, 300),
      h(
        "div",
        { class: "hero-text" },
        h("span", { class: "pill" }, release.release_type),
        h("h1", {}, release.title),
        h("p", { class: "hero-meta" }, artistLinks(release.artists), ` · ${year} · ${release.total_tracks} songs, ${duration(total)}`),
      ),
    ),
    h(
      "div",
      { class: "actions" },
      bigPlayButton(`Play ${release.title}`, async () => {
        notice.show(null);
        try {
          await play();
        } catch (error) {
          notice.show(error);
        }
      }),
      await saveButton("releases", release.id, ["Save to Your Library", "Saved"]),
      shareButton("release", release.id),
      store.me ? downloadToggle("release", release.id, release.title, async () => release.tracks.map((t) => ({ ...t, release: { id: release.id, title: release.title } }))) : null,
      store.plan && !store.plan.features.on_demand ? h("span", { class: "hint" }, "Plays shuffled on Free") : null,
    ),
    notice,
    trackList(release.tracks, (i) => play(i), { notice }),
    h("footer", { class: "release-footer" }, release.label ? h("p", {}, release.label) : null, release.copyright.map((c) => h("p", {}, c))),
  );
}
