// Share: copy the address of a track, release, artist or playlist. Opened, the address shows
// that page; its HTML carries a preview (title, cover) for chat apps, made by the server.
import { h, icon, toast } from "./dom.js";

export function shareUrl(kind, id) {
  return `${location.origin}/${kind}/${id}`;
}

export async function copyLink(kind, id) {
  const url = shareUrl(kind, id);
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    // No clipboard permission (an older browser, a page not in focus): the classic way.
    const box = h("textarea", { class: "visually-hidden", readonly: true }, url);
    document.body.append(box);
    box.select();
    const done = document.execCommand("copy");
    box.remove();
    if (!done) {
      toast(`Copy this link: ${url}`);
      return url;
    }
  }
  toast("Link copied");
  return url;
}

// A "Copy link" button for a page's actions.
export function shareButton(kind, id, label = "Copy link") {
  return h("button", { type: "button", class: "button secondary share", onclick: () => copyLink(kind, id) }, icon("share"), h("span", {}, label));
}
