import { h, clear, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { signedInOnly } from "./accountnav.js";

const STATUS = { pending: "Waiting for review", approved: "Approved: the profile is yours", rejected: "Not approved" };

// Claim an artist profile: find the artist, say who you are; the artist's distributor or an
// admin decides. Any signed-in account may ask; your claims and their answers are listed.
export async function render(main) {
  if (signedInOnly(main)) return;
  main.append(h("h1", {}, "Claim your artist profile"));
  main.append(h("p", { class: "lead" }, "Find your artist. The distributor that delivers your music (or our team) checks the claim; once approved, you edit the profile and pitch new music to our editors."));
  const chosen = { id: Number(new URLSearchParams(location.search).get("artist")) || null };
  const error = errorBox();
  const status = h("p", { role: "status" });
  const query = h("input", { id: "claim-artist-search", type: "search", maxlength: "100", autocomplete: "off" });
  const results = h("ul", { class: "file-list", "aria-label": "Artists found" });
  const picked = h("p", { class: "claim-picked" }, chosen.id ? `Artist ${chosen.id}` : "No artist chosen yet.");
  const message = h("textarea", { id: "claim-message", rows: "4", maxlength: "1000" });
  const send = h("button", { type: "submit", class: "button" }, "Send claim");
  const claims = h("ul", { class: "file-list", "aria-label": "Your claims" });

  const choose = (artist) => {
    chosen.id = artist.id;
    clear(picked, "Claiming ", h("strong", {}, artist.name));
  };
  if (chosen.id) api.get(`/api/v1/artists/${chosen.id}`).then(choose).catch(() => {});
  let timer = null;
  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = query.value.trim();
      if (!q) return clear(results);
      const found = await api.get(`/api/v1/search?type=artist&limit=8&q=${encodeURIComponent(q)}`).catch(() => null);
      const items = found?.artists?.items || [];
      clear(results, items.length ? items.map((hit) => h("li", {}, h("span", {}, hit.artist.name), h("button", { type: "button", class: "button secondary small", onclick: () => choose(hit.artist) }, "This is me"))) : h("li", {}, "No artist by that name."));
    }, 200);
  });

  const draw = async () => {
    const mine = await api.get("/api/v1/me/artist-claims");
    clear(claims, mine.length ? mine.map((c) => h("li", {}, h("span", {}, c.artist_name), h("span", { class: `claim-${c.status}` }, STATUS[c.status] + (c.note ? ` (${c.note})` : "")))) : h("li", {}, "No claims yet."));
  };

  const form = h(
    "form",
    { class: "auth-form panel" },
    h("div", { class: "field" }, h("label", { for: "claim-artist-search" }, "Artist name"), query),
    results,
    picked,
    h("div", { class: "field" }, h("label", { for: "claim-message" }, "Who you are (for the reviewer)"), message),
    error,
    status,
    send,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    if (!chosen.id) return showError(error, { message: "Choose your artist first." });
    send.disabled = true;
    try {
      await api.post("/api/v1/me/artist-claims", { artist_id: chosen.id, message: message.value });
      status.textContent = "Claim sent. You will see the answer here.";
      await draw();
    } catch (e) {
      showError(error, e);
    } finally {
      send.disabled = false;
    }
  });
  main.append(form, h("section", { class: "panel" }, h("h2", {}, "Your claims"), claims));
  await draw();
}
