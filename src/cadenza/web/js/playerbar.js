// The player bar: always there, across pages; controls, progress, volume, settings, ads.
import { h, clear, icon, duration, cover, artistLinks, disclosure } from "./dom.js";
import { player } from "./player.js";
import { store, onDemand, watch } from "./store.js";
import { explain } from "./notices.js";
import { navigate } from "./router.js";
import { devicePicker, onFeed } from "./devices.js";
import { episodes, episodeControls } from "./episode_player.js";

const QUALITIES = [
  ["auto", "Automatic (best in my plan)"],
  ["low", "Low (24 kbit/s)"],
  ["normal", "Normal (96 kbit/s)"],
  ["high", "High (160 kbit/s)"],
  ["very_high", "Very high (320 kbit/s)"],
  ["lossless", "Lossless (FLAC)"],
];

const ui = {};

function button(label, name, onclick, extra = {}) {
  return h("button", { type: "button", class: "icon-button", "aria-label": label, title: label, onclick, ...extra }, icon(name));
}

function build(bar) {
  ui.art = h("div", { class: "np-art" });
  ui.title = h("div", { class: "np-title" });
  ui.artists = h("div", { class: "np-artists" });
  ui.shuffle = button("Shuffle", "shuffle", () => player.setShuffle(!player.state?.shuffle), { "aria-pressed": "false" });
  ui.prev = button("Previous", "previous", () => (episodeInBar() ? episodes.previous() : player.previous()));
  ui.play = h("button", { type: "button", class: "play-button", "aria-label": "Play", onclick: () => (episodeInBar() ? episodes.toggle() : player.toggle()) }, icon("play"));
  ui.next = button("Next", "next", () => (episodeInBar() ? episodes.next() : player.next()));
  ui.repeat = button("Repeat: off", "repeat", () => {
    const order = ["off", "context", "track"];
    const now = player.state?.repeat || "off";
    player.setRepeat(order[(order.indexOf(now) + 1) % 3]);
  });
  ui.elapsed = h("span", { class: "time", "aria-hidden": "true" }, "0:00");
  ui.total = h("span", { class: "time", "aria-hidden": "true" }, "0:00");
  ui.seek = h("input", { type: "range", class: "seek", min: "0", max: "0", step: "1000", value: "0", "aria-label": "Seek", disabled: true });
  ui.seek.addEventListener("input", () => {
    ui.dragging = true;
    ui.elapsed.textContent = duration(Number(ui.seek.value));
  });
  ui.seek.addEventListener("change", () => {
    ui.dragging = false;
    if (episodeInBar()) episodes.seek(Number(ui.seek.value));
    else player.seek(Number(ui.seek.value));
  });
  ui.volume = h("input", { type: "range", class: "volume", min: "0", max: "100", step: "1", value: "100", "aria-label": "Volume" });
  ui.volume.addEventListener("input", () => player.setVolume(Number(ui.volume.value)));
  ui.queue = h("a", { class: "icon-button", href: "/queue", "data-link": true, "aria-label": "Queue", title: "Queue" }, icon("queue"));
  ui.devices = h("div", { class: "devices-slot" });
  ui.settings = settingsMenu();
  ui.notice = h("div", { class: "player-notice", role: "status" });
  ui.elsewhere = h("div", { class: "elsewhere", role: "status", hidden: true });
  devicePicker(ui.devices, ui.elsewhere);
  ui.ad = h("div", { class: "ad-panel", hidden: true, role: "region", "aria-label": "Advertisement" });
  clear(
    bar,
    ui.ad,
    h("div", { class: "now-playing" }, ui.art, h("div", { class: "np-text" }, ui.title, ui.artists)),
    h(
      "div",
      { class: "controls" },
      h("div", { class: "buttons" }, ui.shuffle, ui.prev, ui.play, ui.next, ui.repeat, episodeControls()),
      h("div", { class: "progress" }, ui.elapsed, ui.seek, ui.total),
      ui.notice,
      ui.elsewhere,
    ),
    h("div", { class: "extras" }, ui.queue, ui.devices, ui.settings, h("span", { class: "volume-icon" }, icon("volume")), ui.volume),
  );
}

function settingsMenu() {
  const quality = h("select", { id: "quality-setting", "aria-label": "Streaming quality" }, QUALITIES.map(([v, label]) => h("option", { value: v }, label)));
  quality.value = player.settings.quality;
  quality.addEventListener("change", () => player.setQuality(quality.value));
  const normalise = h("input", { type: "checkbox", id: "normalise-setting", checked: player.settings.normalise });
  normalise.addEventListener("change", () => player.setNormalise(normalise.checked));
  const fadeValue = h("output", { for: "crossfade-setting" }, `${player.settings.crossfade} s`);
  const crossfade = h("input", { type: "range", id: "crossfade-setting", min: "0", max: "12", step: "1", value: String(player.settings.crossfade) });
  crossfade.addEventListener("input", () => {
    player.setCrossfade(crossfade.value);
    fadeValue.textContent = `${crossfade.value} s`;
  });
  ui.qualitySelect = quality;
  const panel = h(
    "div",
    { class: "menu-panel", role: "group", "aria-label": "Playback settings" },
    h("label", { for: "quality-setting" }, "Quality"),
    quality,
    h("div", { class: "check" }, normalise, h("label", { for: "normalise-setting" }, "Normalise volume")),
    h("label", { for: "crossfade-setting" }, "Crossfade ", fadeValue),
    crossfade,
  );
  return disclosure("Playback settings", "more", panel, "settings-menu");
}

