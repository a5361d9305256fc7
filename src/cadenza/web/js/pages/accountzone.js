import { h, errorBox, showError } from "../dom.js";
import { panel } from "./accountnav.js";
import { browserZone, knownZones, saveZone } from "../timezone.js";

// The account's time zone: Discover Weekly turns over at the listener's Monday midnight and
// Release Radar at their Friday midnight.
export function zonePanel(me) {
  const error = errorBox();
  const status = h("p", { class: "hint", role: "status" }, `Your weekly playlists change at midnight, ${me.time_zone} time.`);
  const zones = h("datalist", { id: "zone-list" }, knownZones().map((z) => h("option", { value: z })));
  const input = h("input", { id: "zone-input", name: "time_zone", value: me.time_zone, list: "zone-list", maxlength: 64, autocomplete: "off", required: true });
  const form = h(
    "form",
    { class: "zone-form" },
    h("label", { for: "zone-input" }, "Time zone"),
    input,
    zones,
    h("button", { type: "submit", class: "button" }, "Save"),
    h("button", { type: "button", class: "button secondary", onclick: () => (input.value = browserZone()) }, "Use this device's"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      await saveZone(me, input.value.trim());
      status.textContent = `Saved: your weekly playlists change at midnight, ${me.time_zone} time.`;
    } catch (e) {
      showError(error, e);
    }
  });
  return panel("Time zone", form, error, status);
}
