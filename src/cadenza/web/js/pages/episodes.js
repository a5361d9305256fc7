import { h } from "../dom.js";
import { api } from "../api.js";
import { requireSignIn } from "./common.js";
import { episodeRow } from "./podcast_common.js";

// Your Episodes (/episodes): new episodes of the shows the listener follows, newest first,
// finished ones left out, with each show's unplayed count.
export async function render(main) {
  if (requireSignIn(main)) return;
  const [mine, followed] = await Promise.all([api.get("/api/v1/me/episodes?limit=50"), api.get("/api/v1/me/shows")]);
  main.append(h("h1", {}, "Your Episodes"));
  if (!mine.items.length) {
    main.append(h("p", { class: "lead", role: "status" }, "No new episodes. Follow shows and their new episodes wait here."));
  } else {
    main.append(h("ol", { class: "episode-list", "aria-label": "New episodes" }, mine.items.map((e) => episodeRow(e, { showTitle: true }))));
  }
  if (followed.items.length) {
    main.append(
      h("h2", {}, "Shows you follow"),
      h("ul", { class: "followed-shows" }, followed.items.map((s) =>
        h("li", {}, h("a", { href: `/show/${s.id}`, "data-link": true }, s.title), h("span", { class: "unplayed" }, ` ${s.unplayed} unplayed`)),
      )),
    );
  }
}
