import { h } from "../dom.js";
import { api } from "../api.js";

export async function render(main, _params, query) {
  main.append(h("h1", {}, "Confirming your address"));
  const status = h("p", { role: "status" }, "One moment…");
  main.append(status);
  try {
    const account = await api.post("/api/v1/auth/verify-email", { token: query.get("token") || "" }, { auth: false });
    status.textContent = `Thanks, ${account.display_name}: ${account.email} is confirmed. You can log in now.`;
    main.append(h("a", { class: "button", href: "/login?next=/welcome/artists", "data-link": true }, "Log in"));
  } catch (e) {
    status.textContent = `This link does not work: ${e.message}`;
  }
}
