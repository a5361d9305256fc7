// Plan refusals in the listener's words, with what to do about them.
import { h } from "./dom.js";

function localTime(message) {
  const found = message.match(/\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?/);
  return found ? new Date(found[0]).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) : null;
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
      return [notice.message];
  }
}
