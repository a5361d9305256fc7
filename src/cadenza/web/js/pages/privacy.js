import { h, field, fields, errorBox, showError } from "../dom.js";
import { api, forget } from "../api.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";
import { navigate } from "../router.js";
import { player } from "../player.js";
import { forgetAccount } from "../offline.js";

export function render(main) {
  if (signedInOnly(main)) return;
  const error = errorBox();
  const download = h("button", { type: "button", class: "button" }, "Download my data");
  download.addEventListener("click", async () => {
    const data = await api.get("/api/v1/me/export");
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    const link = h("a", { href: url, download: "cadenza-my-data.json" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  const remove = h("form", { class: "auth-form" }, field("Your password, to confirm", { name: "password", type: "password", autocomplete: "current-password", required: true }), error, h("button", { type: "submit", class: "button danger" }, "Delete my account"));
  remove.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    if (!confirm("Delete your account and everything in it? There is no undo.")) return;
    try {
      await player.stop();
      await api.post("/api/v1/me/delete", fields(remove));
      await forgetAccount(); // its downloads go with it
      forget();
      navigate("/");
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(
    h("h1", {}, "Privacy"),
    accountNav(),
    panel("Your data", h("p", {}, "Everything Cadenza holds about you, as a JSON file."), download),
    panel("Delete your account", h("p", {}, "Your account, library and listening history go for good. A paid plan stops at once."), remove),
  );
}
