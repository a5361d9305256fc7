import { h } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { releaseCard, artistCard, shelf, trackList, inPlaceNotice } from "./common.js";

function topCard(top) {
  const body =
    top.kind === "artist"
      ? [h("div", { class: "cover avatar big", "aria-hidden": "true" }, top.artist.name[0]), h("a", { class: "top-name", href: `/artist/${top.id}`, "data-link": true }, top.artist.name), h("span", { class: "pill" }, "Artist")]
      : top.kind === "playlist"
        ? [h("a", { class: "top-name", href: `/playlist/${top.id}`, "data-link": true }, top.playlist.name), h("span", { class: "card-sub" }, `By ${top.playlist.owner.display_name}`), h("span", { class: "pill" }, "Playlist")]
        : top.kind === "release"
        ? [h("a", { class: "top-name", href: `/release/${top.id}`, "data-link": true }, top.release.title), h("span", { class: "card-sub" }, top.release.artists.map((a) => a.name).join(", ")), h("span", { class: "pill" }, top.release.release_type)]
        : [h("span", { class: "top-name" }, top.track.title), h("span", { class: "card-sub" }, top.track.artists.map((a) => a.name).join(", ")), h("span", { class: "pill" }, "Song")];
  return h("section", { class: "top-result", "aria-labelledby": "top-heading" }, h("h2", { id: "top-heading" }, "Top result"), h("div", { class: "top-card" }, body));
}

function playlistCard(playlist) {
  return h(
    "a",
    { class: "card", href: `/playlist/${playlist.id}`, "data-link": true },
    h("div", { class: "cover cover-empty", "aria-hidden": "true" }),
    h("span", { class: "card-title" }, playlist.name),
    h("span", { class: "card-sub" }, `By ${playlist.owner.display_name}`),
  );
}

export async function render(main, _params, query) {
  const q = (query.get("q") || "").trim();
  main.append(h("h1", {}, q ? `Results for “${q}”` : "Search"));
  if (!q) {
    main.append(h("p", { class: "lead" }, "Type in the box above: artists, songs, releases, playlists. Filters work too: artist:, album:, year:, genre:, tag:new."));
    main.append(h("section", { class: "shelf browse", "aria-labelledby": "browse-heading" }, h("h2", { id: "browse-heading" }, "Browse all"), h("div", { class: "cards" }, h("a", { class: "card browse-tile", href: "/charts", "data-link": true }, h("span", { class: "card-title" }, "Charts"), h("span", { class: "card-sub" }, "Top 50 and Viral 50")))));
    return;
  }
  const results = await api.get(`/api/v1/search?q=${encodeURIComponent(q)}&type=track,artist,release,playlist&limit=10`);
  const tracks = results.tracks?.items.map((i) => i.track) || [];
  const artists = results.artists?.items.map((i) => i.artist) || [];
  const releases = results.releases?.items.map((i) => i.release) || [];
  const playlists = results.playlists?.items.map((i) => i.playlist) || [];
  if (!tracks.length && !artists.length && !releases.length && !playlists.length) {
    main.append(h("p", { class: "lead", role: "status" }, `Nothing found for “${q}”. Check the spelling, or try fewer words.`));
    return;
  }
  if (results.corrected) main.append(h("p", { class: "hint" }, "Showing results for a close spelling."));
  const notice = inPlaceNotice();
  const top = results.top ? topCard(results.top) : null;
  const songs = h("section", { class: "songs", "aria-labelledby": "songs-heading" }, h("h2", { id: "songs-heading" }, "Songs"), notice, trackList(tracks.slice(0, 5), (i) => player.play({ track_ids: [tracks[i].id], source: "search" }), { showRelease: true, notice }));
  main.append(h("div", { class: "search-head" }, top, tracks.length ? songs : null));
  if (artists.length) main.append(shelf("Artists", artists.map(artistCard)));
  if (releases.length) main.append(shelf("Releases", releases.map(releaseCard)));
  if (playlists.length) main.append(shelf("Playlists", playlists.map(playlistCard)));
}
