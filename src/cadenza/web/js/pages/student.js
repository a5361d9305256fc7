import { h, clear, when, field, fields, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";

export async function render(main) {
  if (signedInOnly(main)) return;
  const error = errorBox();
  const body = h("div");
  main.append(h("h1", {}, "Student status"), accountNav(), error, body);
  const draw = async () => {
    let request = null;
    try {
      request = await api.get("/api/v1/me/student");
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    const form = h("form", { class: "auth-form" }, field("Your school, college or university", { name: "school", required: true, minlength: 2, maxlength: 200 }), h("button", { type: "submit", class: "button" }, "Ask for student status"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(error, null);
      try {
        await api.post("/api/v1/me/student", fields(form));
        await draw();
      } catch (e) {
        showError(error, e);
      }
    });
    clear(
      body,
      panel(
        "Premium Student",
        h("p", {}, "Premium at a student price, for 12 months at a time (4 years at most). We check each request."),
        request ? h("p", { role: "status" }, `Request for ${request.school}: ${request.status}`, request.valid_until ? `, valid until ${when(request.valid_until)}` : "", ".") : null,
        !request || request.status === "rejected" ? form : null,
        request?.status === "approved" ? h("a", { class: "button", href: "/account/plan", "data-link": true }, "Get Premium Student") : null,
      ),
    );
  };
  await draw();
}
