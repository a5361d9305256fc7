// Artificial streams. Admins: the accounts the fraud job flagged, with its reasons; clear a
// flag (a false alarm: the streams count again) or confirm it. Distributors: flagged streams
// per track of their own releases (flaggedTracks(), drawn on the distributor page).
import { h, clear, errorBox, showError, when, toast } from "../dom.js";
import { api } from "../api.js";
import { hasRole } from "../store.js";
import { signedInOnly } from "./accountnav.js";

const STATUSES = [["open", "Waiting for review"], ["confirmed", "Confirmed"], ["cleared", "Cleared"]];

function flagCard(flag, redraw, error) {
  const review = async (clearIt) => {
    showError(error, null);
    try {
      await api.post(`/api/v1/admin/fraud/flags/${flag.id}/review`, { clear: clearIt });
      toast(clearIt ? "Cleared: the account's streams count again." : "Confirmed: its streams stay flagged.");
      await redraw();
    } catch (e) {
      showError(error, e);
    }
  };
  const actions = flag.status === "open"
    ? h("div", { class: "row" },
        h("button", { type: "button", class: "button secondary", onclick: () => review(true) }, "Clear (a false alarm)"),
        h("button", { type: "button", class: "button", onclick: () => review(false) }, "Confirm"))
    : h("p", { class: "hint" }, `${flag.status === "cleared" ? "Cleared" : "Confirmed"} by admin ${flag.reviewed_by} on ${when(flag.reviewed_at)}`);
  return h(
    "li",
    { class: "panel fraud-flag", "data-flag": String(flag.id) },
    h("h3", {}, `Account ${flag.user_id}`),
    h("p", { class: "hint" }, `Score ${flag.score.toFixed(2)} · ${flag.streams} streams flagged · listened ${when(flag.window_start)} to ${when(flag.window_end)}`),
    h("ul", { class: "fraud-reasons" }, flag.reasons.map((r) => h("li", {}, r.text))),
    actions,
  );
}

export async function render(main) {
  if (signedInOnly(main)) return;
  main.append(h("h1", {}, "Artificial streams"));
  if (!hasRole("admin")) {
    main.append(h("p", { class: "lead" }, "This page is for admins."));
    return;
  }
  main.append(h("p", { class: "hint" }, "Accounts the daily fraud job flagged: their streams earn nothing until a flag is cleared."));
  const error = errorBox();
  const status = h("select", { id: "fraud-status", "aria-label": "Which flags" }, STATUSES.map(([v, label]) => h("option", { value: v }, label)));
  const list = h("ul", { class: "fraud-flags", "aria-label": "Flagged accounts" });
  const draw = async () => {
    try {
      const flags = await api.get(`/api/v1/admin/fraud/flags?status=${status.value}&limit=100`);
      clear(list, flags.length ? flags.map((f) => flagCard(f, draw, error)) : h("li", { class: "hint" }, "No flags here."));
    } catch (e) {
      showError(error, e);
    }
  };
  status.addEventListener("change", draw);
  main.append(h("div", { class: "row" }, h("label", { for: "fraud-status" }, "Show"), status), error, list);
  await draw();
}

// The distributor's tracks with flagged streams: a section for the distributor page.
export async function flaggedTracks() {
  const tracks = await api.get("/api/v1/distributor/fraud/tracks");
  const body = tracks.length
    ? h("div", { class: "scroll-x" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Track"), h("th", {}, "Release"), h("th", {}, "Streams"), h("th", {}, "Flagged"))),
        h("tbody", {}, tracks.map((t) => h("tr", {}, h("td", {}, t.title), h("td", {}, t.release_title), h("td", {}, String(t.streams)), h("td", {}, String(t.flagged)))))))
    : h("p", { class: "hint" }, "No streams of your tracks are flagged.");
  return h(
    "section",
    { class: "panel", "aria-labelledby": "flagged-heading" },
    h("h2", { id: "flagged-heading" }, "Artificial streams"),
    h("p", { class: "hint" }, "Streams our fraud checks flagged as artificial (bots, farms) earn nothing."),
    body,
  );
}
