import { h, field, fields, errorBox, showError } from "../dom.js";
import { api } from "../api.js";

export function render(main, _params, query) {
  const error = errorBox();
  const form = h("form", { class: "auth-form" }, field("New password", { name: "password", type: "password", required: true, autocomplete: "new-password", minlength: 8, maxlength: 128 }), error, h("button", { type: "submit", class: "button wide" }, "Set password"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      await api.post("/api/v1/auth/password-reset/confirm", { token: query.get("token") || "", password: fields(form).password }, { auth: false });
      main.replaceChildren(h("div", { class: "auth" }, h("h1", {}, "Password changed"), h("p", { role: "status" }, "Every device was signed out. Log in with your new password."), h("a", { class: "button", href: "/login", "data-link": true }, "Log in")));
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(h("div", { class: "auth" }, h("h1", {}, "Choose a new password"), form));
}
