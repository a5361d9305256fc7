// Developers: register apps for the Spotify-shaped API (/v1), see their client ids, rotate a
// secret (shown once), change redirect URIs, delete an app.
import { h, clear, when, field, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { signedInOnly } from "./accountnav.js";

const lines = (text) => text.split(/\s+/).map((s) => s.trim()).filter(Boolean);

function secretBox(made) {
  return h(
    "div",
    { class: "panel secret-box", role: "status", "data-testid": "new-secret" },
    h("h2", {}, `Keep this secret for ${made.name}`),
    h("p", {}, "It is shown this once. If it leaks, rotate it: the old one stops working at once."),
    h("dl", {}, h("dt", {}, "Client ID"), h("dd", {}, h("code", { class: "client-id" }, made.client_id)), h("dt", {}, "Client secret"), h("dd", {}, h("code", { class: "client-secret" }, made.client_secret))),
  );
}

export async function render(main) {
  if (signedInOnly(main)) return;
  const error = errorBox();
  const fresh = h("div");
  const list = h("div", { class: "app-list" });
  const form = h(
    "form",
    { class: "auth-form", novalidate: true },
    field("App name", { name: "name", required: true, maxlength: 64 }),
    field("Description (optional)", { name: "description", maxlength: 300 }),
    h("div", { class: "field" }, h("label", { for: "redirect-uris" }, "Redirect URIs, one a line (https, http://127.0.0.1 or an app scheme)"), h("textarea", { id: "redirect-uris", name: "redirect_uris", rows: 3, maxlength: 5200 })),
    h("button", { type: "submit", class: "button" }, "Register app"),
  );
  const draw = async () => {
    const apps = await api.get("/api/v1/me/apps");
    clear(
      list,
      apps.length ? null : h("p", { class: "hint" }, "No apps yet."),
      apps.map((app) => {
        const uris = h("textarea", { rows: 3, "aria-label": `Redirect URIs of ${app.name}`, value: app.redirect_uris.join("\n") });
        const act = (fn) => async () => {
          showError(error, null);
          try {
            await fn();
          } catch (e) {
            showError(error, e);
          }
        };
        return h(
          "section",
          { class: "panel app", "aria-label": app.name },
          h("h2", {}, app.name),
          app.description ? h("p", {}, app.description) : null,
          h("p", {}, "Client ID: ", h("code", { class: "client-id" }, app.client_id)),
          h("p", { class: "hint" }, `Registered ${when(app.created_at)} · secret set ${when(app.secret_rotated_at)}`),
          h("div", { class: "field" }, uris),
          h("p", {},
            h("button", { type: "button", class: "button secondary", onclick: act(async () => { await api.patch(`/api/v1/me/apps/${app.client_id}`, { redirect_uris: lines(uris.value) }); await draw(); }) }, "Save redirect URIs"),
            " ",
            h("button", { type: "button", class: "button secondary", onclick: act(async () => { if (!confirm(`Rotate the secret of ${app.name}? The old one stops working at once.`)) return; const made = await api.post(`/api/v1/me/apps/${app.client_id}/secret`); clear(fresh, secretBox(made)); await draw(); }) }, "Rotate secret"),
            " ",
            h("button", { type: "button", class: "button secondary", onclick: act(async () => { if (!confirm(`Delete ${app.name}? Every listener's access to it ends.`)) return; await api.del(`/api/v1/me/apps/${app.client_id}`); clear(fresh); await draw(); }) }, "Delete"),
          ),
        );
      }),
    );
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const data = new FormData(form);
    try {
      const made = await api.post("/api/v1/me/apps", { name: data.get("name"), description: data.get("description") || "", redirect_uris: lines(data.get("redirect_uris") || "") });
      form.reset();
      clear(fresh, secretBox(made));
      await draw();
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(
    h("h1", {}, "Developer: your apps"),
    h("p", {}, "Apps use the Spotify-shaped API under /v1 with OAuth 2.0: authorization code with PKCE at /authorize and POST /api/token, client credentials, refresh tokens, and device codes at POST /oauth/device/code for TVs, consoles and speakers. The README lists the scopes."),
    fresh,
    h("section", { class: "panel", "aria-labelledby": "new-app" }, h("h2", { id: "new-app" }, "Register an app"), form, error),
    list,
  );
  await draw();
}
