import { h } from "../dom.js";
import { api } from "../api.js";
import { store } from "../store.js";

function anonymousCountry() {
  return (navigator.language.split("-")[1] || "US").toUpperCase();
}

export async function chartList() {
  const country = store.me ? "" : `?country=${encodeURIComponent(anonymousCountry())}`;
  return api.get(`/api/v1/browse/charts${country}`).catch(() => []);
}

export function chartCard(chart) {
  const about = chart.kind === "viral" ? "The fastest risers this week" : "The most played this week";
  return h(
    "a",
    { class: "card chart-card", href: `/chart/${chart.id}`, "data-link": true },
    h("div", { class: `cover chart-cover ${chart.kind}`, "aria-hidden": "true" }, h("span", {}, chart.kind === "viral" ? "Viral 50" : "Top 50"), h("small", {}, chart.country || "Global")),
    h("span", { class: "card-title" }, chart.name),
    h("span", { class: "card-sub" }, about),
  );
}

// Charts (/charts): Top 50 and Viral 50 of the listener's country and everywhere.
export async function render(main) {
  const charts = await chartList();
  main.append(h("h1", {}, "Charts"));
  if (!charts.length) {
    main.append(h("p", { class: "lead", role: "status" }, "No charts yet: they are made each day from what listeners play."));
    return;
  }
  main.append(h("p", { class: "lead" }, "Made each day from the last seven days of listening."), h("div", { class: "shelf" }, h("div", { class: "cards" }, charts.map(chartCard))));
}
