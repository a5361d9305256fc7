import { h, cover } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn } from "./common.js";

// A Daily Mix (/mix/daily/N) or the Duo / Family Mix (/mix/plan), played in its own context.
export async function render(main, { kind, number }) {
  if (requireSignIn(main)) return;
  const daily = kind === "daily";
  const mix = await api.get(daily ? `/api/v1/me/daily-mixes/${encodeURIComponent(number)}` : "/api/v1/me/plan-mix");
  const context = daily ? { kind: "daily_mix", id: mix.number } : { kind: "plan_mix" };
  const notice = inPlaceNotice();
  const about = daily ? `${mix.genre} · ${mix.artists.slice(0, 4).join(", ")}` : `For ${mix.members.join(", ")}`;
  main.append(
    h("header", { class: "hero" }, cover(mix.tracks[0]?.release, 300), h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Made for you"), h("h1", {}, mix.name), h("p", { class: "hero-meta" }, about))),
    h("div", { class: "actions" }, bigPlayButton(`Play ${mix.name}`, async () => {
      notice.show(null);
      try {
        await player.play({ context });
      } catch (error) {
        notice.show(error);
      }
    })),
    notice,
    trackList(mix.tracks, (i) => player.play({ context, offset: i }), { showRelease: true, notice }),
  );
}
