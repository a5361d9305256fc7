// This browser as a playback device: registered with the server, fed the player's state over
// server-sent events (so it obeys other devices' commands), and the picker that moves playback.
import { api, deviceName, nameDevice, signedIn } from "./api.js";
import { h, clear, icon, disclosure, toast } from "./dom.js";

export const devices = { id: null, list: [], groups: [], available: null, feed: null, registering: null, heard: 0 };
const handlers = { state: () => {}, command: () => {}, list: () => {} };

export function onFeed(kind, fn) {
  handlers[kind] = fn;
}

export function registerDevice() {
  if (!signedIn() || devices.available === false) return Promise.resolve(null);
  const registering = register();
  devices.registering = registering;
  const done = () => {
    if (devices.registering === registering) devices.registering = null;
  };
  registering.then(done, done);
  return registering;
}

// A page opened afresh registers while the listener may already press Play: a command that
// names the device playing waits for the id (else it would name this browser's unregistered
// id, and the feed's first state, playing on "another" device, would silence this page).
export function deviceReady() {
  return devices.registering ?? Promise.resolve(null);
}

// This tab's device id, kept across its reloads (sessionStorage is per tab): a reloaded page is
// the same device, another tab another one, named apart by the server ("... 2").
const TAB_DEVICE = "cadenza.tab-device";

// A duplicated tab copies sessionStorage, the device id with it, and would be the same device as
// the tab it came from. A page that holds the id marks it live (the mark goes as the page hides,
// so a reload keeps its id); a page that finds the mark asks the other tabs of this browser
// whether one holds the id, and registers as a new device if one answers.
const TAB_LIVE = "cadenza.tab-device-live";
const tabs = "BroadcastChannel" in window ? new BroadcastChannel("cadenza.devices") : null;
tabs?.addEventListener("message", (event) => {
  if (event.data?.holds && event.data.holds === devices.id) tabs.postMessage({ held: devices.id });
});

function heldByAnotherTab(id) {
  if (!id || sessionStorage.getItem(TAB_LIVE) !== id) return Promise.resolve(false);
  if (!tabs) return Promise.resolve(true); // cannot ask: a new device rather than a shared one
  return new Promise((done) => {
    const finish = (held) => {
      tabs.removeEventListener("message", answered);
      clearTimeout(timer);
      done(held);
    };
    const answered = (event) => event.data?.held === id && finish(true);
    tabs.addEventListener("message", answered);
    const timer = setTimeout(() => finish(false), 500); // none answers: a tab restored after a crash
    tabs.postMessage({ holds: id });
  });
}

async function register() {
  try {
    let known = sessionStorage.getItem(TAB_DEVICE);
    if (await heldByAnotherTab(known)) known = null;
    const device = await api.post("/api/v1/me/devices", { name: deviceName(), type: "web", supports_volume: true, device_id: known });
    sessionStorage.setItem(TAB_DEVICE, device.id);
    sessionStorage.setItem(TAB_LIVE, device.id);
    devices.id = device.id;
    nameDevice(device.id);
    devices.available = true;
    openFeed();
    syncClock().catch(() => null);
    return device;
  } catch (error) {
    if (error.status === 404 || error.status === 405) devices.available = false;
    return null;
  }
}

// A closed page's feed ends at once, so the others stop listing it (the server's grace for
// a reload, not the network's timeout).
window.addEventListener("pagehide", () => {
  devices.feed?.close();
  document.body.dataset.deviceFeed = "closed";
  sessionStorage.removeItem(TAB_LIVE);
});
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  if (devices.id) sessionStorage.setItem(TAB_LIVE, devices.id);
  openFeed();
});

// Where the state plays when it is not here: a device of the list that is there, or a speaker
// group; null when it plays here, or on a device that went away (nothing to control there).
export function playingElsewhere(state) {
  if (!state?.device || state.device === devices.id) return null;
  const groupId = groupIdOf(state);
  if (groupId !== null) return devices.groups.find((g) => g.id === groupId) ?? { id: groupId, name: "a speaker group" };
  return devices.list.find((d) => d.id === state.device && d.is_online) ?? null;
}

export function closeFeed() {
  devices.feed?.close();
  devices.feed = null;
  document.body.dataset.deviceFeed = "closed";
  devices.id = null;
  nameDevice(null);
}

