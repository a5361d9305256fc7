import { h, field, fields, errorBox, showError } from "../dom.js";
import { api, logIn } from "../api.js";
import { loadMe } from "../store.js";
import { navigate } from "../router.js";
import { player } from "../player.js";

const EXTERNAL_ERRORS = {
  external_email_unverified: "That service has not verified your e-mail address, which has an account here. Log in with your password, then link the service from Account, Apps.",
  external_email_missing: "That service did not share your e-mail address. Allow it, and try again.",
  external_state_mismatch: "That sign-in expired or was started in another browser. Try again.",
  external_sign_in_cancelled: "The sign-in was cancelled.",
  external_identity_taken: "That account at the service already signs in to another Cadenza account.",
  account_unavailable: "This account cannot sign in; see the e-mail we sent you.",
};

// Log in: password, then the e-mailed code on a new device or the authenticator's code.
export function render(main, _params, query) {
  const error = errorBox();
  const step = h("p", { class: "hint", role: "status" });
  const code = h("div", { class: "extra-step" });
  const submit = h("button", { type: "submit", class: "button wide" }, "Log in");
  const form = h(
    "form",
    { class: "auth-form", novalidate: true },
    field("E-mail address", { name: "email", type: "email", autocomplete: "username", required: true, maxlength: 254 }),
    field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 1024 }),
    code,
    step,
    error,
    submit,
  );
  let needs = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    submit.disabled = true;
    try {
      await logIn(fields(form));
      await loadMe();
      player.restore();
      const next = query.get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
    } catch (e) {
      if (e.code === "email_code_required" || e.code === "totp_required") {
        if (needs !== e.code) {
          needs = e.code;
          const label = e.code === "totp_required" ? "Code from your authenticator app (or a recovery code)" : "The 6-digit code we e-mailed you";
          code.replaceChildren(field(label, { name: e.code === "totp_required" ? "totp" : "email_code", inputmode: "numeric", autocomplete: "one-time-code", required: true, maxlength: 40 }));
          step.textContent = e.code === "totp_required" ? "Two-factor authentication is on for this account." : "This is a new device: we e-mailed you a sign-in code.";
          code.querySelector("input").focus();
        } else {
          showError(error, e);
        }
      } else if (e.code === "challenge_required" || e.status === 429) {
        showError(error, { message: "Too many attempts from here. Wait a few minutes and try again." });
      } else {
        showError(error, e);
      }
    } finally {
      submit.disabled = false;
    }
  });
  const others = h("div", { class: "external-sign-in" });
  const external = query.get("external_error");
  if (external) showError(error, { message: EXTERNAL_ERRORS[external] || "Signing in with that service did not work. Try again, or use your e-mail address." });
  api.get("/api/v1/auth/providers", { auth: false }).then((providers) => {
    const next = query.get("next") || "/";
    others.replaceChildren(...providers.map((p) => h("a", { class: "button secondary wide", href: `${p.start}?next=${encodeURIComponent(next)}` }, `Continue with ${p.display_name}`)));
  }).catch(() => null);
  main.append(
    h("div", { class: "auth" }, h("h1", {}, "Log in to Cadenza"), others, form,
      h("p", {}, h("a", { href: "/forgot-password", "data-link": true }, "Forgot your password?")),
      h("p", {}, "No account? ", h("a", { href: "/signup", "data-link": true }, "Sign up free"))),
  );
  form.querySelector("input").focus();
}
