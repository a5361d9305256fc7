import { h, clear, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { hasRole } from "../store.js";
import { signedInOnly } from "./accountnav.js";
import { pitchState } from "./pitch.js";

const DAY = 86400000;

// The profile editor of one linked artist: bio, avatar and header images, the artist pick;
// then the releases still to come, each with its pitch to the editors (or the way to make one).
export async function render(main, { id }) {
  if (signedInOnly(main)) return;
  if (!hasRole("artist")) {
    main.append(h("h1", {}, "Artist profile"), h("p", { class: "lead" }, "This page is for artist accounts."));
    return;
  }
  const [artist, page, pitches] = await Promise.all([
    api.get(`/api/v1/me/artists/${encodeURIComponent(id)}`),
    api.get(`/api/v1/me/artists/${encodeURIComponent(id)}/page`),
    api.get(`/api/v1/me/artists/${encodeURIComponent(id)}/pitches`),
  ]);
  const base = `/api/v1/me/artists/${artist.id}`;
  main.append(h("h1", {}, `Edit ${artist.name}`), h("p", {}, h("a", { href: `/artist/${artist.id}`, "data-link": true }, "See your public page")));

  // -- bio
  const bioError = errorBox();
  const bioStatus = h("p", { role: "status" });
  const bio = h("textarea", { id: "artist-bio", rows: "6", maxlength: "1500" });
  bio.value = page.bio;
  const counter = h("span", { class: "card-sub" }, `${bio.value.length} / 1500`);
  bio.addEventListener("input", () => (counter.textContent = `${bio.value.length} / 1500`));
  const bioForm = h("form", { class: "auth-form panel" }, h("h2", {}, "Bio"), h("div", { class: "field" }, h("label", { for: "artist-bio" }, "About you (plain text)"), bio, counter), bioError, bioStatus, h("button", { type: "submit", class: "button" }, "Save bio"));
  bioForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(bioError, null);
    try {
      const saved = await api.put(`${base}/bio`, { bio: bio.value });
      bio.value = saved.bio; // as stored: markup and control characters removed
      counter.textContent = `${bio.value.length} / 1500`;
      bioStatus.textContent = "Bio saved.";
    } catch (e) {
      showError(bioError, e);
    }
  });

  // -- images
  const imageError = errorBox();
  const imageRow = (kind, label, url) => {
    const preview = h("img", { class: `artist-${kind}-preview`, alt: `Your ${label.toLowerCase()}`, src: url || "", hidden: !url });
    const input = h("input", { type: "file", id: `artist-${kind}`, accept: "image/jpeg,image/png" });
    input.addEventListener("change", async () => {
      showError(imageError, null);
      if (!input.files.length) return;
      const form = new FormData();
      form.append("image", input.files[0], input.files[0].name);
      try {
        const saved = await api.put(`${base}/images/${kind}`, form);
        preview.src = saved[`${kind}_url`];
        preview.hidden = false;
      } catch (e) {
        showError(imageError, e);
      }
    });
    return h("div", { class: "field" }, h("label", { for: `artist-${kind}` }, label), preview, input);
  };
  const images = h("section", { class: "panel auth-form" }, h("h2", {}, "Images"), imageRow("avatar", "Avatar (square, 320 px)", page.avatar_url), imageRow("header", "Header (1500 × 500)", page.header_url), imageError);

  // -- artist pick: a release, or one of its tracks
  const pickError = errorBox();
  const pickStatus = h("p", { role: "status" });
  const pick = h("select", { id: "artist-pick" }, h("option", { value: "" }, "No pick"), artist.releases.map((r) => h("option", { value: String(r.id) }, r.title)));
  const wholeRelease = () => h("option", { value: "" }, "The whole release");
  const pickTrack = h("select", { id: "artist-pick-track", disabled: true }, wholeRelease());
  const tracksOf = (releaseId) => api.get(`/api/v1/me/releases/${releaseId}/pitch`).then((form) => form.tracks, () => []);
  let asked = 0;
  const loadTracks = async (releaseId, chosen = null, known = null) => {
    const mine = ++asked;
    clear(pickTrack, wholeRelease());
    pickTrack.disabled = !releaseId;
    if (!releaseId) return;
    const tracks = known || (await tracksOf(releaseId));
    if (mine !== asked) return; // another release was chosen meanwhile
    pickTrack.append(...tracks.map((t) => h("option", { value: String(t.id), selected: t.id === chosen }, t.title)));
  };
  pick.addEventListener("change", () => loadTracks(pick.value ? Number(pick.value) : null));
  if (page.pick_track_id) {
    // The picked track's release: from the public page once out, else among those to come.
    const shown = await api.get(`/api/v1/artists/${artist.id}`).catch(() => null);
    let releaseId = shown?.pick?.track?.id === page.pick_track_id ? shown.pick.release.id : null;
    let known = null;
    for (const r of releaseId ? [] : artist.releases.filter((x) => !x.released)) {
      const tracks = await tracksOf(r.id);
      if (tracks.some((t) => t.id === page.pick_track_id)) {
        [releaseId, known] = [r.id, tracks];
        break;
      }
    }
    if (releaseId) {
      pick.value = String(releaseId);
      await loadTracks(releaseId, page.pick_track_id, known);
    }
  } else if (page.pick_release_id) {
    pick.value = String(page.pick_release_id);
    await loadTracks(page.pick_release_id);
  }
  const note = h("input", { id: "artist-pick-note", maxlength: "200", value: page.pick_note || "" });
  const pickForm = h("form", { class: "auth-form panel" }, h("h2", {}, "Artist pick"), h("div", { class: "field" }, h("label", { for: "artist-pick" }, "Featured release"), pick), h("div", { class: "field" }, h("label", { for: "artist-pick-track" }, "Featured track (or the whole release)"), pickTrack), h("div", { class: "field" }, h("label", { for: "artist-pick-note" }, "A note for your listeners"), note), pickError, pickStatus, h("button", { type: "submit", class: "button" }, "Save pick"));
  pickForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(pickError, null);
    const chosen = pickTrack.value ? { track_id: Number(pickTrack.value) } : { release_id: pick.value ? Number(pick.value) : null };
    try {
      await api.put(`${base}/pick`, { ...chosen, note: note.value || null });
      pickStatus.textContent = pickTrack.value ? "Pick saved: the track." : "Pick saved.";
    } catch (e) {
      showError(pickError, e);
    }
  });

  // -- pitches
  const byRelease = new Map(pitches.map((p) => [p.release_id, p]));
  const coming = artist.releases.filter((r) => !r.released);
  const pitchRows = coming.map((r) => {
    const pitch = byRelease.get(r.id);
    const when = new Date(r.release_date);
    let state;
    if (pitch) state = pitchState(pitch);
    else if (when - Date.now() < 7 * DAY) state = "Too close to its release date to pitch";
    else state = h("a", { href: `/artist-dashboard/pitch/${r.id}`, "data-link": true }, "Pitch a track to our editors");
    return h("li", {}, h("span", {}, `${r.title} · out ${when.toLocaleDateString()}`), h("span", {}, state));
  });
  const past = pitches.filter((p) => !coming.some((r) => r.id === p.release_id)).map((p) => h("li", {}, h("span", {}, `${p.release_title}: ${p.track_title}`), h("span", {}, pitchState(p))));
  const pitchList = h("ul", { class: "file-list", "aria-label": "Pitches" }, pitchRows, past);
  if (!pitchRows.length && !past.length) pitchList.append(h("li", {}, "No release to come: deliver one at least 7 days before its release date to pitch it."));
  main.append(bioForm, images, pickForm, h("section", { class: "panel" }, h("h2", {}, "Pitch to editors"), pitchList));
}
