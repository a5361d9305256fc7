// While `cadenza serve --demo` is still composing the demo catalog: how far it is, above every
// page, until the last release plays; the page being shown is drawn again as releases arrive.
import { h } from "./dom.js";
import { render } from "./router.js";

const EVERY_MS = 4000;

async function progress() {
  const answer = await fetch("/api/v1/demo/progress", { headers: { Accept: "application/json" } });
  return answer.ok ? answer.json() : { preparing: false };
}

export async function watchDemoProgress() {
  let banner = null;
  let shown = -1;
  for (;;) {
    const now = await progress().catch(() => ({ preparing: banner !== null, done: shown }));
    if (!now.preparing) {
      if (banner) {
        banner.remove();
        if (shown >= 0) render();
      }
      return;
    }
    if (!banner) {
      banner = h("div", { class: "demo-progress", role: "status" });
      document.querySelector(".content").prepend(banner);
    }
    if (now.done !== shown) {
      banner.textContent = `The demo catalog is being prepared: ${now.done} of ${now.total} releases. New music appears as each is ready.`;
      if (shown >= 0 && location.pathname === "/") render();
      shown = now.done;
    }
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
  }
}
