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
  const similar = await api.get(`/api/v1/tracks/${track.id}/similar`).catch(() => null);
  if (!similar?.tracks.length) return;
  // "Go to song radio": the station from this song (Premium), its similar songs first.
  const radio = async (offset) => {
    if (requireSignIn(main)) return;
    notice.show(null);
    try {
      await player.play({ context: { kind: "radio", id: track.id }, ...(offset ? { offset } : {}) });
    } catch (error) {
      notice.show(error);
    }
  };
  const ids = [track.id, ...similar.tracks.map((t) => t.id)];
  const playSimilar = async (i) => {
    if (requireSignIn(main)) return;
    notice.show(null);
    try {
      await player.play({ context: { kind: "radio", id: track.id }, track_ids: ids, offset: i + 1 });
    } catch (error) {
      notice.show(error);
    }
  };
  main.append(
    h("section", { class: "shelf", "aria-labelledby": "similar-songs" }, h("h2", { id: "similar-songs" }, "Similar songs"), h("div", { class: "actions" }, h("button", { type: "button", class: "button secondary", onclick: () => radio(0) }, "Go to song radio")), trackList(similar.tracks, playSimilar, { showRelease: true, notice })),
  );
}
