// The account section's own navigation.
import { h } from "../dom.js";
import { store } from "../store.js";
import { navigate } from "../router.js";

const SECTIONS = [
  ["/account", "Overview"],
  ["/account/plan", "Plan and billing"],
  ["/account/members", "Duo and Family"],
  ["/account/student", "Student"],
  ["/account/sessions", "Sessions"],
  ["/account/security", "Password and two-factor"],
  ["/account/privacy", "Privacy"],
  ["/account/apps", "Apps"],
];

export function accountNav() {
  return h(
    "nav",
    { class: "account-nav", "aria-label": "Account" },
    SECTIONS.map(([href, label]) => h("a", { href, "data-link": true, "aria-current": location.pathname === href ? "page" : null }, label)),
  );
}

export function panel(title, ...children) {
  const id = `panel-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

export function signedInOnly(main) {
  if (store.me) return false;
  navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true });
  return true;
}
