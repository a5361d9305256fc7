import { h, cover } from "../dom.js";
import { cached } from "../api.js";
import { player } from "../player.js";
import { requireSignIn } from "./common.js";
import { queuePanel } from "../queue.js";

export async function render(main) {
  if (requireSignIn(main)) return;
  const now = h("div", {});
  const drawNow = async () => {
    const state = player.state;
    const current = state?.track_id ? await cached(`/api/v1/tracks/${state.track_id}`) : null;
    now.replaceChildren(
      current ? h("div", { class: "now-card" }, cover(current.release, 64), h("span", {}, `${current.title} · ${current.artists.map((a) => a.name).join(", ")}`)) : h("p", { class: "hint" }, "Nothing is playing."),
    );
  };
  const queue = h("div", { class: "queue-page" });
  main.append(h("h1", {}, "Queue"), h("h2", {}, "Now playing"), now, queue);
  await drawNow();
  const stop = queuePanel(queue);
  player.addEventListener("change", drawNow);
  return () => {
    stop();
    player.removeEventListener("change", drawNow);
  };
}
