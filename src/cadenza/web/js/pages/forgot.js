import { h, field, fields, errorBox, showError } from "../dom.js";
import { api } from "../api.js";

export function render(main) {
  const error = errorBox();
  const status = h("p", { role: "status" });
  const form = h("form", { class: "auth-form" }, field("E-mail address", { name: "email", type: "email", required: true, autocomplete: "username", maxlength: 254 }), error, h("button", { type: "submit", class: "button wide" }, "Send me a link"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      const answer = await api.post("/api/v1/auth/password-reset", fields(form), { auth: false });
      status.textContent = answer.message;
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(h("div", { class: "auth" }, h("h1", {}, "Reset your password"), h("p", {}, "We will e-mail you a link to choose a new one."), form, status));
}
