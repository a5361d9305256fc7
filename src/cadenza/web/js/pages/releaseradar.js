import { h, cover } from "../dom.js";
import { api } from "../api.js";
import { player } from "../player.js";
import { trackList, bigPlayButton, inPlaceNotice, requireSignIn } from "./common.js";

// Release Radar (/release-radar): new songs of the artists the listener follows or plays, made
// every Friday and played in its own order on every plan.
export async function render(main) {
  if (requireSignIn(main)) return;
  const radar = await api.get("/api/v1/me/release-radar");
  const context = { kind: "release_radar" };
  const notice = inPlaceNotice();
  const friday = new Date(radar.week_of).toLocaleDateString(undefined, { day: "numeric", month: "long" });
  main.append(
    h("header", { class: "hero" }, cover(radar.tracks[0]?.release, 300), h("div", { class: "hero-text" }, h("span", { class: "pill" }, "Made for you"), h("h1", {}, radar.name), h("p", { class: "hero-meta" }, `New music from the artists you follow and play · since Friday ${friday}`))),
  );
  if (!radar.tracks.length) {
    main.append(h("p", { class: "lead", role: "status" }, "No new releases from your artists yet. Follow artists, or play some music: the next radar comes on Friday."));
    return;
  }
  main.append(
    h("div", { class: "actions" }, bigPlayButton(`Play ${radar.name}`, async () => {
      notice.show(null);
      try {
        await player.play({ context });
      } catch (error) {
        notice.show(error);
      }
    })),
    notice,
    trackList(radar.tracks, (i) => player.play({ context, offset: i }), { showRelease: true, notice }),
  );
}
