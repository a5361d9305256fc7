// Downloads: what this device keeps for playing offline, the licence and its limits, and the
// storage settings. Works with no network (everything here is read from this browser).
import { h, clear, duration, when } from "../dom.js";
import { store } from "../store.js";
import * as db from "../offline_store.js";
import { checkIn, downloads, downloadsAllowed, drop, limits, progress } from "../offline_downloads.js";
import { licenceProblem, playDownloaded } from "../offline_player.js";
import { offlineSettings } from "../offline_ui.js";
import { NOT_OFFLINE } from "../offline.js";
import { explain } from "../notices.js";

function count(n) {
  return n.toLocaleString("en-US");
}

export async function render(main) {
  const body = h("div");
  const notice = h("div", { class: "in-place-notice", role: "status" });
  main.append(h("h1", {}, "Downloads"), notice, body);

  const play = async (trackIds, offset) => {
    clear(notice);
    try {
      await playDownloaded(trackIds, { offset });
    } catch (error) {
      clear(notice, explain(error));
    }
  };

  const draw = async () => {
    const held = await db.device();
    const known = await limits();
    const problem = held ? await licenceProblem() : null;
    const kept = (await db.all("collections")).sort((a, b) => a.added_at.localeCompare(b.added_at));
    const rows = [];
    for (const c of kept) {
      const p = await progress(c);
      const tracks = [];
      for (const id of c.track_ids) tracks.push(await db.get("tracks", id));
      rows.push(
        h(
          "section",
          { class: "downloaded", "aria-label": c.title },
          h(
            "div",
            { class: "downloaded-head" },
            h("button", { type: "button", class: "button", "aria-label": `Play ${c.title}`, onclick: () => play(c.track_ids, 0) }, "Play"),
            h("div", {}, h("h2", {}, h("a", { href: `/${c.kind}/${c.id}`, "data-link": true }, c.title)), h("p", { class: "hint" }, `${c.kind === "release" ? "Release" : "Playlist"} · ${p.complete} of ${p.tracks} songs downloaded`)),
            navigator.onLine ? h("button", { type: "button", class: "button secondary", onclick: async () => { await drop(c.kind, c.id); draw(); } }, "Remove") : null,
          ),
          h(
            "ol",
            { class: "track-list" },
            tracks.map((t, i) =>
              t ? h("li", { class: "track-row downloaded-track" }, h("span", { class: "track-number" }, String(i + 1)), h("span", {}),
                h("button", { type: "button", class: "link-button track-title", disabled: !t.complete, onclick: () => play(c.track_ids, i) }, t.meta?.title || `Track ${t.track_id}`),
                h("span", { class: "track-duration" }, t.complete ? duration(t.meta?.duration_ms || 0) : "…"), h("span", {})) : null,
            ),
          ),
        ),
      );
    }
    clear(
      body,
      !navigator.onLine ? h("p", { class: "hint offline-missing" }, `Offline: ${NOT_OFFLINE}`) : null,
      problem ? h("p", { class: "licence-problem", role: "alert" }, problem.message) : null,
      h(
        "section",
        { class: "offline-limits", "aria-label": "Limits" },
        h("p", {}, `This device keeps ${count(known.tracksHere)} of ${count(known.tracksPerDevice)} songs.`),
        h("p", {}, known.devices === null ? `Up to ${known.devicesAllowed} devices keep downloads.` : `${known.devices} of ${known.devicesAllowed} devices keep downloads.`),
        held?.checked_in_at ? h("p", { class: "hint" }, `Checked in ${when(held.checked_in_at)}; downloads play offline until ${when(held.licence_expires_at)}, and again after the next check-in.`) : null,
        navigator.onLine && held ? h("button", { type: "button", class: "button secondary", onclick: async () => { try { await checkIn(); } catch (e) { clear(notice, explain(e)); } draw(); } }, "Check in now") : null,
      ),
      rows.length ? rows : h("p", { class: "hint" }, downloadsAllowed() || !store.plan ? "Nothing downloaded yet: switch on \"Download\" on a release or playlist." : "Downloads come with Premium."),
      await offlineSettings(),
    );
  };
  await draw();
  let pending = false;
  const redraw = () => {
    if (pending || !main.isConnected) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      if (main.isConnected && !document.activeElement?.closest?.(".offline-settings")) draw();
    }, 300);
  };
  downloads.addEventListener("change", redraw);
  const online = () => draw();
  window.addEventListener("online", online);
  window.addEventListener("offline", online);
  return () => {
    downloads.removeEventListener("change", redraw);
    window.removeEventListener("online", online);
    window.removeEventListener("offline", online);
  };
}
