// Pieces shared by pages: cards, shelves, track lists with a menu on each track.
import { h, clear, cover, artistLinks, duration, icon, toast, disclosure } from "../dom.js";
import { player } from "../player.js";
import { explain } from "../notices.js";
import { store } from "../store.js";
import { navigate } from "../router.js";
import { api } from "../api.js";
import { myPlaylists, libraryAvailable, changed } from "../library.js";
import { heart } from "../likes.js";

export const trackMenuItems = []; // other modules add entries: (track) => [label, action]

export function releaseCard(release) {
  const year = release.release_date ? new Date(release.release_date).getFullYear() : "";
  return h(
    "a",
    { class: "card", href: `/release/${release.id}`, "data-link": true },
    cover(release, 300),
    h("span", { class: "card-title" }, release.title),
    h("span", { class: "card-sub" }, [year, release.artists.map((a) => a.name).join(", ")].filter(Boolean).join(" · ")),
  );
}

export function artistCard(artist) {
  return h(
    "a",
    { class: "card artist-card", href: `/artist/${artist.id}`, "data-link": true },
    h("div", { class: "cover avatar", "aria-hidden": "true" }, artist.name.slice(0, 1)),
    h("span", { class: "card-title" }, artist.name),
    h("span", { class: "card-sub" }, "Artist"),
  );
}

export function shelf(title, cards, { id } = {}) {
  const headingId = id || `shelf-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return h("section", { class: "shelf", "aria-labelledby": headingId }, h("h2", { id: headingId }, title), h("div", { class: "cards" }, cards));
}

export function requireSignIn(main) {
  if (store.me) return false;
  navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  return true;
}

export function inPlaceNotice() {
  const box = h("div", { class: "in-place-notice", role: "status" });
  box.show = (error) => clear(box, error ? explain(error) : null);
  return box;
}

function trackMenu(track, extra = []) {
  const items = [
    ["Add to queue", async () => { if (await player.enqueue(track.id)) toast(`${track.title} will play next`); else toast(player.notice?.message || "Not added"); }],
    ["Go to release", () => navigate(`/release/${track.release_id}`)],
    ...(track.artists[0] ? [["Go to artist", () => navigate(`/artist/${track.artists[0].id}`)]] : []),
    ["Go to song radio", async () => {
      try {
        await player.play({ context: { kind: "radio", id: track.id } });
      } catch (error) {
        toast(error.code === "premium_required" ? "Radio is a Premium feature." : error.message);
      }
    }],
    ...trackMenuItems.flatMap((make) => make(track) || []),
    ...extra,
  ];
  const panel = h("div", { class: "menu-panel" });
  const menu = disclosure(`More for ${track.title}`, "more", panel, "track-menu");
  items.forEach(([label, action]) =>
    panel.append(h("button", { type: "button", onclick: async () => { menu.close(); await action(); } }, label)),
  );
  return menu;
}

// A numbered list of tracks; play(i) starts the i-th (the page decides in which context).
export function trackList(tracks, play, { showRelease = false, notice = null, extraMenu = null } = {}) {
  const list = h("ol", { class: "track-list" });
  tracks.forEach((track, i) => {
    const current = player.state?.track_id === track.id;
    const unplayable = track.playable === false;
    list.append(
      h(
        "li",
        { class: `track-row${current ? " current" : ""}${unplayable ? " unplayable" : ""}`, dataset: { trackId: String(track.id) }, title: unplayable ? unavailable(track.unavailable_reason) : null },
        h("span", { class: "track-number", "aria-hidden": "true" }, String(i + 1)),
        h(
          "button",
          {
            type: "button",
            class: "track-play",
            "aria-label": `Play ${track.title}`,
            disabled: unplayable,
            onclick: async () => {
              notice?.show(null);
              try {
                await play(i);
              } catch (error) {
                notice?.show(error);
              }
            },
          },
          icon("play"),
        ),
        h(
          "div",
          { class: "track-main" },
          h("span", { class: "track-title" }, track.title, track.explicit ? h("span", { class: "explicit", title: "Explicit" }, "E") : null),
          h("span", { class: "track-artists" }, artistLinks(track.artists), track.featured_artists?.length ? [" feat. ", artistLinks(track.featured_artists)] : null, showRelease && track.release ? [" · ", h("a", { href: `/release/${track.release.id}`, "data-link": true }, track.release.title)] : null),
        ),
        unplayable ? h("span", {}) : heart(track) || h("span", {}),
        h("span", { class: "track-duration" }, duration(track.duration_ms)),
        unplayable ? h("span", { class: "track-menu" }) : trackMenu(track, extraMenu ? extraMenu(track) : []),
      ),
    );
  });
  return list;
}

function unavailable(reason) {
  return { not_in_your_country: "Not available in your country", explicit_content_filtered: "Explicit: filtered on your plan" }[reason] || "Not available";
}

export function bigPlayButton(label, onclick) {
  return h("button", { type: "button", class: "play-button big", "aria-label": label, onclick }, icon("play"));
}

// Save a release or follow an artist (`kind`: "releases" or "following/artists"), when the
// server has the library API; a toggle button with aria-pressed.
export async function saveButton(kind, id, [offLabel, onLabel]) {
  if (!store.me) return null;
  await myPlaylists();
  if (!libraryAvailable()) return null;
  let on = false;
  try {
    [on] = await api.get(`/api/v1/me/${kind}/contains?ids=${id}`);
  } catch {
    return null;
  }
  const button = h("button", { type: "button", class: "button secondary" });
  const draw = () => {
    button.textContent = on ? onLabel : offLabel;
    button.setAttribute("aria-pressed", String(on));
  };
  button.addEventListener("click", async () => {
    try {
      if (on) await api.del(`/api/v1/me/${kind}/${id}`);
      else await api.put(`/api/v1/me/${kind}/${id}`);
      on = !on;
      draw();
      changed();
    } catch (error) {
      toast(error.message);
    }
  });
  draw();
  return button;
}
