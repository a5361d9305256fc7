import { h, cover } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn } from "./common.js";

// A Daily Mix (/mix/daily/N), Discover Weekly (/mix/weekly) or the Duo / Family Mix
// (/mix/plan), played in its own context.
const SOURCES = {
  daily: (number) => [`/api/v1/me/daily-mixes/${encodeURIComponent(number)}`, (mix) => ({ kind: "daily_mix", id: mix.number }), (mix) => `${mix.genre} · ${mix.artists.slice(0, 4).join(", ")}`],
  weekly: () => ["/api/v1/me/discover-weekly", () => ({ kind: "discover_weekly" }), (mix) => `${mix.tracks.length} songs new to you, made every Monday · ${mix.tracks[0]?.reason || ""}`],
  plan: () => ["/api/v1/me/plan-mix", () => ({ kind: "plan_mix" }), (mix) => `For ${mix.members.join(", ")}`],
};

export async function render(main, { kind, number }) {
  if (requireSignIn(main)) return;
  const [url, contextOf, aboutOf] = (SOURCES[kind] || SOURCES.plan)(number);
  const mix = await api.get(url);
  const context = contextOf(mix);
  const notice = inPlaceNotice();
  const about = aboutOf(mix);
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
  );
  const list = trackList(mix.tracks, (i) => player.play({ context, offset: i }), { showRelease: true, notice });
  // The Duo / Family Mix says whose taste each song comes from, as a Blend does.
  list.querySelectorAll(".track-row").forEach((row, i) => {
    const from = mix.tracks[i]?.from_member?.display_name;
    if (from) row.querySelector(".track-main")?.append(h("span", { class: "blend-from" }, `from ${from}`));
  });
  main.append(list);
}
