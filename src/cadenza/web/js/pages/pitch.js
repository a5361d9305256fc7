import { h, clear, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { signedInOnly } from "./accountnav.js";

// Where a pitch stands, in the same words on the artist's and the distributor's pages (and in
// the e-mail the decision sends: services/pitch_notices.py).
export const pitchState = (p) => `Pitched ${p.track_title}: ${p.playlisted ? `playlisted on ${p.playlists.map((x) => x.name).join(", ")}` : p.status === "reviewed" ? "reviewed by the editors, not playlisted" : "waiting for the editors"}`;

const words = (text) => text.split(",").map((w) => w.trim()).filter(Boolean);

// Pitch one unreleased track of a release to the editors: genres, moods, the story. The same
// form for the artist (/artist-dashboard/pitch/ID) and the release's distributor
// (/distributor/pitch/ID): only the API path and the way back differ.
const AS = {
  artist: { api: "/api/v1/me/releases", back: null },
  distributor: { api: "/api/v1/distributor/releases", back: ["/distributor", "Back to your releases"] },
};

export async function render(main, { id }, _query, as = "artist") {
  if (signedInOnly(main)) return;
  const who = AS[as];
  const url = `${who.api}/${encodeURIComponent(id)}/pitch`;
  const form = await api.get(url);
  main.append(h("h1", {}, `Pitch “${form.title}”`), h("p", { class: "lead" }, `Out ${new Date(form.release_date).toLocaleDateString()}. Pick one track and tell our editors about it; one pitch per release.`));
  if (who.back) main.append(h("p", {}, h("a", { href: who.back[0], "data-link": true }, who.back[1])));
  const box = h("div", {});
  main.append(box);
  const showPitch = (p) => clear(box, h("section", { class: "panel pitch-sent" }, h("h2", {}, "Pitched"), h("p", {}, `${pitchState(p)}.`)));
  if (form.pitch) return showPitch(form.pitch);
  const error = errorBox();
  const track = h("select", { id: "pitch-track" }, form.tracks.map((t) => h("option", { value: String(t.id) }, t.title)));
  const genres = h("input", { id: "pitch-genres", maxlength: "130", placeholder: "e.g. synthpop, indie" });
  const moods = h("input", { id: "pitch-moods", maxlength: "210", placeholder: "e.g. nocturnal, hopeful" });
  const story = h("textarea", { id: "pitch-story", rows: "6", maxlength: "500" });
  const counter = h("span", { class: "card-sub" }, "0 / 500 (at least 20)");
  story.addEventListener("input", () => (counter.textContent = `${story.value.length} / 500 (at least 20)`));
  const send = h("button", { type: "submit", class: "button" }, "Send pitch");
  const el = h(
    "form",
    { class: "auth-form panel" },
    h("div", { class: "field" }, h("label", { for: "pitch-track" }, "Track"), track),
    h("div", { class: "field" }, h("label", { for: "pitch-genres" }, "Genres (1 to 3, separated by commas)"), genres),
    h("div", { class: "field" }, h("label", { for: "pitch-moods" }, "Moods (up to 5)"), moods),
    h("div", { class: "field" }, h("label", { for: "pitch-story" }, "The story of the song"), story, counter),
    error,
    send,
  );
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    send.disabled = true;
    try {
      showPitch(await api.post(url, { track_id: Number(track.value), genres: words(genres.value), moods: words(moods.value), story: story.value }));
    } catch (e) {
      showError(error, e);
      send.disabled = false;
    }
  });
  box.append(el);
}
