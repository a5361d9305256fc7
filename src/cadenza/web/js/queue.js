// The queue as the listener sees it: the songs they queued ("Next in queue"), which they can
// reorder and remove, apart from what the context plays after them ("Next from: its name").
import { api, cached } from "./api.js";
import { h, clear, cover, artistLinks, icon, toast } from "./dom.js";
import { player } from "./player.js";
import { heart } from "./likes.js";

const FROM_SHOWN = 20;

// The context's name as the listener knows it.
export async function contextName(context) {
  if (!context) return null;
  const { kind, id } = context;
  try {
    if (kind === "release") return (await cached(`/api/v1/releases/${id}`)).title;
    if (kind === "artist") return (await cached(`/api/v1/artists/${id}`)).name;
    if (kind === "playlist") return (await cached(`/api/v1/playlists/${id}`)).name;
  } catch {
    return null;
  }
  if (kind === "chart") return (await cached(`/api/v1/browse/charts/${id}`).catch(() => null))?.name || "Chart";
  return { liked: "Liked Songs", radio: "Song radio", daily_mix: `Daily Mix ${id}`, plan_mix: "Your mix", taste_mix: "Only You", release_radar: "Release Radar", discover_weekly: "Discover Weekly", search: "Search" }[kind] || null;
}

export function contextLink(context) {
  if (!context) return null;
  const { kind, id } = context;
  if (["release", "artist", "playlist"].includes(kind)) return `/${kind}/${id}`;
  return { liked: "/collection/tracks", daily_mix: `/mix/daily/${id}`, plan_mix: "/mix/plan", taste_mix: `/taste/mix/${id}`, chart: `/chart/${id}`, release_radar: "/release-radar", discover_weekly: "/mix/weekly" }[kind] || null;
}

// Apply an edit's answer: the new state, and the track fetched ahead is no longer next.
function applied(state) {
  player.state = state;
  player.dropPrefetch?.();
  player.emit();
}

async function edit(request) {
  try {
    applied(await request());
  } catch (error) {
    toast(error.code === "queue_changed" || error.code === "queue_entry_not_found" ? "Your queue changed meanwhile: here it is now." : error.message);
    await player.refresh();
  }
}

function row(track, buttons) {
  return h(
    "li",
    { class: "queue-row", dataset: { trackId: String(track.id) } },
    cover(track.release, 64),
    h("div", { class: "track-main" }, h("span", { class: "track-title" }, track.title), h("span", { class: "track-artists" }, artistLinks(track.artists))),
    heart(track),
    buttons,
  );
}

function editButton(label, name, onclick, disabled = false) {
  return h("button", { type: "button", class: "icon-button", "aria-label": label, title: label, disabled, onclick }, icon(name));
}

function queuedRow(track, index, total) {
  const at = (to) => () => edit(() => api.put(`/api/v1/me/player/queue/${index}`, { track_id: track.id, to }));
  return row(track, h(
    "div",
    { class: "queue-edit" },
    editButton(`Move ${track.title} up`, "up", at(index - 1), index === 0),
    editButton(`Move ${track.title} down`, "down", at(index + 1), index === total - 1),
    editButton(`Remove ${track.title} from queue`, "close", () => edit(() => api.del(`/api/v1/me/player/queue/${index}?track_id=${track.id}`))),
  ));
}

// Draws the queue into `box` and keeps it current; returns a stop().
export function queuePanel(box) {
  let drawn = 0;
  const draw = async () => {
    const ticket = ++drawn;
    const state = player.state;
    const queued = state?.queue ?? [];
    const from = (state?.next_from ?? (state?.queue ? [] : state?.up_next ?? [])).slice(0, FROM_SHOWN);
    const [mine, theirs, name] = await Promise.all([
      Promise.all(queued.map((id) => cached(`/api/v1/tracks/${id}`).catch(() => null))),
      Promise.all(from.map((id) => cached(`/api/v1/tracks/${id}`).catch(() => null))),
      contextName(state?.context),
    ]);
    if (ticket !== drawn) return; // a newer state is being drawn
    const link = contextLink(state?.context);
    const title = name ? ["Next from: ", link ? h("a", { href: link, "data-link": true }, name) : name] : "Next up";
    clear(
      box,
      queued.length ? h("section", { class: "queue-part", "aria-label": "Next in queue" },
        h("h3", {}, "Next in queue"),
        h("ol", { class: "queue-list queued" }, mine.map((t, i) => (t ? queuedRow(t, i, queued.length) : null))),
      ) : null,
      h("section", { class: "queue-part", "aria-label": name ? `Next from: ${name}` : "Next up" },
        h("h3", {}, title),
        theirs.filter(Boolean).length
          ? h("ol", { class: "queue-list from-context" }, theirs.map((t) => (t ? row(t, null) : null)))
          : h("p", { class: "hint" }, queued.length ? "Nothing after your queue." : "Nothing else to play."),
      ),
    );
  };
  player.addEventListener("change", draw);
  draw();
  return () => player.removeEventListener("change", draw);
}
