// The "Download" switch on release and playlist pages (with its progress), and the settings
// for what this browser keeps: the played-tracks cache's size and the download quality.
import { h, clear } from "./dom.js";
import { store } from "./store.js";
import * as db from "./offline_store.js";
import { collection, downloads, downloadsAllowed, downloadState, drop, followPlaylists, keep, progress } from "./offline_downloads.js";

export function downloadToggle(kind, id, title, tracks) {
  const button = h("button", { type: "button", class: "download-toggle", role: "switch", "aria-checked": "false" }, "Download");
  const bar = h("progress", { class: "download-progress", max: "1", value: "0", hidden: true, "aria-label": `Download progress of ${title}` });
  const status = h("span", { class: "download-status hint", role: "status" });
  const box = h("div", { class: "download-box" }, button, bar, status);
  let busy = false;
  const draw = async () => {
    const kept = await collection(kind, id);
    button.setAttribute("aria-checked", String(Boolean(kept)));
    button.classList.toggle("on", Boolean(kept));
    if (!kept) {
      bar.hidden = true;
      if (!busy) clear(status, downloadsAllowed() ? "" : "Downloads come with Premium");
      return;
    }
    const p = await progress(kept);
    bar.hidden = p.complete === p.tracks;
    bar.value = p.share;
    const percent = Math.floor(p.share * 100);
    if (p.complete === p.tracks) clear(status, `Downloaded: ${p.tracks} songs`);
    else if (downloadState.waiting) clear(status, `Downloading ${percent}% · waiting for the connection`);
    else clear(status, `Downloading ${percent}% (${p.complete} of ${p.tracks} songs)`);
  };
  button.addEventListener("click", async () => {
    if (busy) return;
    if (!downloadsAllowed()) {
      clear(status, h("a", { href: "/account/plan", "data-link": true }, "Downloads come with Premium"));
      return;
    }
    busy = true;
    button.disabled = true;
    try {
      if (await collection(kind, id)) await drop(kind, id);
      else {
        clear(status, "Starting the download…");
        const got = await tracks(); // the songs, or {tracks, snapshot} for a playlist
        await keep(kind, id, title, Array.isArray(got) ? got : got.tracks, got.snapshot ?? null);
      }
    } catch (error) {
      clear(status, error.message);
    } finally {
      busy = false;
      button.disabled = false;
      draw();
    }
  });
  let queued = false;
  const later = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      if (box.isConnected) draw();
    });
  };
  downloads.addEventListener("change", later);
  draw();
  // A downloaded playlist's page opens: songs added or removed since are followed now.
  if (kind === "playlist" && navigator.onLine) collection(kind, id).then((kept) => kept && followPlaylists(id)).catch(() => null);
  return box;
}

const SIZES = [
  [256 * 1024 ** 2, "256 MB"],
  [512 * 1024 ** 2, "512 MB"],
  [1024 ** 3, "1 GB"],
  [2 * 1024 ** 3, "2 GB"],
  [5 * 1024 ** 3, "5 GB"],
  [10 * 1024 ** 3, "10 GB"],
];
const DOWNLOAD_QUALITIES = [
  ["", "Best my plan allows"],
  ["lossless", "Lossless"],
  ["very_high", "Very high"],
  ["high", "High"],
  ["normal", "Normal"],
  ["low", "Low (saves space)"],
];

export async function offlineSettings() {
  const kept = await db.settings();
  const size = h("select", { id: "audio-cache-size" }, SIZES.map(([bytes, label]) => h("option", { value: String(bytes) }, label)));
  size.value = String(kept.audioCacheBytes);
  const used = h("span", { class: "hint" });
  const showUsed = async () => {
    const total = (await db.all("played")).reduce((sum, p) => sum + p.size, 0);
    clear(used, `${(total / 1024 ** 2).toFixed(1)} MB of played songs kept`);
  };
  size.addEventListener("change", async () => {
    await db.saveSettings({ audioCacheBytes: Number(size.value) });
    await db.evictPlayed(Number(size.value));
    showUsed();
  });
  const allowed = store.plan?.features?.qualities || [];
  const quality = h("select", { id: "download-quality" }, DOWNLOAD_QUALITIES.map(([value, label]) => h("option", { value, disabled: Boolean(value) && !allowed.includes(value) }, label)));
  quality.value = kept.downloadQuality || "";
  quality.addEventListener("change", () => db.saveSettings({ downloadQuality: quality.value || null }));
  showUsed();
  return h(
    "section",
    { class: "offline-settings", "aria-labelledby": "offline-settings-heading" },
    h("h2", { id: "offline-settings-heading" }, "Storage on this device"),
    h("label", { for: "audio-cache-size" }, "Keep played songs up to"),
    size,
    used,
    h("label", { for: "download-quality" }, "Download quality"),
    quality,
  );
}
