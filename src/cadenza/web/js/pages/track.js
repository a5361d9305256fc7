// A song's own page, where a shared song link lands: its cover, names, credits and its album.
import { h, cover, artistLinks, duration } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { heart } from "../likes.js";
import { shareButton } from "../share.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn } from "./common.js";

export async function render(main, { id }) {
  const track = await api.get(`/api/v1/tracks/${encodeURIComponent(id)}`);
  const release = track.release;
  const notice = inPlaceNotice();
  const play = async () => {
    if (requireSignIn(main)) return;
    const offset = (await api.get(`/api/v1/releases/${release.id}`)).tracks.findIndex((t) => t.id === track.id);
    await player.play({ context: { kind: "release", id: release.id }, ...(offset >= 0 ? { offset } : {}) });
  };
  const featured = track.featured_artists || [];
  main.append(
    h(
      "header",
      { class: "hero" },
      cover(release, 300),
      h(
        "div",
        { class: "hero-text" },
        h("span", { class: "pill" }, "Song"),
        h("h1", {}, track.title),
        h("p", { class: "hero-meta" }, artistLinks(track.artists), featured.length ? [" feat. ", artistLinks(featured)] : null, " · ", h("a", { href: `/release/${release.id}`, "data-link": true }, release.title), ` · ${duration(track.duration_ms)}`),
      ),
    ),
    h(
      "div",
      { class: "actions" },
      bigPlayButton(`Play ${track.title}`, async () => {
        notice.show(null);
        try {
          await play();
        } catch (error) {
          notice.show(error);
        }
      }),
      heart(track),
      shareButton("track", track.id),
    ),
    notice,
    trackList([{ ...track, release_id: release.id }], () => play(), { notice }),
  );
}
