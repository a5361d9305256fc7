import { h, toast } from "../dom.js";
import { api } from "../api.js";
import { store, PLAN_NAMES } from "../store.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";
import { zonePanel } from "./accountzone.js";
import { audiencePanel } from "./accountaudience.js";
import { historyPanels } from "../history_import.js";
import { appAccessPanel } from "../app_access.js";

// Sharing what you play (off until turned on), a private session, and who you blocked.
async function social() {
  const [sharing, blocked] = await Promise.all([api.get("/api/v1/me/sharing"), api.get("/api/v1/me/blocked/listeners")]);
  const toggle = (name, label, checked) => {
    const box = h("input", { type: "checkbox", name, checked });
    box.addEventListener("change", async () => {
      try {
        await api.put("/api/v1/me/sharing", { [name]: box.checked });
      } catch (error) {
        box.checked = !box.checked;
        toast(error.message);
      }
    });
    return h("label", { class: "check" }, box, ` ${label}`);
  };
  const unblock = (p) => {
    const button = h("button", { type: "button", class: "button secondary" }, `Unblock ${p.display_name}`);
    button.addEventListener("click", async () => {
      await api.del(`/api/v1/me/blocked/listeners/${p.id}`);
      button.closest("li").remove();
    });
    return h("li", {}, button);
  };
  return panel(
    "Social",
    h("p", {}, "Your profile: ", h("a", { href: `/user/${store.me.id}`, "data-link": true }, "how others see you"), " (your name and public playlists)."),
    h("p", {}, toggle("share_activity", "Share what I play with the listeners who follow me", sharing.share_activity)),
    h("p", {}, toggle("private_session", "Private session: share nothing I play until I turn this off", sharing.private_session)),
    blocked.length ? [h("h3", {}, "Blocked listeners"), h("ul", { class: "blend-list" }, blocked.map(unblock))] : null,
  );
}

export async function render(main) {
  if (signedInOnly(main)) return;
  const me = store.me;
  main.append(
    h("h1", {}, "Account"),
    accountNav(),
    panel(
      "Profile",
      h("dl", {}, h("dt", {}, "Name"), h("dd", {}, me.display_name), h("dt", {}, "E-mail"), h("dd", {}, me.email), h("dt", {}, "Country"), h("dd", {}, me.country), h("dt", {}, "Plan"), h("dd", {}, PLAN_NAMES[me.plan] || me.plan), h("dt", {}, "Two-factor"), h("dd", {}, me.two_factor ? "On" : "Off")),
    ),
    zonePanel(me),
    audiencePanel(me),
    appAccessPanel(),
    await social().catch(() => null),
    ...historyPanels(),
  );
}
