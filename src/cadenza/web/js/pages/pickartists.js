import { h, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { navigate } from "../router.js";
import { requireSignIn } from "./common.js";

const SUGGESTED = 3;
const MAX = 10;

// "Pick three artists you like" (/welcome/artists), the step after signing up; skippable.
// Until the listener has played music, what is made for them starts from these artists.
export async function render(main) {
  if (requireSignIn(main)) return;
  const chosen = new Map((await api.get("/api/v1/me/taste-picks")).artists.map((a) => [a.id, a.name]));
  const error = errorBox();
  const status = h("p", { class: "hint", role: "status" });
  const grid = h("div", { class: "pick-grid" });
  const done = h("button", { type: "button", class: "button" }, "Done");
  const search = h("input", { type: "search", class: "pick-search", name: "q", maxlength: 100, placeholder: "Search artists", "aria-label": "Search artists" });
  let offset = 0;

  function count() {
    const n = chosen.size;
    status.textContent = n >= SUGGESTED ? `${n} picked. Great!` : `${n} of ${SUGGESTED} picked`;
    done.disabled = n === 0;
  }

  function tile(artist) {
    const button = h("button", { type: "button", class: "pick", "aria-pressed": String(chosen.has(artist.id)) }, h("span", { class: "cover avatar", "aria-hidden": "true" }, artist.name[0]), h("span", {}, artist.name));
    button.addEventListener("click", () => {
      if (chosen.has(artist.id)) chosen.delete(artist.id);
      else if (chosen.size < MAX) chosen.set(artist.id, artist.name);
      button.setAttribute("aria-pressed", String(chosen.has(artist.id)));
      count();
    });
    return button;
  }

  const more = h("button", { type: "button", class: "button secondary" }, "More artists");
  async function load(reset) {
    if (reset) offset = 0;
    const q = search.value.trim();
    const page = await api.get(`/api/v1/onboarding/artists?limit=20&offset=${offset}${q ? `&q=${encodeURIComponent(q)}` : ""}`);
    if (reset) grid.replaceChildren();
    grid.append(...page.map(tile));
    offset += page.length;
    more.hidden = page.length < 20;
    if (reset && !page.length) grid.append(h("p", { class: "hint" }, q ? `No artist called “${q}”.` : "No artists here yet."));
  }
  more.addEventListener("click", () => load(false).catch((e) => showError(error, e)));
  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => load(true).catch((e) => showError(error, e)), 250);
  });
  done.addEventListener("click", async () => {
    showError(error, null);
    try {
      await api.put("/api/v1/me/taste-picks", { artist_ids: [...chosen.keys()] });
      navigate("/");
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(
    h("h1", {}, "Pick three artists you like"),
    h("p", { class: "lead" }, "We start your Release Radar and recommendations from them, until you have played some music."),
    search,
    status,
    grid,
    more,
    error,
    h("div", { class: "actions" }, done, h("a", { class: "button secondary", href: "/", "data-link": true }, "Skip")),
  );
  count();
  await load(true);
}
