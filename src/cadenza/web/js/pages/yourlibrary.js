import { h, clear } from "../dom.js";
import { api } from "../api.js";
import { createPlaylist } from "../library.js";
import { requireSignIn } from "./common.js";
import { navigate } from "../router.js";

const KINDS = [["", "All"], ["playlist", "Playlists"], ["release", "Releases"], ["artist", "Artists"]];
const SORTS = [["recent", "Recently added"], ["alphabetical", "Alphabetical"], ["creator", "Creator"]];

export async function render(main, _params, query) {
  if (requireSignIn(main)) return;
  const kind = query.get("kind") || "";
  const sort = query.get("sort") || "recent";
  const q = query.get("q") || "";
  const list = h("ul", { class: "library-items" });
  const filters = h(
    "form",
    { class: "row library-filters", role: "search", "aria-label": "Filter your library" },
    h("div", { class: "row", role: "group", "aria-label": "Show" }, KINDS.map(([value, label]) => h("button", { type: "button", class: `chip${value === kind ? " on" : ""}`, "aria-pressed": String(value === kind), onclick: () => go({ kind: value }) }, label))),
    h("label", { for: "library-q", class: "visually-hidden" }, "Find in your library"),
    h("input", { id: "library-q", type: "search", placeholder: "Find in Your Library", value: q, maxlength: 100 }),
    h("label", { for: "library-sort" }, "Sort"),
    h("select", { id: "library-sort", onchange: (e) => go({ sort: e.target.value }) }, SORTS.map(([value, label]) => h("option", { value, selected: value === sort }, label))),
  );
  const go = (change) => {
    const next = new URLSearchParams({ kind, sort, q, ...change });
    for (const [k, v] of [...next]) if (!v) next.delete(k);
    navigate(`/library?${next}`, { replace: true });
  };
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    go({ q: filters.querySelector("input[type=search]").value.trim() });
  });
  const params = new URLSearchParams({ sort, limit: "50" });
  if (kind) params.set("kind", kind);
  if (q) params.set("q", q);
  const page = await api.get(`/api/v1/me/library?${params}`);
  const href = (item) => (item.kind === "playlist" ? `/playlist/${item.id}` : item.kind === "release" ? `/release/${item.id}` : `/artist/${item.id}`);
  clear(list, page.items.map((item) => h("li", {}, h("a", { class: "library-item", href: href(item), "data-link": true }, item.image ? h("img", { class: "cover", src: item.image, alt: "", width: 48, height: 48 }) : h("div", { class: "cover cover-empty small", "aria-hidden": "true" }), h("span", {}, h("span", { class: "card-title" }, item.name), h("span", { class: "card-sub" }, `${item.kind[0].toUpperCase()}${item.kind.slice(1)}${item.creator ? ` · ${item.creator}` : ""}`))))));
  main.append(
    h("h1", {}, "Your Library"),
    h("div", { class: "actions" }, h("button", { type: "button", class: "button", onclick: async () => { const made = await createPlaylist(); navigate(`/playlist/${made.id}`); } }, "Create playlist"), h("a", { class: "button secondary", href: "/collection/tracks", "data-link": true }, "Liked Songs"), h("a", { class: "button secondary", href: "/taste", "data-link": true }, "Only You"), h("a", { class: "button secondary", href: `/year/${new Date().getFullYear()}`, "data-link": true }, "Your year")),
    filters,
    page.items.length ? list : h("p", { class: "hint" }, "Nothing here yet."),
  );
}