// One-minute tickets open the stream (EventSource sends no headers); a dropped stream is
// reopened with a new ticket.
async function openFeed() {
  devices.feed?.close();
  if (document.body) document.body.dataset.deviceFeed = "closed";
  if (!devices.id || !signedIn()) return;
  let ticket;
  try {
    ticket = await api.post("/api/v1/me/player/stream-ticket", { device_id: devices.id });
  } catch (error) {
    if (error.status === 404 && devices.id) setTimeout(registerDevice, 2000); // forgotten: again
    return;
  }
  const feed = new EventSource(ticket.url);
  devices.feed = feed;
  // <body data-device-feed="open">: the server hears this device now (it subscribes the feed
  // before it answers), so another device's command reaches this page.
  feed.addEventListener("open", () => devices.feed === feed && (document.body.dataset.deviceFeed = "open"));
  feed.addEventListener("state", (e) => handlers.state(JSON.parse(e.data)));
  feed.addEventListener("command", (e) => handlers.command(JSON.parse(e.data)));
  // where the listener stopped in an episode, on another device: the episode page hears it
  feed.addEventListener("episode_position", (e) => document.dispatchEvent(new CustomEvent("cadenza:episode-position", { detail: JSON.parse(e.data) })));
  // an episode another device plays, and a command for the episode this one plays
  for (const kind of ["episode_state", "episode_command"]) {
    feed.addEventListener(kind, (e) => document.dispatchEvent(new CustomEvent(`cadenza:${kind.replace("_", "-")}`, { detail: JSON.parse(e.data) })));
  }
  feed.addEventListener("devices", (e) => {
    devices.heard += 1;
    devices.list = JSON.parse(e.data).devices;
    handlers.list(devices.list);
    drawPicker();
  });
  feed.addEventListener("error", () => {
    if (devices.feed === feed) document.body.dataset.deviceFeed = "closed";
    if (feed.readyState === EventSource.CLOSED || devices.feed === feed) {
      feed.close();
      if (devices.feed === feed) setTimeout(openFeed, 2000);
    }
  });
}

export async function loadDevices() {
  if (!devices.available) return [];
  const heard = devices.heard;
  const [list, groups] = await Promise.all([api.get("/api/v1/me/devices"), api.get("/api/v1/me/speaker-groups")]);
  // A list the feed sent while these answers were on their way is newer: it stays.
  if (devices.heard === heard) devices.list = list;
  devices.groups = groups;
  drawPicker();
  return devices.list;
}

// This browser's clock against the server's, NTP-style (the best of five exchanges), told to
// the server: a speaker group's start instant is sent to each member on its own clock.
export async function syncClock() {
  let best = null;
  for (let i = 0; i < 5 && devices.id; i += 1) {
    const t0 = Date.now();
    const { t1, t2 } = await api.post("/api/v1/clock", { t0 });
    const t3 = Date.now();
    const rtt = Math.max(0, t3 - t0 - (t2 - t1));
    if (!best || rtt < best.rtt) best = { rtt, offset: (t1 - t0 + (t2 - t3)) / 2 };
  }
  if (!best || !devices.id) return;
  await api.put(`/api/v1/me/devices/${encodeURIComponent(devices.id)}/clock`, { offset_ms: best.offset, rtt_ms: best.rtt });
}

// -- speaker groups: the player's device is then "group:<id>" -------------------------------
export function groupIdOf(state) {
  const found = /^group:(\d+)$/.exec(state?.device || "");
  return found ? Number(found[1]) : null;
}

export async function speakerGroup(groupId, { member = false } = {}) {
  let group = devices.groups.find((g) => g.id === groupId);
  if (!group || (member && !group.device_ids.includes(devices.id))) {
    group = await api.get(`/api/v1/me/speaker-groups/${groupId}`);
    devices.groups = [...devices.groups.filter((g) => g.id !== groupId), group];
  }
  return group;
}

// A group this browser belongs to, when the state plays on it (else null).
export function myGroup(state) {
  const id = groupIdOf(state);
  const group = id === null ? null : devices.groups.find((g) => g.id === id);
  return group && devices.id && group.device_ids.includes(devices.id) ? group : null;
}

// One member reports the group's listening (a play counts once, not once per speaker, and its
// song's end moves the group on): the one the server names in the start command, a member
// that is online.
export function reportsFor(reporter) {
  return reporter === devices.id;
}

async function playOnGroup(group) {
  try {
    await api.put(`/api/v1/me/speaker-groups/${group.id}/play`, { play: true });
  } catch (error) {
    toast(error.message);
  }
}

