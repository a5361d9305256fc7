import { h } from "../dom.js";
import { api } from "../api.js";
import { shelf } from "./common.js";

function roomCard(room) {
  const sub = room.state === "live"
    ? `Live · ${room.host.name} · ${room.listener_count} listening`
    : `${new Date(room.starts_at).toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" })} · ${room.host.name}`;
  return h("a", { class: "card room-card", href: room.page, "data-link": true },
    h("span", { class: room.state === "live" ? "room-live-badge" : "room-soon-badge" }, room.state === "live" ? "LIVE" : "Soon"),
    h("span", { class: "card-title" }, room.title),
    h("span", { class: "card-sub" }, sub),
    room.topics.length ? h("span", { class: "card-sub" }, room.topics.join(" · ")) : null,
  );
}

// Home's Live shelf: rooms live now, then the ones coming, and a way to start one.
export async function liveShelf() {
  const rooms = await api.get("/api/v1/rooms").catch(() => null);
  if (!rooms) return null;
  const cards = [...rooms.live, ...rooms.upcoming].map(roomCard);
  cards.push(h("a", { class: "card room-card room-start", href: "/rooms", "data-link": true }, h("span", { class: "card-title" }, "Start a room"), h("span", { class: "card-sub" }, "Talk live with listeners")));
  return shelf("Live", cards, { id: "shelf-live" });
}
