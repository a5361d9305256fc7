import { h, clear } from "../dom.js";
import { api } from "../api.js";
import { signedInOnly } from "./accountnav.js";

// One artist's statistics, drawn: a line per day (per month over a year or all time), bars for
// top tracks, countries, cities, ages, genders and sources, and the estimated earnings.
const RANGES = [
  ["7d", "7 days"],
  ["28d", "28 days"],
  ["12m", "12 months"],
  ["all", "All time"],
];
const SOURCE_NAMES = {
  artist: "Your artist page",
  release: "Your releases",
  own_playlist: "Listeners' own playlists",
  editorial: "Editorial playlists",
  algorithmic: "Algorithmic (Discover Weekly, Radio…)",
  search: "Search",
  library: "Listeners' libraries",
  other: "Other",
};
const GENDER_NAMES = { female: "Female", male: "Male", non_binary: "Non-binary", other: "Other" };
const SVG = "http://www.w3.org/2000/svg";
const number = (n) => n.toLocaleString();

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  el.append(...children);
  return el;
}

// A line chart of streams and listeners, scaled to the larger; the x axis labels its ends.
export function lineChart(series, monthly) {
  const width = 600;
  const height = 180;
  const pad = 4;
  const top = Math.max(1, ...series.map((d) => Math.max(d.streams, d.listeners)));
  const x = (i) => pad + (series.length > 1 ? (i * (width - 2 * pad)) / (series.length - 1) : (width - 2 * pad) / 2);
  const y = (v) => height - pad - (v * (height - 2 * pad)) / top;
  const path = (key) => series.map((d, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(d[key]).toFixed(1)}`).join(" ");
  const label = (d) => (monthly ? d.day.slice(0, 7) : d.day);
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, class: "stats-line", role: "img", "aria-label": `Streams per ${monthly ? "month" : "day"}, up to ${number(top)}` },
    svg("line", { x1: 0, x2: width, y1: height - pad, y2: height - pad, class: "stats-axis" }),
    svg("path", { d: path("listeners"), class: "stats-listeners" }),
    svg("path", { d: path("streams"), class: "stats-streams" }),
    ...series.map((d, i) => svg("circle", { cx: x(i).toFixed(1), cy: y(d.streams).toFixed(1), r: 3, class: "stats-dot" }, svg("title", {}, `${label(d)}: ${number(d.streams)} streams, ${number(d.listeners)} listeners`))),
  );
  return h(
    "figure",
    { class: "stats-figure" },
    chart,
    h("figcaption", { class: "stats-axis-labels" }, h("span", {}, series.length ? label(series[0]) : ""), h("span", { class: "stats-key" }, h("span", { class: "key-streams" }, "Streams"), " ", h("span", { class: "key-listeners" }, "Listeners")), h("span", {}, series.length ? label(series[series.length - 1]) : "")),
  );
}

// Horizontal bars: one row a bucket, its value's share of the largest.
export function bars(title, rows, { name = (r) => r.value, value = (r) => r.streams, unit = "streams", empty = "Nothing to show yet." } = {}) {
  const top = Math.max(1, ...rows.map(value));
  return h(
    "section",
    { class: "panel stats-bars", "aria-label": title },
    h("h2", {}, title),
    rows.length
      ? h(
          "ol",
          { class: "bar-list" },
          rows.map((r) =>
            h(
              "li",
              {},
              h("span", { class: "bar-name" }, name(r)),
              h("span", { class: "bar-track" }, h("span", { class: "bar-fill", style: `width:${((100 * value(r)) / top).toFixed(1)}%` })),
              h("span", { class: "bar-value" }, `${number(value(r))} ${unit}`),
            ),
          ),
        )
      : h("p", { class: "hint" }, empty),
  );
}

function tiles(stats) {
  const tile = (label, value) => h("div", { class: "stats-tile" }, h("span", { class: "tile-value" }, number(value)), h("span", { class: "tile-label" }, label));
  return h("div", { class: "stats-tiles" }, tile("Streams", stats.streams), tile("Listeners", stats.listeners), tile("Saves", stats.saves), tile("Playlist adds", stats.playlist_adds), tile("New followers", stats.follows));
}

function earnings(stats) {
  const cents = (n) => `${(n / 100).toFixed(2)}`;
  return h(
    "section",
    { class: "panel", "aria-label": "Estimated earnings" },
    h("h2", {}, "Estimated earnings"),
    h("p", { class: "hint" }, `An estimate at ${stats.estimated_per_stream_cents} cents a stream, not what royalties pay.`),
    stats.earnings.length
      ? h("table", { class: "stats-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Month"), h("th", {}, "Streams"), h("th", {}, "Estimated"))), h("tbody", {}, stats.earnings.map((e) => h("tr", {}, h("td", {}, e.month), h("td", {}, number(e.streams)), h("td", {}, cents(e.estimated_cents))))))
      : h("p", { class: "hint" }, "No streams in this range."),
  );
}

export async function render(main, { id }) {
  if (signedInOnly(main)) return;
  const wanted = new URLSearchParams(location.search).get("range");
  let range = RANGES.some(([r]) => r === wanted) ? wanted : "28d";
  const heading = h("h1", {}, "Statistics");
  const switcher = h("div", { class: "chips stats-ranges", role: "group", "aria-label": "Range" });
  const body = h("div", { class: "stats-body" });
  main.append(heading, switcher, body);

  async function draw() {
    clear(switcher, RANGES.map(([value, label]) => h("button", { type: "button", class: `chip${value === range ? " on" : ""}`, "aria-pressed": value === range ? "true" : "false", onclick: () => { range = value; history.replaceState(null, "", `?range=${value}`); draw(); } }, label)));
    let stats;
    try {
      stats = await api.get(`/api/v1/artists/${id}/stats?range=${range}`);
    } catch (error) {
      clear(body, h("p", { class: "lead" }, error.status === 403 ? "These statistics are for the artist's own accounts, its distributors and admins." : error.message));
      return;
    }
    heading.textContent = `${stats.artist_name}: statistics`;
    const updated = stats.rolled_at ? `Figures up to ${new Date(stats.rolled_at).toLocaleString()}.` : "No figures yet: they are rolled up every few minutes.";
    const hidden = `Groups of fewer than ${stats.min_listeners} listeners are not shown.`;
    clear(
      body,
      h("p", { class: "hint" }, updated),
      tiles(stats),
      h("section", { class: "panel" }, h("h2", {}, stats.monthly ? "Streams per month" : "Streams per day"), lineChart(stats.series, stats.monthly)),
      h(
        "div",
        { class: "stats-grid" },
        bars("Top tracks", stats.top_tracks, { name: (t) => t.title }),
        bars("Where streams come from", stats.sources, { name: (s) => SOURCE_NAMES[s.value] || s.value }),
        bars("Top countries", stats.countries, { value: (c) => c.listeners, unit: "listeners", empty: hidden }),
        bars("Top cities", stats.cities, { value: (c) => c.listeners, unit: "listeners", empty: hidden }),
        bars("Age", stats.ages, { value: (a) => a.listeners, unit: "listeners", empty: hidden }),
        bars("Gender", stats.genders, { name: (g) => GENDER_NAMES[g.value] || g.value, value: (g) => g.listeners, unit: "listeners", empty: hidden }),
      ),
      earnings(stats),
      h("p", { class: "hint" }, hidden),
    );
  }
  await draw();
}
