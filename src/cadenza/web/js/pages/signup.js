import { h, field, fields, errorBox, showError } from "../dom.js";
import { api } from "../api.js";

const COUNTRIES = ["US", "GB", "IE", "DE", "FR", "ES", "IT", "NL", "BE", "SE", "NO", "DK", "FI", "PL", "PT", "AT", "CH", "CA", "AU", "NZ", "JP", "BR", "MX", "IN"];

export function render(main) {
  const error = errorBox();
  const region = (navigator.language.split("-")[1] || "US").toUpperCase();
  const country = h("select", { name: "country", id: "signup-country", required: true }, COUNTRIES.map((c) => h("option", { value: c, selected: c === region }, c)));
  const submit = h("button", { type: "submit", class: "button wide" }, "Sign up");
  const form = h(
    "form",
    { class: "auth-form", novalidate: true },
    field("E-mail address", { name: "email", type: "email", autocomplete: "email", required: true, maxlength: 254 }),
    field("Password (8 characters or more; a phrase is best)", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 8, maxlength: 128 }),
    field("What should we call you?", { name: "display_name", autocomplete: "nickname", required: true, maxlength: 100 }),
    h("div", { class: "field" }, h("label", { for: "signup-country" }, "Country"), country),
    field("Date of birth", { name: "birth_date", type: "date", required: true }),
    error,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    submit.disabled = true;
    try {
      const answer = await api.post("/api/v1/auth/signup", fields(form), { auth: false });
      main.replaceChildren(h("div", { class: "auth" }, h("h1", {}, "Check your e-mail"), h("p", { role: "status" }, answer.message, " Follow the link in it, then log in."), h("a", { class: "button", href: "/login?next=/welcome/artists", "data-link": true }, "Log in")));
    } catch (e) {
      showError(error, e);
      submit.disabled = false;
    }
  });
  main.append(h("div", { class: "auth" }, h("h1", {}, "Sign up for free"), form, h("p", {}, "Have an account? ", h("a", { href: "/login", "data-link": true }, "Log in"))));
}
