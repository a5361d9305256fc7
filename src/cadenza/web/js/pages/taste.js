import { h } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { navigate } from "../router.js";
import { createPlaylist, addToPlaylist } from "../library.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn } from "./common.js";

// Only You (/taste): the artist pairs few others share, the listener's day in music, a dream
// dinner and themed mixes; and one themed mix (/taste/mix/N) to play or save as a playlist.
export async function render(main, { number }) {
  if (requireSignIn(main)) return;
  if (number) return renderMix(main, number);
  const thisYear = new Date().getFullYear();
  const yearLink = h("a", { class: "button secondary", href: `/year/${thisYear}`, "data-link": true }, `Your ${thisYear}`);
  let taste;
  try {
    taste = await api.get("/api/v1/me/taste");
  } catch (error) {
    if (error.code !== "not_enough_listening") throw error;
    main.append(h("h1", {}, "Only You"), h("p", { class: "hint", role: "status" }, `${error.message}. Keep listening: this page fills in as you do.`), h("div", { class: "actions" }, yearLink));
    return;
  }
  const artistLink = (a) => h("a", { href: `/artist/${a.id}`, "data-link": true }, a.name);
  const others = (n) => (n === 0 ? "Only you here" : n === 1 ? "1 other listener" : `${n} other listeners`);
  main.append(
    h("header", { class: "hero" }, h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Your taste"), h("h1", {}, "Only You"), h("p", { class: "hero-meta" }, `From your ${taste.plays} plays of the last year`))),
    h("div", { class: "actions" }, yearLink),
    h(
      "section",
      { class: "taste-section", "aria-labelledby": "rare-pairs" },
      h("h2", { id: "rare-pairs" }, "Your rare pairings"),
      taste.rare_pairs.length
        ? h("ul", { class: "taste-list" }, taste.rare_pairs.map((p) => h("li", {}, h("span", { class: "card-title" }, artistLink(p.artists[0]), " + ", artistLink(p.artists[1])), h("span", { class: "card-sub" }, `${others(p.shared_by)} play both`))))
        : h("p", { class: "hint" }, "The artists you pair are ones many listeners here pair too."),
    ),
    h(
      "section",
      { class: "taste-section", "aria-labelledby": "your-day" },
      h("h2", { id: "your-day" }, "Your day in music"),
      h("ul", { class: "taste-grid" }, taste.parts_of_day.map((p) => h("li", { class: "taste-tile" }, h("span", { class: "card-title" }, p.name[0].toUpperCase() + p.name.slice(1)), p.plays ? [h("span", { class: "card-sub" }, p.genres.join(", ") || "No genre"), h("span", { class: "taste-artists" }, p.artists.map((a, i) => [i ? ", " : "", artistLink(a)]))] : h("span", { class: "card-sub" }, "Quiet")))),
    ),
    h(
      "section",
      { class: "taste-section", "aria-labelledby": "dream-dinner" },
      h("h2", { id: "dream-dinner" }, "Your dream dinner"),
      h("ul", { class: "taste-list" }, taste.dream_dinner.map((g) => h("li", {}, h("span", { class: "card-title" }, artistLink(g.artist)), h("span", { class: "card-sub" }, g.reason)))),
    ),
    h(
      "section",
      { class: "taste-section", "aria-labelledby": "taste-mixes" },
      h("h2", { id: "taste-mixes" }, "Mixes made of it"),
      taste.mixes.length
        ? h("div", { class: "cards" }, taste.mixes.map((m) => h("a", { class: "card", href: `/taste/mix/${m.number}`, "data-link": true }, h("span", { class: "card-title" }, m.name), h("span", { class: "card-sub" }, `${m.tracks} songs`))))
        : h("p", { class: "hint" }, "Play a few more different songs for a mix."),
    ),
  );
}

async function renderMix(main, number) {
  const mix = await api.get(`/api/v1/me/taste/mixes/${encodeURIComponent(number)}`);
  const notice = inPlaceNotice();
  const save = async () => {
    notice.show(null);
    try {
      const made = await createPlaylist(mix.name);
      await addToPlaylist(made, mix.tracks.map((t) => t.id).slice(0, 100));
      navigate(`/playlist/${made.id}`);
    } catch (error) {
      notice.show(error);
    }
  };
  main.append(
    h("header", { class: "hero" }, h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Only You"), h("h1", {}, mix.name), h("p", { class: "hero-meta" }, `${mix.tracks.length} songs`))),
    h(
      "div",
      { class: "actions" },
      bigPlayButton(`Play ${mix.name}`, async () => {
        notice.show(null);
        try {
          await player.play({ context: mix.context });
        } catch (error) {
          notice.show(error);
        }
      }),
      h("button", { type: "button", class: "button secondary", onclick: save }, "Save as playlist"),
      h("a", { class: "button secondary", href: "/taste", "data-link": true }, "Only You"),
    ),
    notice,
    trackList(mix.tracks, (i) => player.play({ context: mix.context, offset: i }), { showRelease: true, notice }),
  );
}
