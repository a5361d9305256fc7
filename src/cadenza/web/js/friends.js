// Friend activity: what the listeners one follows are playing (those who share it). A side
// panel beside the page on wide screens; the /friends page everywhere (a phone's way to it).
import { h, clear, when } from "./dom.js";
import { api } from "./api.js";
import { store, watch } from "./store.js";

const REFRESH_MS = 60_000;

export async function friendActivity() {
  return api.get("/api/v1/me/friend-activity");
}

export function activityList(items) {
  if (!items.length) {
    return h("p", { class: "hint" }, "Nobody you follow is sharing what they play. Follow friends from their profile; each chooses to share in their account.");
  }
  return h(
    "ul",
    { class: "friend-list" },
    items.map((item) =>
      h(
        "li",
        { class: "friend" },
        h("div", { class: "cover avatar", "aria-hidden": "true" }, item.listener.display_name.slice(0, 1)),
        h(
          "div",
          { class: "friend-text" },
          h("a", { class: "friend-name", href: `/user/${item.listener.id}`, "data-link": true }, item.listener.display_name),
          h("span", { class: "friend-track" }, item.track.url ? h("a", { href: `/track/${item.track.id}`, "data-link": true }, item.track.title) : item.track.title, item.track.artists.length ? ` · ${item.track.artists.map((a) => a.name).join(", ")}` : ""),
          h("span", { class: "friend-when" }, item.playing_now ? h("span", { class: "pill live" }, "Playing now") : h("time", { datetime: item.at }, when(item.at))),
        ),
      ),
    ),
  );
}

export function startFriendPanel() {
  const panel = document.getElementById("friends-panel");
  if (!panel) return;
  let timer = null;
  const draw = async () => {
    clearTimeout(timer);
    if (!store.me) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    try {
      const items = await friendActivity();
      clear(panel, h("h2", { id: "friends-heading" }, "Friend activity"), activityList(items), h("a", { class: "hint", href: "/friends", "data-link": true }, "Find and manage friends"));
    } catch {
      // a failed refresh keeps what the panel showed
    }
    timer = setTimeout(draw, REFRESH_MS);
  };
  let who = undefined;
  const changed = () => {
    if ((store.me?.id ?? null) === who) return;
    who = store.me?.id ?? null;
    draw();
  };
  watch(changed);
  changed(); // whoever is signed in already
}
