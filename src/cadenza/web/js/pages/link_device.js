// Linking a TV, console, car or speaker (RFC 8628): type the code it shows, see the app and what
// it asks for, allow or deny.
import { h, clear, field, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { store } from "../store.js";
import { navigate } from "../router.js";

export async function render(main, _params, query) {
  if (!store.me) {
    // Back here after signing in, with the code a scanned verification_uri_complete carried.
    navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    return;
  }
  const error = errorBox();
  const step = h("div");
  const form = h(
    "form",
    { class: "auth-form", novalidate: true },
    field("Code shown on your device", { name: "user_code", required: true, maxlength: 40, autocomplete: "off", autocapitalize: "characters", value: query.get("user_code") || "" }),
    h("button", { type: "submit", class: "button wide" }, "Continue"),
  );
  const answer = (code, request, approve) => async () => {
    showError(error, null);
    try {
      await api.post("/api/v1/oauth/device", { user_code: code, approve });
      clear(step, h("p", { role: "status", class: "linked" }, approve ? `${request.app.name} is connected. You can go back to your device.` : `${request.app.name} was not connected.`));
      form.hidden = true;
    } catch (e) {
      showError(error, e);
    }
  };
  const lookup = async () => {
    showError(error, null);
    const code = new FormData(form).get("user_code").trim();
    try {
      const request = await api.get(`/api/v1/oauth/device?user_code=${encodeURIComponent(code)}`);
      clear(
        step,
        h("h2", {}, `Connect ${request.app.name}?`),
        h("p", {}, `${request.app.name} will be able to:`),
        h("ul", { class: "scope-list" }, request.scopes.map((s) => h("li", { dataset: { scope: s.name } }, s.description))),
        h("p", {}, h("button", { type: "button", class: "button", onclick: answer(code, request, true) }, "Allow"), " ", h("button", { type: "button", class: "button secondary", onclick: answer(code, request, false) }, "Deny")),
      );
    } catch (e) {
      clear(step);
      showError(error, e);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    lookup();
  });
  main.append(h("div", { class: "auth" }, h("h1", {}, "Link a device"), h("p", {}, "Your TV, console, car or speaker shows a code: type it here."), form, error, step));
  if (query.get("user_code")) await lookup();
  else form.querySelector("input").focus();
}
