import { h } from "../dom.js";
import { api } from "../api.js";
import { hasRole } from "../store.js";
import { player } from "../player.js";
import { shareButton } from "../share.js";
import { store } from "../store.js";
import { releaseCard, artistCard, shelf, bigPlayButton, inPlaceNotice, requireSignIn, saveButton } from "./common.js";

export async function render(main, { id }) {
  const artist = await api.get(`/api/v1/artists/${encodeURIComponent(id)}`);
  const notice = inPlaceNotice();
  const groups = { album: "Albums", single: "Singles and EPs", ep: "Singles and EPs", compilation: "Compilations" };
  const byKind = new Map();
  for (const release of artist.releases) {
    const label = groups[release.release_type] || "Releases";
    if (!byKind.has(label)) byKind.set(label, []);
    byKind.get(label).push(release);
  }
  const avatar = artist.avatar_url
    ? h("img", { class: "cover avatar big", src: artist.avatar_url, alt: "" })
    : h("div", { class: "cover avatar big", "aria-hidden": "true" }, artist.name[0]);
  const hero = h("header", { class: "hero artist-hero" }, avatar, h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Artist"), h("h1", {}, artist.name)));
  if (artist.header_url) {
    hero.classList.add("with-header");
    hero.style.backgroundImage = `linear-gradient(to bottom, transparent, rgba(0,0,0,0.7)), url("${artist.header_url}")`;
  }
  main.append(
    hero,
    h(
      "div",
      { class: "actions" },
      bigPlayButton(`Play ${artist.name}`, async () => {
        if (requireSignIn(main)) return;
        notice.show(null);
        try {
          await player.play({ context: { kind: "artist", id: artist.id } });
        } catch (error) {
          notice.show(error);
        }
      }),
      await saveButton("following/artists", artist.id, ["Follow", "Following"]),
      shareButton("artist", artist.id),
      hasRole("admin") ? h("a", { class: "button secondary", href: `/artist-stats/${artist.id}`, "data-link": true }, "Statistics") : null,
    ),
    notice,
  );
  if (artist.pick) {
    const picked = artist.pick.release;
    main.append(h("section", { class: "panel artist-pick" }, h("h2", {}, "Artist pick"), h("div", { class: "pick-body" }, picked ? releaseCard(picked) : null, h("div", {}, artist.pick.track ? h("p", {}, h("a", { href: `/track/${artist.pick.track.id}`, "data-link": true }, artist.pick.track.title)) : null, artist.pick.note ? h("p", { class: "lead" }, artist.pick.note) : null))));
  }
  for (const [label, releases] of byKind) main.append(shelf(label, releases.map(releaseCard)));
  if (artist.bio) main.append(h("section", { class: "panel artist-about" }, h("h2", {}, "About"), h("p", { class: "artist-bio" }, artist.bio)));
  if (store.me) main.append(h("p", { class: "card-sub" }, h("a", { href: `/artist-dashboard/claim?artist=${artist.id}`, "data-link": true }, "Is this you? Claim this profile")));
  if (artist.appears_on?.length) main.append(shelf("Appears on", artist.appears_on.map(releaseCard)));
  const related = await api.get(`/api/v1/artists/${artist.id}/related-artists`).catch(() => null);
  if (related?.artists.length) main.append(shelf("Fans also like", related.artists.map(artistCard)));
}
