// Plan refusals in the listener's words, with what to do about them.
import { h } from "./dom.js";

function localTime(message) {
  const found = message.match(/\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?/);
  return found ? new Date(found[0]).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) : null;
}

// The way forward named by a refusal: the form that resolves it, focused when it is on this
// page, else its page opened.
function formLink(label, page, formId) {
  const go = (event) => {
    const form = document.getElementById(formId);
    if (!form) return; // the router opens the page
    event.preventDefault();
    event.stopPropagation(); // not the router's: this page stays, its form is filled in
    form.scrollIntoView({ block: "center" });
    form.querySelector("input, select, textarea, button")?.focus();
  };
  return h("a", { class: "notice-action", href: `${page}#${formId}`, "data-link": true, onclick: go }, label);
}

// Refusals in a listener's words, by the API's stable codes; any other keeps its message.
const WORDS = {
  payment_method_required: () => ["Add a payment card first, then choose the plan again. ", formLink("Add a card", "/account/plan", "payment-method")],
  home_address_required: () => ["A Family plan is for one home: save the family's home address first, then invite. ", formLink("Set the home address", "/account/members", "family-home")],
};

export function describe(error) {
  const words = WORDS[error?.code];
  return words ? words(error) : [error?.message ?? "Something went wrong."];
}

const upgrade = () => h("a", { class: "notice-action", href: "/account/plan", "data-link": true }, "Upgrade to Premium");

export function explain(notice) {
  if (!notice) return null;
  switch (notice.code) {
    case "skip_limit_reached": {
      const at = localTime(notice.message);
      return [
        `You've used this hour's skips on your plan.${at ? ` Your next skip frees up at ${at}.` : ""} `,
        upgrade(),
        " for unlimited skips.",
      ];
    }
    case "shuffle_only":
      return ["On Free, albums, artists and playlists play shuffled. ", upgrade(), " to pick any song."];
    case "quality_not_in_plan":
      return ["That quality is not in your plan. ", upgrade(), " for very high and lossless."];
    case "premium_required":
      return ["That needs Premium. ", upgrade(), "."];
    default:
      return describe(notice);
  }
}
