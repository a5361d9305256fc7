import { h, clear } from "../dom.js";
import { api } from "../api.js";
import { store } from "../store.js";
import { artwork, episodeRow, plainText } from "./podcast_common.js";

// A podcast show (/show/:id): artwork, publisher, description, follow, its episodes newest first.
export async function render(main, { id }) {
  const show = await api.get(`/api/v1/shows/${encodeURIComponent(id)}`);
  const page = await api.get(`/api/v1/shows/${encodeURIComponent(id)}/episodes?limit=50`);
  const follow = h("button", { class: "button", type: "button", "aria-pressed": String(show.following) });
  const label = () => (follow.textContent = show.following ? "Following" : "Follow");
  label();
  follow.addEventListener("click", async () => {
    if (!store.me) return;
    await (show.following ? api.del(`/api/v1/me/shows?ids=${show.id}`) : api.put(`/api/v1/me/shows?ids=${show.id}`));
    show.following = !show.following;
    follow.setAttribute("aria-pressed", String(show.following));
    label();
  });
  const list = h("ol", { class: "episode-list", "aria-label": "Episodes" }, page.items.map((e) => episodeRow(e)));
  const more = h("button", { class: "button", type: "button", hidden: !page.next }, "More episodes");
  let next = page.next;
  more.addEventListener("click", async () => {
    const further = await api.get(next);
    list.append(...further.items.map((e) => episodeRow(e)));
    next = further.next;
    more.hidden = !next;
  });
  clear(
    main,
    h("header", { class: "hero" }, artwork(show), h("div", { class: "hero-text" },
      h("span", { class: "pill" }, "Podcast"),
      h("h1", {}, show.title),
      h("p", { class: "hero-meta" }, `${show.publisher} · ${show.episode_count} episodes${show.unplayed ? ` · ${show.unplayed} unplayed` : ""}`),
    )),
    h("p", { class: "lead show-description" }, plainText(show.description_html)),
    store.me ? h("div", { class: "actions" }, follow) : null,
    list,
    more,
  );
}
