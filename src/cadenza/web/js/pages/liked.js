import { h } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { listed, setLiked } from "../library.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn } from "./common.js";

export async function render(main) {
  if (requireSignIn(main)) return;
  const page = await api.get("/api/v1/me/tracks?limit=50");
  const tracks = page.items.map((item, i) => ({ ...listed({ track: item.track, position: i }) }));
  const notice = inPlaceNotice();
  const context = { kind: "liked" };
  main.append(
    h("header", { class: "hero" }, h("div", { class: "cover liked-cover", "aria-hidden": "true" }, "♥"), h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Playlist"), h("h1", {}, "Liked Songs"), h("p", { class: "hero-meta" }, `${page.total} songs`))),
    h("div", { class: "actions" }, tracks.length ? bigPlayButton("Play Liked Songs", async () => {
      notice.show(null);
      try {
        await player.play({ context });
      } catch (e) {
        notice.show(e);
      }
    }) : null),
    notice,
    tracks.length
      ? trackList(tracks, (i) => player.play({ context, offset: i }), { showRelease: true, notice, extraMenu: (t) => [["Remove from Liked Songs", async () => { await setLiked(t.id, false); location.reload(); }]] })
      : h("p", { class: "hint" }, "Songs you like appear here: use “Save to Liked Songs” in any song's menu."),
  );
}
