import { h, clear, field, fields, errorBox, showError, toast } from "../dom.js";
import { api } from "../api.js";
import { store, loadMe } from "../store.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";

export function render(main) {
  if (signedInOnly(main)) return;
  const body = h("div");
  main.append(h("h1", {}, "Password and two-factor"), accountNav(), body);
  const draw = () => {
    const pwError = errorBox();
    const password = h("form", { class: "auth-form" }, field("Current password", { name: "current_password", type: "password", autocomplete: "current-password", required: true }), field("New password", { name: "new_password", type: "password", autocomplete: "new-password", required: true, minlength: 8, maxlength: 128 }), pwError, h("button", { type: "submit", class: "button" }, "Change password"));
    password.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(pwError, null);
      try {
        await api.put("/api/v1/me/password", fields(password));
        password.reset();
        toast("Password changed; your other devices were signed out.");
      } catch (e) {
        showError(pwError, e);
      }
    });
    clear(body, panel("Password", password), panel("Two-factor authentication", store.me.two_factor ? disableForm(draw) : enableForm(draw)));
  };
  draw();
}

function enableForm(redraw) {
  const error = errorBox();
  const box = h("div");
  const start = h("form", { class: "auth-form" }, h("p", {}, "Protect your account with an authenticator app: each login then asks for its code."), field("Your password", { name: "password", type: "password", autocomplete: "current-password", required: true }), error, h("button", { type: "submit", class: "button" }, "Set up"));
  start.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      const setup = await api.post("/api/v1/me/two-factor", fields(start));
      const confirmError = errorBox();
      // The QR code is the server's SVG, shown as an image (never inserted as markup).
      const qr = h("img", { class: "qr", alt: "QR code for your authenticator app", src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}` });
      const confirm = h("form", { class: "auth-form" }, field("The 6-digit code your app shows", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, maxlength: 10 }), confirmError, h("button", { type: "submit", class: "button" }, "Turn on"));
      confirm.addEventListener("submit", async (e) => {
        e.preventDefault();
        showError(confirmError, null);
        try {
          const { recovery_codes } = await api.post("/api/v1/me/two-factor/confirm", fields(confirm));
          await loadMe();
          clear(box, h("p", { role: "status", class: "ok" }, "Two-factor is on. Keep these recovery codes somewhere safe: each works once."), h("ul", { class: "codes" }, recovery_codes.map((c) => h("li", {}, c))), h("button", { type: "button", class: "button secondary", onclick: redraw }, "Done"));
        } catch (err) {
          showError(confirmError, err);
        }
      });
      clear(box, h("p", {}, "Scan this with your authenticator app, or enter the key by hand:"), qr, h("p", {}, h("code", {}, setup.secret)), confirm);
    } catch (e) {
      showError(error, e);
    }
  });
  clear(box, start);
  return box;
}

function disableForm(redraw) {
  const error = errorBox();
  const form = h("form", { class: "auth-form" }, h("p", { class: "ok" }, "Two-factor is on."), field("Your password", { name: "password", type: "password", autocomplete: "current-password", required: true }), field("A code from your app, or a recovery code", { name: "code", autocomplete: "one-time-code", required: true, maxlength: 40 }), error, h("button", { type: "submit", class: "button secondary" }, "Turn off two-factor"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      await api.post("/api/v1/me/two-factor/disable", fields(form));
      await loadMe();
      redraw();
    } catch (e) {
      showError(error, e);
    }
  });
  return form;
}
