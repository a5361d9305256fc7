import { h, toast } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { trackList, requireSignIn } from "./common.js";

const CARDS = [["artists", "Top artists"], ["tracks", "Top songs"], ["minutes", "Minutes"]];

// Your year (/year/2026): top artists, songs and genres, minutes, new artists, and share
// cards (PNG images made by the server) to copy or download.
export async function render(main, { year }) {
  if (requireSignIn(main)) return;
  const shown = Number.parseInt(year, 10);
  const summary = await api.get(`/api/v1/me/year/${encodeURIComponent(year)}`);
  const thisYear = new Date().getFullYear();
  const years = h(
    "nav",
    { class: "row year-nav", "aria-label": "Other years" },
    h("a", { class: "chip", href: `/year/${shown - 1}`, "data-link": true }, String(shown - 1)),
    shown < thisYear ? h("a", { class: "chip", href: `/year/${shown + 1}`, "data-link": true }, String(shown + 1)) : null,
    h("a", { class: "chip", href: "/taste", "data-link": true }, "Only You"),
  );
  main.append(h("header", { class: "hero" }, h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Your year"), h("h1", {}, `Your ${summary.year}`))), years);
  if (!summary.plays) {
    main.append(h("p", { class: "hint", role: "status" }, `No plays in ${summary.year}.`));
    return;
  }
  const number = (value, label) => h("li", { class: "taste-tile" }, h("span", { class: "year-figure" }, value.toLocaleString()), h("span", { class: "card-sub" }, label));
  const tracks = summary.top_tracks.map((t) => t.track);
  main.append(
    h("ul", { class: "taste-grid", "aria-label": "Your year in numbers" }, number(summary.minutes, "minutes listened"), number(summary.plays, "songs played"), number(summary.new_artists, "new artists discovered")),
    h("section", { class: "taste-section", "aria-labelledby": "year-artists" }, h("h2", { id: "year-artists" }, "Top artists"), h("ol", { class: "taste-list" }, summary.top_artists.map((a) => h("li", {}, h("a", { class: "card-title", href: `/artist/${a.artist.id}`, "data-link": true }, a.artist.name), h("span", { class: "card-sub" }, `${a.plays} plays`))))),
    h("section", { class: "taste-section", "aria-labelledby": "year-tracks" }, h("h2", { id: "year-tracks" }, "Top songs"), trackList(tracks, (i) => player.play({ track_ids: tracks.map((t) => t.id), offset: i }), { showRelease: true })),
    h("section", { class: "taste-section", "aria-labelledby": "year-genres" }, h("h2", { id: "year-genres" }, "Top genres"), h("p", {}, summary.top_genres.map((g) => g.genre).join(", ") || "None given")),
    h("section", { class: "taste-section", "aria-labelledby": "year-share" }, h("h2", { id: "year-share" }, "Share your year"), h("div", { class: "share-cards" }, CARDS.map(([kind, label]) => shareCard(summary, kind, label)))),
  );
}

function shareCard(summary, kind, label) {
  const image = h("img", { class: "share-card", alt: `${label} of ${summary.year}`, width: 1080, height: 1080 });
  let blob = null;
  const ready = api.get(summary.cards[kind], { raw: true }).then(async (answer) => {
    blob = await answer.blob();
    image.src = URL.createObjectURL(blob);
  });
  const file = `my-${summary.year}-${kind}.png`;
  const share = async () => {
    await ready;
    const shareable = new File([blob], file, { type: "image/png" });
    try {
      if (navigator.canShare?.({ files: [shareable] })) {
        await navigator.share({ files: [shareable], title: `My ${summary.year}` });
        return;
      }
      await navigator.clipboard.write([new ClipboardItem({ "image/png": blob })]);
      toast("Image copied: paste it in a chat");
    } catch {
      download(blob, file);
      toast("Image downloaded");
    }
  };
  return h("figure", { class: "share-figure" }, image, h("figcaption", {}, h("span", {}, label), h("button", { type: "button", class: "button secondary", onclick: share, "aria-label": `Share ${label}` }, "Share"), h("button", { type: "button", class: "button secondary", onclick: async () => { await ready; download(blob, file); }, "aria-label": `Download ${label}` }, "Download")));
}

function download(blob, name) {
  const link = h("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}
