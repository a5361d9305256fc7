// Home's tiles of the charts and Release Radar, kept apart from home.js's own shelves.
import { h, cover } from "../dom.js";
import { api } from "../api.js";
import { shelf } from "./common.js";
import { chartList, chartCard } from "./charts.js";

// The Release Radar tile, for the "Made for you" shelf (none while it is empty).
export async function releaseRadarTiles() {
  const radar = await api.get("/api/v1/me/release-radar").catch(() => null);
  if (!radar?.tracks.length) return [];
  const artists = [...new Set(radar.tracks.flatMap((t) => t.artists.map((a) => a.name)))];
  return [h("a", { class: "card", href: "/release-radar", "data-link": true }, cover(radar.tracks[0].release, 300), h("span", { class: "card-title" }, radar.name), h("span", { class: "card-sub" }, artists.slice(0, 3).join(", ")))];
}

// The listener's Blends, for the "Made for you" shelf: each shared playlist and its match.
export async function blendTiles() {
  const blends = await api.get("/api/v1/blends").catch(() => []);
  return blends.map((b) => h("a", { class: "card", href: `/blend/${b.id}`, "data-link": true }, cover(null, 300), h("span", { class: "card-title" }, b.name), h("span", { class: "card-sub" }, `Blend · ${b.match_score}% match`)));
}

// A "Charts" shelf: the listener's country's and everywhere's, with a link to all of them.
export async function chartsShelf() {
  const charts = await chartList();
  if (!charts.length) return null;
  const section = shelf("Charts", charts.map(chartCard));
  section.querySelector("h2")?.append(" ", h("a", { class: "see-all", href: "/charts", "data-link": true }, "Show all"));
  return section;
}