function drawTrack() {
  const track = player.track;
  if (player.ad) {
    const { ad, index, count } = player.ad;
    clear(ui.art, h("img", { class: "cover", src: ad.companion_image_url, alt: "", width: 64, height: 64 }));
    clear(ui.title, "Advertisement");
    clear(ui.artists, `${ad.advertiser} · ${index} of ${count}`);
    ui.ad.hidden = false;
    clear(
      ui.ad,
      h("a", { href: ad.click_url, target: "_blank", rel: "noopener noreferrer" }, h("img", { class: "companion", src: ad.companion_image_url, alt: `Ad from ${ad.advertiser}` })),
      h("div", {}, h("strong", {}, "Advertisement"), h("p", {}, "Your music continues after this break. Ads cannot be skipped."), h("a", { href: "/account/plan", "data-link": true }, "Go Premium: no ads")),
    );
    return;
  }
  ui.ad.hidden = true;
  if (episodes.current) return drawEpisode(episodes.current);
  if (!track) {
    clear(ui.art);
    clear(ui.title);
    clear(ui.artists);
    return;
  }
  clear(ui.art, cover(track.release, 64));
  clear(ui.title, h("a", { href: `/release/${track.release.id}`, "data-link": true }, track.title));
  clear(ui.artists, artistLinks(track.artists));
}

// An episode in the bar (and no ad break): the bar plays it.
function episodeInBar() {
  return Boolean(episodes.current) && !player.ad;
}

function drawEpisode(episode) {
  const art = h("img", { class: "cover", alt: "", width: 64, height: 64 });
  if (episode.show.image_url) art.src = episode.show.image_url;
  clear(ui.art, art);
  clear(ui.title, h("a", { href: `/episode/${episode.id}`, "data-link": true }, episode.title));
  clear(ui.artists, h("a", { href: `/show/${episode.show.id}`, "data-link": true }, episode.show.title));
}

function drawEpisodeControls() {
  const playing = episodes.shownPlaying();
  clear(ui.play, icon(playing ? "pause" : "play"));
  ui.play.setAttribute("aria-label", playing ? "Pause" : "Play");
  ui.play.disabled = !episodes.current.playable;
  ui.prev.disabled = false;
  ui.next.disabled = !episodes.upNext();
  ui.seek.disabled = !episodes.started && !episodes.remote;
  ui.shuffle.hidden = ui.repeat.hidden = true; // speed and the sleep timer in their place
  drawTime();
}

function drawControls() {
  ui.shuffle.hidden = ui.repeat.hidden = false;
  if (episodeInBar()) return drawEpisodeControls();
  const state = player.state;
  const playing = player.shownPlaying();
  const ad = Boolean(player.ad);
  clear(ui.play, icon(playing ? "pause" : "play"));
  ui.play.setAttribute("aria-label", playing ? "Pause" : "Play");
  ui.play.disabled = !ad && !state?.track_id;
  ui.prev.disabled = ad || !state?.track_id;
  ui.next.disabled = ad || !state?.track_id;
  ui.seek.disabled = ad || !(player.deck?.grant || (player.remote() && state?.track_id));
  ui.shuffle.setAttribute("aria-pressed", String(Boolean(state?.shuffle)));
  ui.shuffle.classList.toggle("on", Boolean(state?.shuffle));
  if (store.plan && !onDemand()) ui.shuffle.title = "Shuffle (always on with Free)";
  const repeat = state?.repeat || "off";
  ui.repeat.classList.toggle("on", repeat !== "off");
  ui.repeat.dataset.mode = repeat;
  ui.repeat.setAttribute("aria-label", `Repeat: ${repeat === "context" ? "all" : repeat === "track" ? "this song" : "off"}`);
  ui.repeat.title = ui.repeat.getAttribute("aria-label");
  if (player.volume !== undefined && document.activeElement !== ui.volume) ui.volume.value = String(player.volume);
  ui.qualitySelect.value = player.settings.quality;
  const allowed = store.plan?.features?.qualities;
  for (const option of ui.qualitySelect.options) {
    option.disabled = Boolean(allowed) && option.value !== "auto" && !allowed.includes(option.value);
  }
  drawTime();
}

function drawTime() {
  let position = 0;
  let total = 0;
  if (player.ad) {
    position = (player.ad.audio.currentTime || 0) * 1000;
    total = player.ad.ad.duration_s * 1000;
  } else if (episodes.current) {
    position = episodes.positionMs();
    total = episodes.durationMs();
  } else if (player.remote() && player.track) {
    position = player.remotePosition(); // the playing device's, moving on as it plays
    total = player.track.duration_ms;
  } else if (player.decks && player.deck.grant) {
    position = player.deck.positionMs();
    total = player.deck.grant.duration_ms;
  } else if (player.state?.track_id && player.track) {
    position = player.state.progress_ms;
    total = player.track.duration_ms;
  }
  position = Math.min(position, total); // a state saved long ago may have run past the end
  ui.total.textContent = duration(total);
  if (ui.dragging) return;
  ui.elapsed.textContent = duration(position);
  ui.seek.max = String(total);
  ui.seek.value = String(position);
  ui.seek.setAttribute("aria-valuetext", `${duration(position)} of ${duration(total)}`);
}

function drawNotice() {
  clear(ui.notice, explain(player.notice));
}

export function startPlayerBar() {
  build(document.getElementById("player-bar"));
  player.addEventListener("change", () => {
    drawTrack();
    drawControls();
  });
  player.addEventListener("time", drawTime);
  player.addEventListener("volume", () => (ui.volume.value = String(player.volume)));
  player.addEventListener("notice", drawNotice);
  watch(drawControls); // a plan changed: the qualities it allows
  onFeed("list", drawControls); // the playing device came or went
  setInterval(() => player.remote() && player.state?.playing && drawTime(), 500);
  drawTrack();
  drawControls();
}

export function devicesSlot() {
  return ui.devices;
}

export { navigate };
