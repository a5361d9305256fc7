import { h, clear, when, errorBox, showError } from "../dom.js";
import { api, forget } from "../api.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";
import { navigate } from "../router.js";
import { forgetAccount } from "../offline.js";

export async function render(main) {
  if (signedInOnly(main)) return;
  const error = errorBox();
  const body = h("div");
  main.append(h("h1", {}, "Sessions"), accountNav(), error, body);
  const draw = async () => {
    const [sessions, events] = await Promise.all([api.get("/api/v1/me/sessions"), api.get("/api/v1/me/security-events")]);
    const end = (s) => async () => {
      showError(error, null);
      try {
        await api.del(`/api/v1/me/sessions/${s.id}`);
        if (s.current) {
          forget();
          return navigate("/login");
        }
        await draw();
      } catch (e) {
        showError(error, e);
      }
    };
    clear(
      body,
      panel(
        "Signed-in devices",
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Device"), h("th", {}, "Country"), h("th", {}, "Signed in"), h("th", {}, "Last used"), h("th", {}, ""))),
          h("tbody", {}, sessions.map((s) => h("tr", {}, h("td", {}, s.device_name, s.current ? " (this one)" : ""), h("td", {}, s.device_country || ""), h("td", {}, when(s.created_at)), h("td", {}, when(s.last_used)), h("td", {}, h("button", { type: "button", class: "button secondary", onclick: end(s) }, "Log out")))))),
        h("p", {}, h("button", { type: "button", class: "button secondary", onclick: async () => { await forgetAccount(); await api.del("/api/v1/me/sessions"); forget(); navigate("/login"); } }, "Log out everywhere")),
      ),
      panel("Recent security events", h("table", {}, h("tbody", {}, events.slice(0, 30).map((e) => h("tr", {}, h("td", {}, e.kind.replaceAll("_", " ")), h("td", {}, when(e.at)), h("td", {}, e.device || ""), h("td", {}, e.ip || "")))))),
    );
  };
  await draw();
}
