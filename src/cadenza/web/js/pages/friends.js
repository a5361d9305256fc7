import { h } from "../dom.js";
import { api } from "../api.js";
import { requireSignIn } from "./common.js";
import { activityList, friendActivity } from "../friends.js";

// Friend activity as a page (a phone's way to the side panel), who you follow, and Blends.
export async function render(main) {
  if (requireSignIn(main)) return;
  const [items, following, sharing] = await Promise.all([friendActivity(), api.get("/api/v1/me/following/listeners?limit=100"), api.get("/api/v1/me/sharing")]);
  main.append(
    h("h1", {}, "Friend activity"),
    h("p", { class: "lead" }, sharing.share_activity ? "You share what you play with those who follow you. " : "You do not share what you play. ", h("a", { href: "/account", "data-link": true }, "Change this in your account")),
    h("section", { class: "panel", "aria-labelledby": "playing-heading" }, h("h2", { id: "playing-heading" }, "What they are playing"), activityList(items)),
    h(
      "section",
      { class: "panel", "aria-labelledby": "following-heading" },
      h("h2", { id: "following-heading" }, "You follow"),
      following.items.length
        ? h("ul", { class: "friend-list" }, following.items.map((p) => h("li", {}, h("a", { href: `/user/${p.id}`, "data-link": true }, p.display_name))))
        : h("p", { class: "hint" }, "Nobody yet: open a friend's profile link to follow them."),
    ),
    h("section", { class: "panel", "aria-labelledby": "blend-heading" }, h("h2", { id: "blend-heading" }, "Blend"), h("p", {}, "A playlist of your taste and a friend's, made again every day."), h("a", { class: "button", href: "/blend", "data-link": true }, "Your Blends")),
  );
}
