import { h, clear, cover, duration, field, fields, errorBox, showError, toast } from "../dom.js";
import { api, request } from "../api.js";
import { player } from "../player.js";
import { shareButton } from "../share.js";
import { store } from "../store.js";
import { listed, changed } from "../library.js";
import { trackList, bigPlayButton, inPlaceNotice } from "./common.js";
import { navigate } from "../router.js";
import { downloadToggle } from "../offline_ui.js";
import { playlistTracks } from "../offline_downloads.js";

const PAGE = 100; // songs the server sends at a time; "Show more songs" asks for the next ones

export async function render(main, { id }) {
  const notice = inPlaceNotice();
  let wanted = PAGE; // songs to show: grows by a page with each "Show more songs"
  const error = errorBox();
  const body = h("div");
  main.append(body);
  let playlist;

  const act = (fn) => async (event) => {
    event?.preventDefault?.();
    showError(error, null);
    try {
      await fn(event);
    } catch (e) {
      showError(error, e);
      if (e.code === "snapshot_stale") await draw();
    }
  };

  const move = async (from, to) => {
    // Spotify's reorder: the song at `from` goes before the one now at `insert_before`.
    const insertBefore = to > from ? to + 1 : to;
    const answer = await api.put(`/api/v1/playlists/${playlist.id}/tracks`, { range_start: from, range_length: 1, insert_before: insertBefore, snapshot_id: playlist.snapshot_id });
    playlist.snapshot_id = answer.snapshot_id;
    await draw();
    document.getElementById("live-edit").textContent = "Moved.";
  };

  const draw = async () => {
    playlist = await api.get(`/api/v1/playlists/${encodeURIComponent(id)}?limit=${PAGE}`);
    let items = playlist.tracks.items;
    while (items.length < Math.min(wanted, playlist.total)) {
      const page = await api.get(`/api/v1/playlists/${encodeURIComponent(id)}/tracks?limit=${PAGE}&offset=${items.length}`);
      if (!page.items.length) break;
      items = items.concat(page.items);
    }
    const tracks = items.map(listed);
    const all = tracks.length >= playlist.total;
    const total = tracks.reduce((sum, t) => sum + (t.duration_ms || 0), 0);
    const more = all
      ? null
      : h("div", { class: "row show-more" },
        h("p", { class: "hint" }, `Showing ${tracks.length} of ${playlist.total} songs.`),
        h("button", { type: "button", class: "button secondary", onclick: act(async () => {
          const before = tracks.length;
          wanted = before + PAGE;
          await draw();
          body.querySelectorAll(".track-list .track-play")[before]?.focus(); // where the new songs start
        }) }, "Show more songs"));
    const context = { kind: "playlist", id: playlist.id };
    const source = playlist.editorial ? "editorial" : "own_playlist";
    const extraMenu = (track) => {
      if (!playlist.editable) return [];
      const i = track.position;
      return [
        i > 0 ? ["Move up", act(() => move(i, i - 1))] : null,
        i < playlist.total - 1 ? ["Move down", act(() => move(i, i + 1))] : null,
        ["Remove from this playlist", act(() => removeAt(track))],
      ].filter(Boolean);
    };
    const list = trackList(tracks, (i) => player.play({ context, offset: i, source }), { showRelease: true, notice, extraMenu });
    if (playlist.editable) draggable(list, move);
    const owned = playlist.owned;
    clear(
      body,
      h(
        "header",
        { class: "hero" },
        cover(tracks.find((t) => t.release)?.release, 300),
        h(
          "div",
          { class: "hero-text" },
          h("span", { class: "pill" }, `${playlist.public ? "Public" : "Private"} playlist${playlist.collaborative ? " · collaborative" : ""}`),
          h("h1", {}, playlist.name),
          playlist.description ? h("p", { class: "hint" }, playlist.description) : null,
          h("p", { class: "hero-meta" }, h("strong", {}, playlist.owner.display_name), ` · ${playlist.total} songs${all ? `, ${duration(total)}` : ""}`),
        ),
      ),
      h(
        "div",
        { class: "actions" },
        tracks.length ? bigPlayButton(`Play ${playlist.name}`, async () => {
          notice.show(null);
          try {
            await player.play({ context, source });
          } catch (e) {
            notice.show(e);
          }
        }) : null,
        !owned && store.me ? h("button", { type: "button", class: "button secondary", onclick: act(async () => {
          if (playlist.following) await api.del(`/api/v1/playlists/${playlist.id}/followers`);
          else await api.put(`/api/v1/playlists/${playlist.id}/followers`);
          await changed();
          await draw();
        }) }, playlist.following ? "Following" : "Follow") : null,
        owned ? h("button", { type: "button", class: "button secondary", onclick: () => share(body, playlist) }, "Share") : null,
        playlist.public ? shareButton("playlist", playlist.id) : null,
        store.me && tracks.length ? downloadToggle("playlist", playlist.id, playlist.name, () => playlistTracks(playlist.id)) : null,
        owned ? h("button", { type: "button", class: "button secondary", onclick: () => editDetails(body, playlist, draw) }, "Edit details") : null,
        owned ? h("button", { type: "button", class: "button secondary", onclick: act(async () => {
          if (!confirm(`Delete ${playlist.name}?`)) return;
          await api.del(`/api/v1/playlists/${playlist.id}`);
          await changed();
          navigate("/library");
        }) }, "Delete") : null,
      ),
      error,
      notice,
      h("div", { id: "share-box" }),
      h("div", { id: "edit-box" }),
      h("p", { class: "visually-hidden", id: "live-edit", "aria-live": "polite" }),
      tracks.length ? list : h("p", { class: "hint" }, "No songs yet: add some from any song's menu (…)."),
      more,
      playlist.editable && tracks.length > 1 ? h("p", { class: "hint" }, "Drag songs to reorder them, or use Move up / Move down in a song's menu.") : null,
    );
  };

  const removeAt = async (track) => {
    const answer = await request("DELETE", `/api/v1/playlists/${playlist.id}/tracks`, { tracks: [{ track_id: track.id, position: track.position }], snapshot_id: playlist.snapshot_id });
    playlist.snapshot_id = answer.snapshot_id;
    await changed();
    await draw();
  };

  await draw();
}

