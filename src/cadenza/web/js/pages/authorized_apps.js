// Apps with access to this account (each with what it may do and since when; remove access
// ends its tokens at once), and the other services this account signs in with.
import { h, clear, when, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";

export async function render(main, _params, query) {
  if (signedInOnly(main)) return;
  const error = errorBox();
  const body = h("div");
  const linked = query.get("linked");
  main.append(h("h1", {}, "Apps"), accountNav(), linked ? h("p", { role: "status", class: "notice" }, `${linked} is linked: you can sign in with it now.`) : null, error, body);
  const act = (fn) => async () => {
    showError(error, null);
    try {
      await fn();
      await draw();
    } catch (e) {
      showError(error, e);
    }
  };
  const draw = async () => {
    const [apps, methods, providers] = await Promise.all([api.get("/api/v1/me/authorized-apps"), api.get("/api/v1/me/sign-in-methods"), api.get("/api/v1/auth/providers", { auth: false })]);
    const unlinked = providers.filter((p) => !methods.some((m) => m.provider === p.name));
    clear(
      body,
      panel(
        "Apps with access",
        apps.length ? null : h("p", { class: "hint" }, "No app has access to your account."),
        h("ul", { class: "authorized-apps" }, apps.map((app) =>
          h("li", { "aria-label": app.name },
            h("h3", {}, app.name),
            h("p", { class: "hint" }, `Allowed ${when(app.granted_at)}${app.last_used ? ` · last used ${when(app.last_used)}` : ""}`),
            h("ul", {}, app.scopes.map((s) => h("li", { dataset: { scope: s.name } }, s.description))),
            h("button", { type: "button", class: "button secondary", onclick: act(() => api.del(`/api/v1/me/authorized-apps/${app.client_id}`)) }, `Remove access for ${app.name}`),
          ))),
        h("p", {}, h("a", { href: "/link", "data-link": true }, "Link a TV, console or speaker"), " · ", h("a", { href: "/developer", "data-link": true }, "Your own apps (developers)")),
      ),
      panel(
        "Sign in with other services",
        methods.length ? null : h("p", { class: "hint" }, "Only your e-mail address and password."),
        h("ul", {}, methods.map((m) => h("li", {}, `${m.display_name}${m.email ? ` (${m.email})` : ""}, since ${when(m.linked_at)} `, h("button", { type: "button", class: "button secondary", onclick: act(() => api.del(`/api/v1/me/sign-in-methods/${m.provider}`)) }, "Unlink")))),
        unlinked.map((p) => h("button", { type: "button", class: "button secondary", onclick: act(async () => location.assign((await api.post(`/api/v1/me/sign-in-methods/${p.name}`)).url)) }, `Link ${p.display_name}`)),
      ),
    );
  };
  await draw();
}
