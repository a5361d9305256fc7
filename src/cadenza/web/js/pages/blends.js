import { h, toast } from "../dom.js";
import { api } from "../api.js";
import { requireSignIn } from "./common.js";

// Your Blends, and an invite link to make a new one with a friend.
export async function render(main) {
  if (requireSignIn(main)) return;
  const blends = await api.get("/api/v1/blends");
  const linkBox = h("div", { class: "invite-link", role: "status" });
  const make = h("button", { type: "button", class: "button" }, "Invite a friend to a Blend");
  make.addEventListener("click", async () => {
    const invite = await api.post("/api/v1/blends");
    const url = new URL(invite.url, location.origin).href;
    const field = h("input", { type: "text", readonly: true, value: url, "aria-label": "Invite link", class: "invite-url" });
    const copy = h("button", { type: "button", class: "button secondary" }, "Copy link");
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(url);
        toast("Link copied: send it to one friend. It works once, for 7 days.");
      } catch {
        field.select();
      }
    });
    linkBox.replaceChildren(h("p", {}, "Send this link to one friend. When they open it signed in and accept, your Blend is made."), field, copy);
  });
  main.append(
    h("h1", {}, "Blend"),
    h("p", { class: "lead" }, "One playlist of two tastes: yours and a friend's, with a match score, made again every day."),
    h("div", { class: "actions" }, make),
    linkBox,
  );
  if (!blends.length) {
    main.append(h("p", { class: "hint" }, "No Blends yet."));
    return;
  }
  main.append(
    h(
      "ul",
      { class: "blend-list" },
      blends.map((b) => h("li", {}, h("a", { href: `/blend/${b.id}`, "data-link": true }, b.name), h("span", { class: "pill" }, `${b.match_score}% match`))),
    ),
  );
}
