import { h, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { store } from "../store.js";
import { panel } from "./accountnav.js";

const GENDERS = [
  ["", "Not given"],
  ["female", "Female"],
  ["male", "Male"],
  ["non_binary", "Non-binary"],
  ["other", "Other"],
];

// The listener's optional city and gender: artists see them only counted together, in groups
// of several listeners (their statistics).
export function audiencePanel(me) {
  const error = errorBox();
  const status = h("p", { class: "hint", role: "status" }, "Optional. Artists see these only counted together with other listeners'.");
  const city = h("input", { id: "city-input", name: "city", value: me.city || "", maxlength: 100, autocomplete: "address-level2" });
  const gender = h("select", { id: "gender-input", name: "gender" }, GENDERS.map(([value, label]) => h("option", { value, selected: (me.gender || "") === value }, label)));
  const form = h(
    "form",
    { class: "zone-form" },
    h("label", { for: "city-input" }, "City"),
    city,
    h("label", { for: "gender-input" }, "Gender"),
    gender,
    h("button", { type: "submit", class: "button" }, "Save profile"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      store.me = await api.patch("/api/v1/me", { city: city.value.trim() || null, gender: gender.value || null });
      status.textContent = "Saved.";
    } catch (e) {
      showError(error, e);
    }
  });
  return panel("City and gender", form, error, status);
}
