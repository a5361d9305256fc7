// "Add to playlist": a modal list of the playlists the listener may edit, and a new one.
import { h, clear } from "./dom.js";
import { myPlaylists, addToPlaylist, createPlaylist } from "./library.js";

export async function choosePlaylist(track) {
  const lists = (await myPlaylists(true)).filter((p) => p.editable);
  const dialog = h("dialog", { class: "chooser", "aria-labelledby": "chooser-title" });
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const pick = (playlist) => async () => {
    close();
    await addToPlaylist(playlist, [track.id]);
  };
  clear(
    dialog,
    h("h2", { id: "chooser-title" }, `Add “${track.title}” to a playlist`),
    h(
      "ul",
      { class: "chooser-list" },
      h("li", {}, h("button", { type: "button", onclick: async () => { close(); const made = await createPlaylist(`${track.title} and more`); await addToPlaylist(made, [track.id]); } }, "+ New playlist")),
      lists.map((p) => h("li", {}, h("button", { type: "button", onclick: pick(p) }, p.name))),
    ),
    h("button", { type: "button", class: "button secondary", onclick: close }, "Cancel"),
  );
  document.body.append(dialog);
  dialog.addEventListener("cancel", () => dialog.remove());
  dialog.showModal();
}
