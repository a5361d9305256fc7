// The consent page of the authorization code flow: which app, what it may do, allow or cancel.
// The decision goes to the server with this page's own session; the browser then follows the
// answer to the app's redirect URI (with a code, or with error=access_denied).
import { h, clear, errorBox, showError } from "../dom.js";
import { api, signedIn } from "../api.js";
import { store } from "../store.js";
import { navigate } from "../router.js";

export async function render(main, _params, query) {
  const here = location.pathname + location.search;
  if (!signedIn()) {
    navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    return;
  }
  const search = location.search.slice(1);
  let consent;
  try {
    consent = await api.get(`/api/v1/oauth/authorize?${search}`);
  } catch (e) {
    if (e.redirect) {
      location.assign(e.redirect); // the app hears of its own mistake (RFC 6749 4.1.2.1)
      return;
    }
    const box = errorBox();
    main.append(h("div", { class: "auth" }, h("h1", {}, "This app's request is not valid"), box));
    showError(box, e);
    return;
  }
  const decide = async (approve) => {
    const answer = await api.post("/api/v1/oauth/authorize", { query: search, approve });
    location.assign(answer.redirect);
  };
  if (consent.already_granted && query.get("show_dialog") !== "true") {
    await decide(true);
    return;
  }
  const error = errorBox();
  const back = new URL(consent.redirect_uri, location.href);
  const buttons = h(
    "p",
    { class: "consent-buttons" },
    h("button", { type: "button", class: "button", onclick: () => decide(true).catch((e) => showError(error, e)) }, "Agree"),
    " ",
    h("button", { type: "button", class: "button secondary", onclick: () => decide(false).catch((e) => showError(error, e)) }, "Cancel"),
  );
  clear(
    main,
    h(
      "div",
      { class: "auth consent" },
      h("h1", {}, `Allow ${consent.app.name} to use your Cadenza account?`),
      consent.app.description ? h("p", {}, consent.app.description) : null,
      h("p", { class: "hint" }, `Signed in as ${store.me?.email || "you"}. You will return to ${back.host || back.protocol}.`),
      h("h2", {}, consent.scopes.length ? `${consent.app.name} will be able to:` : `${consent.app.name} asks for no access to your data.`),
      h("ul", { class: "scope-list" }, consent.scopes.map((s) => h("li", { dataset: { scope: s.name } }, s.description))),
      h("p", { class: "hint" }, "You can remove its access at any time in Account, Apps."),
      error,
      buttons,
    ),
  );
}
