// "Subsonic apps": the listener's keys and app passwords for Subsonic players (DSub, Symfonium,
// Feishin...), made here, shown once, listed by name, revoked with one click.
import { h, clear, when, errorBox, showError } from "./dom.js";
import { api } from "./api.js";
import { panel } from "./pages/accountnav.js";

const KINDS = [
  { path: "app-passwords", title: "App passwords", secret: "password", what: "an app password", noun: "app password" },
  { path: "app-keys", title: "API keys", secret: "key", what: "an API key", noun: "API key" },
];

function shownOnce(kind, made) {
  const lines = [h("p", {}, `The ${kind.noun} for ${made.name}. Copy it into the app now: it is not shown again.`)];
  if (made.username) lines.push(h("p", {}, "User name: ", h("code", { class: "app-username" }, made.username)));
  lines.push(h("p", {}, kind.secret === "key" ? "API key: " : "Password: ", h("code", { class: "app-secret" }, made[kind.secret])));
  return h("div", { class: "notice app-new", role: "status" }, lines);
}

function section(kind) {
  const error = errorBox();
  const list = h("ul", { class: "app-list" });
  const fresh = h("div");
  const draw = async () => {
    const items = await api.get(`/api/v1/me/${kind.path}`);
    clear(
      list,
      items.length ? items.map((item) => {
        const revoke = async () => {
          showError(error, null);
          try {
            await api.del(`/api/v1/me/${kind.path}/${item.id}`);
            await draw();
          } catch (e) {
            showError(error, e);
          }
        };
        const used = item.last_used ? `last used ${when(item.last_used)}` : "never used";
        return h("li", {}, h("strong", {}, item.name), ` (${item.prefix}…, made ${when(item.created_at)}, ${used}) `,
          h("button", { type: "button", class: "button secondary", onclick: revoke, "aria-label": `Revoke ${item.name}` }, "Revoke"));
      }) : h("li", { class: "hint" }, "None yet."),
    );
  };
  const name = h("input", { name: "name", maxlength: 100, required: true, placeholder: "Which app, e.g. Symfonium", "aria-label": `App name for ${kind.what}` });
  const form = h("form", { class: "app-form" }, name, h("button", { type: "submit", class: "button" }, `Make ${kind.what}`));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      const made = await api.post(`/api/v1/me/${kind.path}`, { name: name.value.trim() });
      clear(fresh, shownOnce(kind, made));
      name.value = "";
      await draw();
    } catch (e) {
      showError(error, e);
    }
  });
  draw().catch((e) => showError(error, e));
  return h("div", { class: `app-kind ${kind.path}` }, h("h3", {}, kind.title), form, error, fresh, list);
}

export function appAccessPanel() {
  const server = `${location.origin}`;
  return panel(
    "Subsonic apps",
    h("p", {}, "Play Cadenza in Subsonic apps (DSub, Symfonium, Feishin, Substreamer, Amperfy...). In the app, the server is ",
      h("code", {}, server), ", the user your e-mail, and the password an app password made here (never your own password). Apps that support API keys take a key instead."),
    KINDS.map(section),
  );
}
