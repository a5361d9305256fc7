import { h, errorBox, showError } from "../dom.js";
import { api, forget } from "../api.js";

export function render(main, _params, query) {
  const error = errorBox();
  const button = h("button", { type: "button", class: "button danger" }, "Lock my account");
  button.addEventListener("click", async () => {
    try {
      await api.post("/api/v1/auth/lock", { token: query.get("token") || "" }, { auth: false });
      forget();
      main.replaceChildren(h("div", { class: "auth" }, h("h1", {}, "Account locked"), h("p", { role: "status" }, "Every session has ended. We e-mailed you a link to set a new password.")));
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(h("div", { class: "auth" }, h("h1", {}, "Wasn't you?"), h("p", {}, "Locking ends every session and API key until you set a new password."), error, button));
}
