// Coming back from an OpenID provider: signed in already (the server left the refresh cookie),
// or asked to confirm linking the provider to the existing account with this address.
import { h, errorBox, showError } from "../dom.js";
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
  const confirm = async () => {
    showError(error, null);
    try {
      adoptSession(await api.post("/api/v1/auth/oidc/link", { ticket: query.get("ticket") }, { auth: false }));
      await loadMe();
      navigate("/", { replace: true });
    } catch (e) {
      showError(error, e);
    }
  };
  main.append(
    h("div", { class: "auth" },
      h("h1", {}, `Link ${provider} to your account?`),
      h("p", {}, `You already have a Cadenza account with ${query.get("email")}. ${provider} says this address is yours. Link them, and sign in with ${provider} from now on?`),
      error,
      h("p", {}, h("button", { type: "button", class: "button", onclick: confirm }, "Link and sign in"), " ", h("a", { class: "button secondary", href: "/login", "data-link": true }, "Cancel"))),
  );
}
