import { h, clear, toast, when } from "../dom.js";
import { api } from "../api.js";
import { navigate } from "../router.js";
import { requireSignIn } from "./common.js";

// Live rooms: open one now or schedule it (followers hear of it), and the rooms of the people
// one follows.
export async function render(main) {
  if (requireSignIn(main)) return;
  const [notices, rooms] = await Promise.all([api.get("/api/v1/rooms/notices"), api.get("/api/v1/rooms")]);
  const title = h("input", { id: "room-title", name: "title", required: true, maxlength: 120, autocomplete: "off" });
  const topics = h("input", { id: "room-topics", name: "topics", maxlength: 160, placeholder: "jazz, vinyl", autocomplete: "off" });
  const at = h("input", { id: "room-at", name: "starts_at", type: "datetime-local" });
  const record = h("input", { id: "room-record", name: "record", type: "checkbox", checked: true });
  const problem = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "form room-form", id: "open-room" },
    h("label", { for: "room-title" }, "Title"), title,
    h("label", { for: "room-topics" }, "Topics (up to 5, separated by commas)"), topics,
    h("label", { for: "room-at" }, "Start later (leave empty to go live now)"), at,
    h("label", { class: "check" }, record, " Record the room (everyone in it is told)"),
    problem,
    h("button", { type: "submit", class: "button" }, "Open the room"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(problem);
    try {
      const room = await api.post("/api/v1/rooms", {
        title: title.value,
        topics: topics.value.split(",").map((t) => t.trim()).filter(Boolean),
        starts_at: at.value ? new Date(at.value).toISOString() : null,
        record: record.checked,
      });
      if (room.state === "scheduled") toast("Scheduled: your followers have been told.");
      navigate(room.page);
    } catch (error) {
      problem.textContent = error.message;
    }
  });
  main.append(h("h1", {}, "Live rooms"), h("p", { class: "lead" }, "Talk live: you on stage with up to nine speakers, listeners raising their hands."), form);
  const all = [...rooms.live, ...rooms.upcoming];
  main.append(h("h2", {}, "Rooms now and soon"));
  main.append(all.length
    ? h("ul", { class: "room-list" }, all.map((r) => h("li", {}, h("a", { href: r.page, "data-link": true }, r.title), ` · ${r.host.name} · `, r.state === "live" ? "live now" : when(r.starts_at))))
    : h("p", { class: "hint" }, "No rooms right now."));
  if (notices.length) {
    main.append(h("h2", {}, "From people you follow"), h("ul", { class: "room-list" }, notices.map((n) => h("li", {}, h("a", { href: n.page, "data-link": true }, n.title), ` · ${n.host_name} · `, n.state === "live" ? "live" : n.state === "ended" ? "ended" : when(n.starts_at)))));
  }
}
