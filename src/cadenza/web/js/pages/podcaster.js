import { h, clear, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { requireSignIn } from "./common.js";
import { artwork } from "./podcast_common.js";

// The podcaster's dashboard (/podcaster): create a show, upload episodes (audio, notes,
// chapters, a publishing time), the public RSS feed, and per show its plays, listeners and
// each episode's completion curve (how many listeners got past each tenth of it).
export async function render(main) {
  if (requireSignIn(main)) return;
  let shows;
  try {
    shows = await api.get("/api/v1/podcaster/shows");
  } catch (error) {
    if (error.status !== 403) throw error;
    main.append(h("h1", {}, "Podcaster dashboard"), h("p", { class: "lead", role: "status" }, "Hosting shows takes the podcaster role: ask your server's admin."));
    return;
  }
  const list = h("div", { class: "hosted-shows" });
  const draw = async () => clear(list, ...(await Promise.all(shows.map(showPanel))));
  const errors = errorBox();
  const form = h("form", { class: "stack", "aria-label": "New show" },
    h("label", {}, "Show title", h("input", { name: "title", required: true, maxlength: 500 })),
    h("label", {}, "Description", h("textarea", { name: "description", maxlength: 20000 })),
    h("button", { class: "button primary", type: "submit" }, "Create show"),
    errors,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await api.post("/api/v1/podcaster/shows", { title: form.title.value, description: form.description.value });
      shows.push(made);
      form.reset();
      await draw();
    } catch (error) {
      showError(errors, error);
    }
  });
  main.append(h("h1", {}, "Podcaster dashboard"), form, list);
  await draw();
}

async function showPanel(show) {
  const board = await api.get(`/api/v1/podcaster/shows/${show.id}/dashboard`);
  const errors = errorBox();
  const upload = h("form", { class: "stack", "aria-label": `Upload an episode of ${show.title}` },
    h("label", {}, "Episode title", h("input", { name: "title", required: true, maxlength: 500 })),
    h("label", {}, "Audio file", h("input", { name: "audio", type: "file", accept: "audio/*", required: true })),
    h("label", {}, "Show notes", h("textarea", { name: "notes", maxlength: 20000 })),
    h("label", {}, "Chapters (one a line: 0:00 Title)", h("textarea", { name: "chapters" })),
    h("label", {}, "Publish at (empty: now)", h("input", { name: "publish_at", type: "datetime-local" })),
    h("button", { class: "button primary", type: "submit" }, "Upload episode"),
    errors,
  );
  const panel = h("section", { class: "hosted-show", "aria-label": show.title });
  upload.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData();
    data.append("audio", upload.audio.files[0]);
    data.append("title", upload.title.value);
    data.append("notes", upload.notes.value);
    data.append("chapters", JSON.stringify(chaptersOf(upload.chapters.value)));
    if (upload.publish_at.value) data.append("publish_at", new Date(upload.publish_at.value).toISOString());
    try {
      upload.querySelector("button").disabled = true;
      await api.post(`/api/v1/podcaster/shows/${show.id}/episodes`, data);
      panel.replaceWith(await showPanel(show));
    } catch (error) {
      showError(errors, error);
      upload.querySelector("button").disabled = false;
    }
  });
  return clear(panel,
    h("header", { class: "hero" }, artwork(show, 120), h("div", {},
      h("h2", {}, h("a", { href: `/show/${show.id}`, "data-link": true }, show.title)),
      h("p", {}, "RSS feed: ", h("a", { href: board.show.feed, class: "feed-link" }, board.show.feed)),
      h("p", { class: "figures" }, `${board.plays} plays · ${board.listeners} listeners`),
    )),
    h("table", { class: "episode-figures" },
      h("thead", {}, h("tr", {}, h("th", {}, "Episode"), h("th", {}, "Plays"), h("th", {}, "Listeners"), h("th", {}, "How far people listen"))),
      h("tbody", {}, board.episodes.map((e) => h("tr", {},
        h("td", {}, h("a", { href: `/episode/${e.episode_id}`, "data-link": true }, e.title)),
        h("td", {}, String(e.plays)),
        h("td", {}, String(e.listeners)),
        h("td", {}, curve(e.completion)),
      ))),
    ),
    upload,
  );
}

function curve(shares) {
  const label = shares.map((s, i) => `${i * 10}%: ${Math.round(s * 100)}%`).join(", ");
  return h("span", { class: "completion", role: "img", "aria-label": `Listeners past each tenth: ${label}` },
    shares.map((s) => h("span", { class: "bar", style: `height:${Math.round(s * 24) + 1}px` })),
  );
}

function chaptersOf(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [time, ...title] = line.split(/\s+/);
    const parts = time.split(":").map(Number);
    const seconds = parts.reduce((sum, n) => sum * 60 + n, 0);
    return { start_ms: Math.round(seconds * 1000), title: title.join(" ") || "Chapter" };
  });
}
