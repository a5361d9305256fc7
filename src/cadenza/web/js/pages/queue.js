import { h, cover } from "../dom.js";
import { cached } from "../api.js";
import { player } from "../player.js";
import { trackList, requireSignIn } from "./common.js";

export async function render(main) {
  if (requireSignIn(main)) return;
  const draw = async () => {
    const state = player.state;
    const ids = state?.up_next || [];
    const [current, ...next] = await Promise.all([state?.track_id ? cached(`/api/v1/tracks/${state.track_id}`) : null, ...ids.map((i) => cached(`/api/v1/tracks/${i}`))]);
    main.replaceChildren(
      h("h1", {}, "Queue"),
      h("h2", {}, "Now playing"),
      current ? h("div", { class: "now-card" }, cover(current.release, 64), h("span", {}, `${current.title} · ${current.artists.map((a) => a.name).join(", ")}`)) : h("p", { class: "hint" }, "Nothing is playing."),
      h("h2", {}, "Next up"),
      next.length ? trackList(next, (i) => player.play({ track_ids: ids.slice(i) })) : h("p", { class: "hint" }, "Nothing queued."),
    );
  };
  await draw();
  const onChange = () => draw();
  player.addEventListener("change", onChange);
  return () => player.removeEventListener("change", onChange);
}
