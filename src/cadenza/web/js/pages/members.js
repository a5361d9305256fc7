import { h, clear, when, field, fields, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { store, loadMe } from "../store.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";

export async function render(main) {
  if (signedInOnly(main)) return;
  const error = errorBox();
  const body = h("div");
  main.append(h("h1", {}, "Duo and Family"), accountNav(), error, body);
  const act = (fn, { redraw = true } = {}) => async (event) => {
    event?.preventDefault?.();
    showError(error, null);
    try {
      await fn(event);
      if (redraw) await draw();
    } catch (e) {
      showError(error, e);
    }
  };
  const draw = async () => {
    let group;
    try {
      group = await api.get("/api/v1/me/plan/members");
    } catch (e) {
      clear(body, panel("Share Premium", h("p", {}, "Premium Duo shares a plan with one more person, Premium Family with up to five. "), h("a", { class: "button", href: "/account/plan", "data-link": true }, "See plans")));
      return;
    }
    const me = group.members.find((m) => m.id === store.me.id);
    const manager = Boolean(me?.manager);
    const rows = group.members.map((m) =>
      h(
        "tr",
        {},
        h("td", {}, m.display_name, m.manager ? " (manager)" : ""),
        h("td", {}, m.email || ""),
        h("td", {}, when(m.joined_at)),
        h("td", {}, manager && !m.manager ? h("label", { class: "check" }, h("input", { type: "checkbox", checked: m.allow_explicit, onchange: act((e) => api.put(`/api/v1/me/plan/members/${m.id}/explicit`, { allow: e.target.checked })) }), "Explicit allowed") : m.allow_explicit ? "Explicit allowed" : "Explicit filtered"),
        h("td", {}, manager && !m.manager ? h("button", { type: "button", class: "button secondary", onclick: act(() => api.del(`/api/v1/me/plan/members/${m.id}`)) }, "Remove") : null),
      ),
    );
    const invite = h("form", { class: "auth-form" }, field("Their e-mail (optional: without it you get a link to send yourself)", { name: "email", type: "email", maxlength: 254 }), h("button", { type: "submit", class: "button" }, "Invite"));
    const result = h("p", { role: "status" });
    invite.addEventListener("submit", act(async () => {
      const email = fields(invite).email || null;
      const answer = await api.post("/api/v1/me/plan/invites", { email });
      result.replaceChildren(`Invitation ready (valid ${answer.expires_in_days} days): `, h("code", {}, answer.link));
    }, { redraw: false }));
    const home = h("form", { class: "auth-form", id: "family-home", "aria-label": "Family home" }, field("Home address", { name: "address", required: true, maxlength: 300 }), h("button", { type: "submit", class: "button secondary" }, "Save address"));
    home.addEventListener("submit", act(() => api.put("/api/v1/me/plan/home", fields(home))));
    clear(
      body,
      panel(`Members (${group.members.length} of ${group.room_for})`, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "E-mail"), h("th", {}, "Joined"), h("th", {}, "Content"), h("th", {}, ""))), h("tbody", {}, rows))),
      manager && group.members.length < group.room_for ? panel("Invite someone", invite, result) : null,
      manager && group.plan === "premium_family" ? panel("Family home", home) : null,
      !manager ? panel("Leave", h("button", { type: "button", class: "button secondary", onclick: act(async () => { await api.post("/api/v1/me/plan/leave"); await loadMe(); }) }, "Leave this plan (back to Free)")) : null,
    );
  };
  await draw();
}