async function makeGroup(form) {
  const chosen = [...form.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
  const name = form.querySelector("input[name=name]").value.trim() || "Speaker group";
  try {
    const group = await api.post("/api/v1/me/speaker-groups", { name, device_ids: chosen });
    devices.groups = [...devices.groups, group];
    drawPicker({ force: true }); // the new group's button, and the form cleared
  } catch (error) {
    toast(error.code === "request_invalid" ? "Pick at least two devices for a group." : error.message);
  }
}

export async function transferTo(device) {
  try {
    return await api.put("/api/v1/me/player/transfer", { device_id: device.id, play: true });
  } catch (error) {
    toast(error.message);
    return null;
  }
}

// -- the picker in the player bar -----------------------------------------------------------
const picker = { panel: null, box: null, banner: null, activeId: null };

export function devicePicker(slot, banner) {
  picker.panel = h("div", { class: "menu-panel devices-panel", role: "group", "aria-label": "Connect to a device" });
  picker.box = disclosure("Connect to a device", "devices", picker.panel, "devices-menu");
  picker.banner = banner;
  picker.panel.addEventListener("focusout", () => setTimeout(() => picker.stale && drawPicker()));
  picker.box.querySelector("button").addEventListener("click", () => loadDevices().catch(() => null));
  clear(slot, picker.box);
  slot.hidden = !devices.available;
}

export function markActive(deviceId) {
  picker.activeId = deviceId;
  drawPicker();
}

function drawPicker({ force = false } = {}) {
  if (!picker.panel) return;
  if (!force && picker.panel.querySelector(".group-menu")?.contains(document.activeElement)) {
    picker.stale = true; // the listener is typing or ticking: redrawn when they leave the form
    return;
  }
  picker.stale = false;
  picker.box.parentElement.hidden = !devices.available;
  const list = devices.list;
  // The player's own word on where it plays wins over a list sent before it moved.
  const active = picker.activeId ? list.find((d) => d.id === picker.activeId) : list.find((d) => d.is_active);
  const activeGroup = devices.groups.find((g) => `group:${g.id}` === picker.activeId);
  const named = (d) => (d.this_session || d.id === devices.id ? `This browser (${d.name})` : d.name);
  const kept = formState(force ? null : picker.panel.querySelector(".group-menu")); // kept as devices come and go
  clear(
    picker.panel,
    h("strong", {}, "Connect to a device"),
    list.length
      ? h(
          "ul",
          { class: "device-list" },
          list.map((d) =>
            h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: d === active ? "on" : "",
                  "aria-current": d === active ? "true" : null,
                  disabled: !d.is_online && !d.this_session,
                  onclick: async () => {
                    picker.box.close();
                    await transferTo(d);
                  },
                },
                h("span", {}, named(d)),
                h("span", { class: "card-sub" }, d === active ? "Playing here" : d.is_online ? d.type : `${d.type}, offline`),
              ),
            ),
          ),
        )
      : h("p", { class: "hint" }, "No other devices yet."),
    devices.groups.length
      ? h(
          "div",
          { role: "group", "aria-label": "Speaker groups" },
          h("strong", {}, "Speaker groups"),
          h(
            "ul",
            { class: "device-list" },
            devices.groups.map((g) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    type: "button",
                    class: g === activeGroup ? "on" : "",
                    "aria-current": g === activeGroup ? "true" : null,
                    onclick: async () => {
                      picker.box.close();
                      await playOnGroup(g);
                    },
                  },
                  h("span", {}, g.name),
                  h("span", { class: "card-sub" }, g === activeGroup ? "Playing here" : `${g.device_ids.length} speakers, in step`),
                ),
              ),
            ),
          ),
        )
      : null,
    list.length > 1 ? groupForm(list, named, kept) : null,
  );
  if (picker.banner) {
    const elsewhere = activeGroup || (active && active.id !== devices.id);
    const where = activeGroup ? activeGroup.name : active?.name;
    clear(picker.banner, elsewhere ? [icon("devices"), ` Playing on ${where}`] : null);
    picker.banner.hidden = !elsewhere;
  }
}

function formState(menu) {
  if (!menu) return { open: false, ticked: new Set(), name: "" };
  const ticked = new Set([...menu.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value));
  return { open: menu.open, ticked, name: menu.querySelector("input[name=name]").value };
}

function groupForm(list, named, kept) {
  const form = h(
    "form",
    { class: "group-form", "aria-label": "Group speakers" },
    ...list.map((d) => h("label", {}, h("input", { type: "checkbox", value: d.id, checked: kept.ticked.has(d.id) }), ` ${named(d)}`)),
    h("input", { name: "name", placeholder: "Group name", "aria-label": "Group name", maxlength: "100", value: kept.name }),
    h("button", { type: "submit" }, "Make group"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    makeGroup(form);
  });
  return h("details", { class: "group-menu", open: kept.open }, h("summary", {}, "Group speakers"), form);
}
