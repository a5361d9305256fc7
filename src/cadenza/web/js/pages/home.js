import { h, cover } from "../dom.js";
import { api, cached } from "../api.js";
import { store } from "../store.js";
import { releaseCard, shelf } from "./common.js";
import { releaseRadarTiles, blendTiles, chartsShelf } from "./home_made_for_you.js";
import { liveShelf } from "./home_live.js";

function greeting() {
  const hour = new Date().getHours();
  return hour < 12 ? "Good morning" : hour < 18 ? "Good afternoon" : "Good evening";
}

async function recentlyPlayed() {
  const page = await api.get("/api/v1/me/player/recently-played?limit=20");
  const seen = new Set();
  const releases = [];
  for (const item of page.items) {
    const track = await cached(`/api/v1/tracks/${item.track_id}`).catch(() => null);
    if (!track || seen.has(track.release.id)) continue;
    seen.add(track.release.id);
    releases.push(track.release);
  }
  return releases.slice(0, 10);
}

function mixCard(href, name, sub, first) {
  return h("a", { class: "card", href, "data-link": true }, cover(first?.release, 300), h("span", { class: "card-title" }, name), h("span", { class: "card-sub" }, sub));
}

// Discover Weekly, Release Radar, the Duo / Family Mix, Daily Mixes (once the listener has
// played enough or picked artists they like) and their Blends.
async function madeForYou() {
  const [weekly, mixes, planMix, radar, blends] = await Promise.all([
    api.get("/api/v1/me/discover-weekly").catch(() => null),
    api.get("/api/v1/me/daily-mixes").catch(() => []),
    store.plan?.plan === "premium_duo" || store.plan?.plan === "premium_family" ? api.get("/api/v1/me/plan-mix").catch(() => null) : null,
    releaseRadarTiles(),
    blendTiles(),
  ]);
  const cards = mixes.map((m) => mixCard(`/mix/daily/${m.number}`, m.name, m.artists.slice(0, 3).join(", "), m.tracks[0]));
  cards.push(...blends);
  if (planMix?.tracks.length) cards.unshift(mixCard("/mix/plan", planMix.name, planMix.members.join(", "), planMix.tracks[0]));
  cards.unshift(...radar);
  if (weekly?.tracks.length) cards.unshift(mixCard("/mix/weekly", weekly.name, "Songs new to you, every Monday", weekly.tracks[0]));
  return cards;
}

export async function render(main) {
  const country = store.me ? "" : `&country=${encodeURIComponent(navigator.language.split("-")[1] || "US")}`;
  const [fresh, recent, editorial] = await Promise.all([
    api.get(`/api/v1/browse/new-releases?limit=20${country}`),
    store.me ? recentlyPlayed().catch(() => []) : Promise.resolve([]),
    api.get("/api/v1/browse/editorial-playlists?limit=20").catch(() => []),
  ]);
  main.append(h("h1", {}, store.me ? `${greeting()}, ${store.me.display_name}` : "Welcome to Cadenza"));
  if (!store.me) {
    main.append(h("p", { class: "lead" }, "Sign up free to listen, or log in. ", h("a", { href: "/signup", "data-link": true }, "Sign up"), " · ", h("a", { href: "/login", "data-link": true }, "Log in")));
  }
  const live = store.me ? await liveShelf() : null;
  if (live) main.append(live);
  const made = store.me ? await madeForYou() : [];
  if (made.length) main.append(shelf("Made for you", made));
  if (recent.length) main.append(shelf("Recently played", recent.map(releaseCard)));
  const charts = await chartsShelf();
  if (charts) main.append(charts);
  main.append(shelf("New releases", fresh.items.map(releaseCard)));
  // The editors' playlists (public playlists of the service's admin accounts).
  if (editorial.length) {
    main.append(shelf("Picked by our editors", editorial.map((p) => mixCard(`/playlist/${p.id}`, p.name, p.description || `${p.total} songs`, null))));
  }
}
