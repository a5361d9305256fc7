import { h } from "../dom.js";
import { store, PLAN_NAMES } from "../store.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";
import { zonePanel } from "./accountzone.js";

export function render(main) {
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
  );
}
