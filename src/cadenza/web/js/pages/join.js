import { h, field, fields, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { loadMe } from "../store.js";
import { requireSignIn } from "./common.js";

export function render(main, _params, query) {
  if (requireSignIn(main)) return;
  const error = errorBox();
  const form = h("form", { class: "auth-form" }, field("Home address (Family plans: the manager's)", { name: "home_address", maxlength: 300, autocomplete: "street-address" }), error, h("button", { type: "submit", class: "button wide" }, "Join the plan"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      const body = { token: query.get("token") || "", home_address: fields(form).home_address || null };
      const sub = await api.post("/api/v1/plan-invites/accept", body);
      await loadMe();
      main.replaceChildren(h("h1", {}, "Welcome aboard"), h("p", { role: "status" }, `You are on ${sub.plan.replace("_", " ")} now.`));
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(h("div", { class: "auth" }, h("h1", {}, "Join a plan"), h("p", {}, "You were invited to share a Premium plan."), form));
}
