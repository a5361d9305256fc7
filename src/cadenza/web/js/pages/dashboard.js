import { h } from "../dom.js";
import { api } from "../api.js";
import { hasRole } from "../store.js";
import { releaseCard, shelf } from "./common.js";
import { signedInOnly } from "./accountnav.js";

// What the API tells an artist account today: its profiles and every release, out or not.
// Each profile links to its statistics (pages/artiststats.js).
export async function render(main) {
  if (signedInOnly(main)) return;
  main.append(h("h1", {}, "Artist dashboard"));
  const claim = h("p", {}, h("a", { href: "/artist-dashboard/claim", "data-link": true }, "Claim an artist profile"));
  if (!hasRole("artist")) {
    main.append(h("p", { class: "lead" }, "This page is for artist accounts."), claim);
    return;
  }
  const profiles = await api.get("/api/v1/me/artists");
  if (!profiles.length) {
    main.append(h("p", { class: "lead" }, "Your account is not linked to an artist yet: claim your profile."), claim);
    return;
  }
  for (const artist of profiles) {
    const out = artist.releases.filter((r) => r.released).length;
    main.append(
      h("section", { class: "panel" }, h("h2", {}, artist.name), h("p", {}, `${artist.releases.length} releases, ${out} out, ${artist.releases.length - out} coming. `, h("a", { href: `/artist/${artist.id}`, "data-link": true }, "See your public page"), " · ", h("a", { href: `/artist-dashboard/artist/${artist.id}`, "data-link": true }, "Edit profile and pitch"), " · ", h("a", { href: `/artist-stats/${artist.id}`, "data-link": true }, "Statistics"))),
      shelf(`Releases by ${artist.name}`, artist.releases.map((r) => {
        const card = releaseCard(r);
        card.append(h("span", { class: "card-sub" }, r.released ? "Out now" : `Out ${new Date(r.release_date).toLocaleDateString()}`));
        return card;
      })),
    );
  }
  main.append(claim);
}
