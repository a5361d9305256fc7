// Building the page from data: elements and text nodes only, never HTML strings.

import { describe } from "./notices.js"; // refusals in words, with the way forward

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : value);
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function icon(name) {
  const paths = {
    play: "M8 5v14l11-7z",
    pause: "M6 5h4v14H6zm8 0h4v14h-4z",
    next: "M6 18l8.5-6L6 6zm9-12h2v12h-2z",
    previous: "M6 6h2v12H6zm3.5 6 8.5 6V6z",
    shuffle:
      "M10.6 9.2 5.4 4 4 5.4l5.2 5.2zM14.5 4l2 2L4 18.6 5.4 20 17.9 7.5l2 2V4zm.3 9.4-1.4 1.4 3.1 3.1-2 2h5.5v-5.5l-2 2z",
    repeat: "M7 7h10v3l4-4-4-4v3H5v6h2zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2z",
    volume: "M3 9v6h4l5 5V4L7 9zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z",
    queue: "M3 6h12v2H3zm0 4h12v2H3zm0 4h8v2H3zm14-4v6.2a2.5 2.5 0 1 0 2 2.3V12h3v-2z",
    devices: "M4 6h18V4H4a2 2 0 0 0-2 2v11H0v3h14v-3H4zm19 2h-6a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h6a1 1 0 0 0 1-1V9a1 1 0 0 0-1-1zm-1 9h-4v-7h4z",
    more: "M6 10a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4z",
    home: "M12 3 2 12h3v8h6v-6h2v6h6v-8h3z",
    friends: "M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0h-.9a4.2 4.2 0 0 1 1.9 3.5V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z",
    search: "M15.5 14h-.8l-.3-.3A6.5 6.5 0 1 0 14 15.5l.3.3v.8l5 5 1.5-1.5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9z",
    heart: "M12 21.4 10.6 20C5.4 15.4 2 12.3 2 8.5 2 5.4 4.4 3 7.5 3c1.7 0 3.4.8 4.5 2.1A6 6 0 0 1 16.5 3C19.6 3 22 5.4 22 8.5c0 3.8-3.4 6.9-8.6 11.5z",
    "heart-outline": "M16.5 3A6 6 0 0 0 12 5.1 6 6 0 0 0 7.5 3 5.5 5.5 0 0 0 2 8.5c0 3.8 3.4 6.9 8.6 11.5l1.4 1.3 1.4-1.3c5.2-4.6 8.6-7.7 8.6-11.5A5.5 5.5 0 0 0 16.5 3zm-4.4 15.6-.1.1-.1-.1C7.1 14.2 4 11.4 4 8.5 4 6.5 5.5 5 7.5 5c1.5 0 3 1 3.6 2.4h1.9C13.5 6 15 5 16.5 5c2 0 3.5 1.5 3.5 3.5 0 2.9-3.1 5.7-7.9 10.1z",
    share: "M18 16a3 3 0 0 0-2 .8l-7.1-4.2a3 3 0 0 0 0-1.4L15.9 7A3 3 0 1 0 15 5l-7 4.1a3 3 0 1 0 0 5.8l7.1 4.2a3 3 0 1 0 2.9-3.1z",
    lyrics: "M4 5h12v2H4zm0 4h12v2H4zm0 4h8v2H4zm13 0v5.3a2.5 2.5 0 1 0 2 2.4V15h3v-2z",
    expand: "M7 14H5v5h5v-2H7zm-2-4h2V7h3V5H5zm12 7h-3v2h5v-5h-2zM14 5v2h3v3h2V5z",
    close: "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z",
    up: "M7.4 15.4 12 10.8l4.6 4.6L18 14l-6-6-6 6z",
    down: "M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z",
    library: "M4 6H2v14a2 2 0 0 0 2 2h14v-2H4zm16-4H8a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zm-1 9h-4v4h-2v-4H9V9h4V5h2v4h4z",
  };
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", paths[name] || "");
  svg.append(path);
  return svg;
}

export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 6000);
}

export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function money(cents, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(cents / 100);
}

export function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function cover(release, size = 300) {
  const images = release?.images || [];
  const best = images.find((i) => i.width === size) || images[images.length - 1] || images[0];
  return best
    ? h("img", { class: "cover", src: best.url, alt: "", loading: "lazy", width: size, height: size })
    : h("div", { class: "cover cover-empty", "aria-hidden": "true" });
}

export function artistLinks(artists) {
  const out = [];
  (artists || []).forEach((a, i) => {
    if (i) out.push(", ");
    out.push(h("a", { href: `/artist/${a.id}`, "data-link": true }, a.name));
  });
  return out;
}

// A form's named fields as an object (numbers stay strings; the caller converts).
export function fields(form) {
  return Object.fromEntries(new FormData(form).entries());
}

export function field(label, attrs) {
  const id = `f-${attrs.name}-${Math.random().toString(36).slice(2, 7)}`;
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, ...attrs }));
}

export function errorBox() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

export function showError(box, error) {
  clear(box, error ? describe(error) : null);
  box.hidden = !error;
}

// A button that opens a panel (menus, settings): aria-expanded, Escape and outside clicks close.
export function disclosure(label, iconName, panel, className) {
  const id = `panel-${Math.random().toString(36).slice(2, 9)}`;
  panel.id = id;
  panel.hidden = true;
  const toggle = h("button", { type: "button", class: "icon-button", "aria-label": label, title: label, "aria-expanded": "false", "aria-controls": id }, icon(iconName));
  const box = h("div", { class: className }, toggle, panel);
  const set = (open) => {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      const away = (event) => {
        if (!box.contains(event.target)) set(false);
      };
      setTimeout(() => document.addEventListener("click", away, { once: true }));
    }
  };
  toggle.addEventListener("click", () => set(panel.hidden));
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      set(false);
      toggle.focus();
    }
  });
  box.close = () => set(false);
  return box;
}
