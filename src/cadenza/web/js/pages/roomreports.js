// Reports of live rooms and of people in them (admins): the latest first, with the room's
// state; a live room can be ended from here (everyone in it is let go, the recording kept).
import { h, clear, errorBox, showError, when, toast } from "../dom.js";
import { api } from "../api.js";
import { hasRole } from "../store.js";
import { signedInOnly } from "./accountnav.js";

function reportCard(report, room, redraw, error) {
  const end = async () => {
    showError(error, null);
    try {
      await api.post(`/api/v1/rooms/${report.room_id}/end`);
      toast(`Ended “${report.room_title}”.`);
      await redraw();
    } catch (e) {
      showError(error, e);
    }
  };
  const about = report.subject ? `${report.subject.name} in “${report.room_title}”` : `the room “${report.room_title}”`;
  const state = room ? room.state : "unknown";
  return h(
    "li",
    { class: "panel room-report", "data-report": String(report.id) },
    h("h3", {}, `${report.reporter.name} reported ${about}`),
    h("p", {}, report.reason),
    h("p", { class: "hint" }, `${when(report.created_at)} · the room is ${state}`),
    h("div", { class: "row" },
      h("a", { class: "button secondary", href: `/room/${report.room_id}`, "data-link": true }, "Open the room"),
      state === "live" ? h("button", { type: "button", class: "button", onclick: end }, "End room") : null),
  );
}

export async function render(main) {
  if (signedInOnly(main)) return;
  main.append(h("h1", {}, "Room reports"));
  if (!hasRole("admin")) {
    main.append(h("p", { class: "lead" }, "This page is for admins."));
    return;
  }
  main.append(h("p", { class: "hint" }, "What listeners and speakers reported in live rooms. Ending a room lets everyone in it go; its recording is kept."));
  const error = errorBox();
  const list = h("ul", { class: "room-reports", "aria-label": "Reports" });
  const draw = async () => {
    try {
      const reports = await api.get("/api/v1/rooms/reports");
      const rooms = new Map();
      for (const id of new Set(reports.map((r) => r.room_id))) {
        rooms.set(id, await api.get(`/api/v1/rooms/${id}`).catch(() => null));
      }
      clear(list, reports.length ? reports.map((r) => reportCard(r, rooms.get(r.room_id), draw, error)) : h("li", { class: "hint" }, "No reports."));
    } catch (e) {
      showError(error, e);
    }
  };
  main.append(error, list);
  await draw();
}
