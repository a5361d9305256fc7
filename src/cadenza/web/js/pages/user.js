import { h, toast } from "../dom.js";
import { api } from "../api.js";
import { store } from "../store.js";
import { navigate } from "../router.js";
import { shelf } from "./common.js";

// A listener's public profile: name, followers, public playlists; follow, block, Blend.
export async function render(main, { id }) {
  const profile = await api.get(`/api/v1/users/${encodeURIComponent(id)}`);
  const followers = h("span", {}, `${profile.followers} followers · ${profile.following} following`);
  const actions = h("div", { class: "actions" });
  if (store.me && !profile.you) {
    let on = profile.followed_by_you;
    const follow = h("button", { type: "button", class: "button" });
    const draw = () => {
      follow.textContent = on ? "Following" : "Follow";
      follow.setAttribute("aria-pressed", String(on));
    };
    follow.addEventListener("click", async () => {
      try {
        if (on) await api.del(`/api/v1/me/following/listeners/${profile.id}`);
        else await api.put(`/api/v1/me/following/listeners/${profile.id}`);
        on = !on;
        profile.followers += on ? 1 : -1;
        followers.textContent = `${profile.followers} followers · ${profile.following} following`;
        draw();
      } catch (error) {
        toast(error.message);
      }
    });
    draw();
    const block = h("button", { type: "button", class: "button secondary" }, "Block");
    block.addEventListener("click", async () => {
      if (!confirm(`Block ${profile.display_name}? Neither of you will follow or see the other.`)) return;
      await api.put(`/api/v1/me/blocked/listeners/${profile.id}`);
      toast(`${profile.display_name} is blocked. Unblock them in your account.`);
      navigate("/friends");
    });
    actions.append(follow, h("a", { class: "button secondary", href: "/blend", "data-link": true }, "Make a Blend"), block);
  }
  main.append(
    h("header", { class: "hero" }, h("div", { class: "cover avatar big", "aria-hidden": "true" }, profile.display_name.slice(0, 1)), h("div", { class: "hero-text" }, h("span", { class: "pill" }, profile.you ? "Your profile" : "Listener"), h("h1", {}, profile.display_name), h("p", { class: "hero-meta" }, followers))),
    actions,
  );
  const cards = profile.playlists.map((p) => h("a", { class: "card", href: `/playlist/${p.id}`, "data-link": true }, h("div", { class: "cover cover-empty", "aria-hidden": "true" }), h("span", { class: "card-title" }, p.name), h("span", { class: "card-sub" }, `${p.total} songs`)));
  main.append(cards.length ? shelf("Public playlists", cards) : h("p", { class: "hint" }, "No public playlists yet."));
}
