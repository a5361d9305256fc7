import { h, clear, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { hasRole } from "../store.js";
import { signedInOnly } from "./accountnav.js";

// The editors' desk (admins): pitched tracks waiting, soonest release first, to hear and put on
// an editorial playlist or pass on; the editorial playlists themselves; and the claims of
// artist profiles waiting for a decision.
export async function render(main) {
  if (signedInOnly(main)) return;
  main.append(h("h1", {}, "Editorial"));
  if (!hasRole("admin")) {
    main.append(h("p", { class: "lead" }, "This page is for the editors."));
    return;
  }
  const error = errorBox();
  const queue = h("ul", { class: "pitch-queue", "aria-label": "Pitches waiting" });
  const lists = h("ul", { class: "file-list editorial-lists", "aria-label": "Editorial playlists" });
  const claims = h("ul", { class: "file-list", "aria-label": "Artist claims" });
  const decide = async (claim, approve) => {
    showError(error, null);
    try {
      await api.post(`/api/v1/admin/artist-claims/${claim.id}/decision`, { approve });
      await draw();
    } catch (e) {
      showError(error, e);
    }
  };
  let playlists = [];

  // A playlist's tracks in order, each moved one place up or down or to the place typed.
  const base = (l) => `/api/v1/admin/editorial/playlists/${l.id}/tracks`;
  const drawTracks = (l, holder, tracks, focus) => {
    const last = tracks.length - 1;
    clear(holder, tracks.length ? h("ol", { class: "editorial-tracks", "aria-label": `Tracks of ${l.name}` }, tracks.map((t) => {
      const place = h("input", { type: "number", min: "1", max: String(tracks.length), value: String(t.position + 1), class: "editorial-place", "aria-label": `Place of ${t.title}` });
      place.addEventListener("change", () => {
        const to = Math.round(Number(place.value)) - 1;
        if (to >= 0 && to <= last && to !== t.position) move(l, holder, t, to, "place");
      });
      return h(
        "li",
        { "data-track": String(t.id) },
        h("span", { class: "editorial-track" }, `${t.title} · ${t.artists.join(", ")}`),
        h(
          "span",
          { class: "buttons" },
          h("button", { type: "button", class: "button secondary small", "data-move": "up", "aria-label": `Move ${t.title} up`, disabled: t.position === 0, onclick: () => move(l, holder, t, t.position - 1, "up") }, "↑"),
          h("button", { type: "button", class: "button secondary small", "data-move": "down", "aria-label": `Move ${t.title} down`, disabled: t.position === last, onclick: () => move(l, holder, t, t.position + 1, "down") }, "↓"),
          place,
        ),
      );
    })) : h("p", { class: "hint" }, "No track on it yet."));
    if (focus) {
      const row = holder.querySelector(`li[data-track="${focus.id}"]`);
      const target = focus.how === "place" ? row?.querySelector("input") : row?.querySelector(`[data-move="${focus.how}"]:not([disabled])`) || row?.querySelector("input");
      target?.focus();
    }
  };
  const move = async (l, holder, t, position, how) => {
    showError(error, null);
    try {
      drawTracks(l, holder, await api.put(`${base(l)}/${t.id}/position`, { position }), { id: t.id, how });
    } catch (e) {
      showError(error, e);
    }
  };
  const arrange = async (l, holder, button) => {
    showError(error, null);
    if (!holder.hidden) {
      holder.hidden = true;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    try {
      drawTracks(l, holder, await api.get(base(l)));
      holder.hidden = false;
      button.setAttribute("aria-expanded", "true");
    } catch (e) {
      showError(error, e);
    }
  };
  const playlistItem = (l) => {
    const holder = h("div", { class: "editorial-arrange", hidden: true });
    const button = h("button", { type: "button", class: "button secondary small", "aria-expanded": "false", onclick: () => arrange(l, holder, button) }, "Arrange");
    return h("li", {}, h("a", { href: `/playlist/${l.id}`, "data-link": true }, l.name), h("span", { class: "buttons" }, h("span", {}, `${l.total} songs`), button), holder);
  };

  const listen = async (pitch, holder) => {
    const response = await api.get(`/api/v1/admin/editorial/pitches/${pitch.id}/audio`, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    clear(holder, h("audio", { controls: true, src: url, "aria-label": `Listen to ${pitch.track_title}` }));
  };
  const review = async (pitch, playlistId) => {
    showError(error, null);
    try {
      await api.post(`/api/v1/admin/editorial/pitches/${pitch.id}/review`, { playlist_id: playlistId });
      await draw();
    } catch (e) {
      showError(error, e);
    }
  };
  const pitchItem = (p) => {
    const holder = h("div", { class: "pitch-audio" }, h("button", { type: "button", class: "button secondary small", onclick: () => listen(p, holder).catch((e) => showError(error, e)) }, "Listen"));
    const choice = h("select", { "aria-label": `Playlist for ${p.track_title}` }, playlists.map((l) => h("option", { value: String(l.id) }, l.name)));
    return h(
      "li",
      { class: "panel pitch" },
      h("h3", {}, `${p.track_title} · ${p.artists.join(", ")}`),
      h("p", { class: "card-sub" }, `${p.release_title}, out ${new Date(p.release_date).toLocaleDateString()} · ${[...p.genres, ...p.moods].join(" · ")}`),
      h("p", { class: "pitch-story" }, p.story),
      holder,
      h("div", { class: "buttons pitch-actions" }, choice, h("button", { type: "button", class: "button small", disabled: !playlists.length, onclick: () => review(p, Number(choice.value)) }, "Add to playlist"), h("button", { type: "button", class: "button secondary small", onclick: () => review(p, null) }, "Pass")),
    );
  };
  const draw = async () => {
    const [pitches, found, waiting] = await Promise.all([api.get("/api/v1/admin/editorial/pitches"), api.get("/api/v1/admin/editorial/playlists"), api.get("/api/v1/admin/artist-claims")]);
    clear(claims, waiting.length ? waiting.map((c) => h("li", { class: "claim" }, h("span", {}, `${c.account_name} claims ${c.artist_name}`, c.message ? h("span", { class: "card-sub" }, ` “${c.message}”`) : null), h("span", { class: "buttons" }, h("button", { type: "button", class: "button small", onclick: () => decide(c, true) }, "Approve"), h("button", { type: "button", class: "button secondary small", onclick: () => decide(c, false) }, "Reject")))) : h("li", {}, "No claim is waiting."));
    playlists = found;
    clear(lists, playlists.length ? playlists.map(playlistItem) : h("li", {}, "No editorial playlist yet."));
    clear(queue, pitches.length ? pitches.map(pitchItem) : h("li", { class: "lead" }, "No pitch is waiting."));
  };

  const name = h("input", { id: "editorial-name", maxlength: "100", required: true });
  const description = h("input", { id: "editorial-description", maxlength: "300" });
  const create = h("form", { class: "auth-form panel" }, h("h2", {}, "New editorial playlist"), h("div", { class: "field" }, h("label", { for: "editorial-name" }, "Playlist name"), name), h("div", { class: "field" }, h("label", { for: "editorial-description" }, "Description"), description), h("button", { type: "submit", class: "button" }, "Create editorial playlist"));
  create.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      await api.post("/api/v1/admin/editorial/playlists", { name: name.value, description: description.value });
      name.value = description.value = "";
      await draw();
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(error, h("h2", {}, "Pitch queue"), queue, h("section", { class: "panel" }, h("h2", {}, "Editorial playlists"), lists), create, h("section", { class: "panel" }, h("h2", {}, "Artist claims"), claims));
  await draw();
}
