import { h, showError, errorBox } from "../dom.js";
import { api } from "../api.js";
import { navigate } from "../router.js";
import { requireSignIn } from "./common.js";

// An invite link to a Blend: who invites, and a button to accept (the link works once).
export async function render(main, { token }) {
  if (requireSignIn(main)) return;
  const path = `/api/v1/blend-invites/${encodeURIComponent(token)}`;
  main.append(h("h1", {}, "Blend"));
  let invitation;
  try {
    invitation = await api.get(path);
  } catch (error) {
    const words = error.code === "own_blend_invite" ? "This is your own invite: send the link to a friend." : "This invite link was used already, has expired, or is not valid. Ask your friend for a new one.";
    main.append(h("p", { class: "lead", role: "status" }, words));
    return;
  }
  const error = errorBox();
  const accept = h("button", { type: "button", class: "button" }, "Make our Blend");
  accept.addEventListener("click", async () => {
    showError(error, null);
    try {
      const blend = await api.post(path);
      navigate(`/blend/${blend.id}`, { replace: true });
    } catch (e) {
      showError(error, e);
    }
  });
  main.append(h("p", { class: "lead" }, `${invitation.invited_by} invites you to a Blend: one playlist of both your tastes, made again every day.`), error, h("div", { class: "actions" }, accept));
}
