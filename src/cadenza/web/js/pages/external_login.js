// Coming back from an OpenID provider: signed in already (the server left the refresh cookie),
// or asked to confirm linking the provider to the existing account with this address.
import { h, field, errorBox, showError } from "../dom.js";
import { api, adoptCookieSession, adoptSession } from "../api.js";
import { loadMe } from "../store.js";
import { navigate } from "../router.js";

const local = (path) => (path && path.startsWith("/") && !path.startsWith("//") ? path : "/");

export async function render(main, _params, query) {
  if (location.pathname === "/login/external") {
    await adoptCookieSession();
    await loadMe();
    navigate(local(query.get("next")), { replace: true });
    return;
  }
  const error = errorBox();
  const provider = query.get("provider") || "this service";
  const linking = query.get("mode") !== "two-factor";
  const code = h("div");
  const askCode = () => {
    if (code.querySelector("input")) return;
    code.append(field("Code from your authenticator app (or a recovery code)", { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 40 }));
    code.querySelector("input").focus();
  };
  if (!linking) askCode();
  const confirm = async () => {
    showError(error, null);
    const totp = code.querySelector("input")?.value || null;
    try {
      adoptSession(await api.post("/api/v1/auth/oidc/link", { ticket: query.get("ticket"), totp }, { auth: false }));
      await loadMe();
      navigate(local(query.get("next")), { replace: true });
    } catch (e) {
      if (e.code === "totp_required") askCode();
      else showError(error, e);
    }
  };
  main.append(
    h("div", { class: "auth" },
      h("h1", {}, linking ? `Link ${provider} to your account?` : "Two-factor authentication"),
      h("p", {}, linking
        ? `You already have a Cadenza account with ${query.get("email")}. ${provider} says this address is yours. Link them, and sign in with ${provider} from now on?`
        : `Your account has two-factor authentication on: enter its code to finish signing in with ${provider}.`),
      code,
      error,
      h("p", {}, h("button", { type: "button", class: "button", onclick: confirm }, linking ? "Link and sign in" : "Sign in"), " ", h("a", { class: "button secondary", href: "/login", "data-link": true }, "Cancel"))),
  );
}