// Drag and drop between rows (mouse); the menu's Move up / Move down does the same by keyboard.
function draggable(list, move) {
  let from = null;
  [...list.children].forEach((row, i) => {
    row.draggable = true;
    row.addEventListener("dragstart", (event) => {
      from = i;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(i));
    });
    row.addEventListener("dragend", () => row.classList.remove("dragging"));
    row.addEventListener("dragover", (event) => {
      event.preventDefault();
      row.classList.add("drop-target");
    });
    row.addEventListener("dragleave", () => row.classList.remove("drop-target"));
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      row.classList.remove("drop-target");
      const start = from ?? Number(event.dataTransfer.getData("text/plain"));
      if (start !== i) move(start, i);
    });
  });
}

async function share(body, playlist) {
  const box = body.querySelector("#share-box");
  const invite = await api.post(`/api/v1/playlists/${playlist.id}/invites`, { collaborate: playlist.collaborative });
  const link = `${location.origin}/playlist-invite/${invite.token}`;
  const input = h("input", { type: "text", readonly: true, value: link, "aria-label": "Share link", class: "share-link" });
  clear(
    box,
    h(
      "div",
      { class: "panel", role: "region", "aria-label": "Share" },
      h("p", {}, playlist.collaborative ? "Anyone with this link can follow and edit the playlist:" : "Anyone with this link can follow the playlist:"),
      h("div", { class: "row" }, input, h("button", { type: "button", class: "button", onclick: async () => {
        input.select();
        try {
          await navigator.clipboard.writeText(link);
          toast("Link copied");
        } catch {
          toast("Select the link and copy it");
        }
      } }, "Copy link")),
      playlist.public ? h("p", { class: "hint" }, `Public: it is also at ${location.origin}/playlist/${playlist.id}`) : null,
    ),
  );
  input.focus();
}

function editDetails(body, playlist, redraw) {
  const box = body.querySelector("#edit-box");
  const error = errorBox();
  const form = h(
    "form",
    { class: "auth-form panel", "aria-label": "Edit details" },
    field("Name", { name: "name", value: playlist.name, required: true, maxlength: 100 }),
    h("div", { class: "field" }, h("label", { for: "pl-description" }, "Description"), h("textarea", { id: "pl-description", name: "description", maxlength: 300, rows: 3 }, playlist.description)),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: "pl-public", name: "public", checked: playlist.public }), h("label", { for: "pl-public" }, "Public (on your profile and in search)")),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: "pl-collab", name: "collaborative", checked: playlist.collaborative }), h("label", { for: "pl-collab" }, "Collaborative (people you invite can edit)")),
    error,
    h("div", { class: "row" }, h("button", { type: "submit", class: "button" }, "Save"), h("button", { type: "button", class: "button secondary", onclick: () => clear(box) }, "Cancel")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const f = fields(form);
    try {
      await api.patch(`/api/v1/playlists/${playlist.id}`, { name: f.name, description: f.description || "", public: Boolean(f.public), collaborative: Boolean(f.collaborative), snapshot_id: playlist.snapshot_id });
      await changed();
      await redraw();
    } catch (e) {
      showError(error, e);
    }
  });
  clear(box, form);
  form.querySelector("input").focus();
}
