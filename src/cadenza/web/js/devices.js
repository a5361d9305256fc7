// This browser as a playback device: registered with the server, fed the player's state over
// server-sent events (so it obeys other devices' commands), and the picker that moves playback.
import { api, deviceName, signedIn } from "./api.js";
import { h, clear, icon, disclosure, toast } from "./dom.js";

export const devices = { id: null, list: [], available: null, feed: null };
const handlers = { state: () => {}, command: () => {}, list: () => {} };

export function onFeed(kind, fn) {
  handlers[kind] = fn;
}

export async function registerDevice() {
  if (!signedIn() || devices.available === false) return null;
  try {
    const device = await api.post("/api/v1/me/devices", { name: deviceName(), type: "web", supports_volume: true });
    devices.id = device.id;
    devices.available = true;
    openFeed();
    return device;
  } catch (error) {
    if (error.status === 404 || error.status === 405) devices.available = false;
    return null;
  }
}

export function closeFeed() {
  devices.feed?.close();
  devices.feed = null;
  devices.id = null;
}

// One-minute tickets open the stream (EventSource sends no headers); a dropped stream is
// reopened with a new ticket.
async function openFeed() {
  devices.feed?.close();
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
  feed.addEventListener("state", (e) => handlers.state(JSON.parse(e.data)));
  feed.addEventListener("command", (e) => handlers.command(JSON.parse(e.data)));
  feed.addEventListener("devices", (e) => {
    devices.list = JSON.parse(e.data).devices;
    handlers.list(devices.list);
    drawPicker();
  });
  feed.addEventListener("error", () => {
    if (feed.readyState === EventSource.CLOSED || devices.feed === feed) {
      feed.close();
      if (devices.feed === feed) setTimeout(openFeed, 2000);
    }
  });
}

export async function loadDevices() {
  if (!devices.available) return [];
  devices.list = await api.get("/api/v1/me/devices");
  drawPicker();
  return devices.list;
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
  picker.box.querySelector("button").addEventListener("click", () => loadDevices().catch(() => null));
  clear(slot, picker.box);
  slot.hidden = !devices.available;
}

export function markActive(deviceId) {
  picker.activeId = deviceId;
  drawPicker();
}

function drawPicker() {
  if (!picker.panel) return;
  picker.box.parentElement.hidden = !devices.available;
  const list = devices.list;
  const active = list.find((d) => d.is_active || d.id === picker.activeId);
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
                h("span", {}, d.this_session || d.id === devices.id ? `This browser (${d.name})` : d.name),
                h("span", { class: "card-sub" }, d === active ? "Playing here" : d.is_online ? d.type : `${d.type}, offline`),
              ),
            ),
          ),
        )
      : h("p", { class: "hint" }, "No other devices yet."),
  );
  if (picker.banner) {
    const elsewhere = active && active.id !== devices.id;
    clear(picker.banner, elsewhere ? [icon("devices"), ` Playing on ${active.name}`] : null);
    picker.banner.hidden = !elsewhere;
  }
}
