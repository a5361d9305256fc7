// The web player's entry: pages, navigation, the account menu, search as you type, keys.
import { onSessionChange, signedIn, logOut } from "./api.js";
import { h, clear, icon } from "./dom.js";
import { route, navigate, render, startRouter } from "./router.js";
import { store, loadMe, watch, hasRole, PLAN_NAMES } from "./store.js";
import { startPlayerBar } from "./playerbar.js";
import { player } from "./player.js";
import { episodes } from "./episode_player.js";
import { drawSidebar, libraryAvailable, setLiked } from "./library.js";
import { choosePlaylist } from "./chooser.js";
import { trackMenuItems } from "./pages/common.js";
import { startLikes } from "./likes.js";
import { startNowPlaying } from "./nowplaying.js";
import { copyLink } from "./share.js";
import { watchDemoProgress } from "./demo_progress.js";
import { rememberBrowserZone } from "./timezone.js";
import { startFriendPanel } from "./friends.js";
import { forgetAccount, startOffline } from "./offline.js";

const page = (name) => () => import(`./pages/${name}.js`);
route("/", page("home"));
route("/search", page("search"));
route("/artist/:id", page("artist"));
route("/release/:id", page("release"));
route("/track/:id", page("track"));
route("/queue", page("queue"));
route("/downloads", page("downloads"));
route("/mix/:kind/:number", page("mix"));
route("/mix/:kind", page("mix"));
route("/charts", page("charts"));
route("/chart/:id", page("chart"));
route("/release-radar", page("releaseradar"));
route("/show/:id", page("show"));
route("/episode/:id", page("episode"));
route("/episodes", page("episodes"));
route("/podcaster", page("podcaster"));
route("/welcome/artists", page("pickartists"));
route("/playlist/:id", page("playlist"));
route("/playlist-invite/:token", page("invite"));
route("/user/:id", page("user"));
route("/friends", page("friends"));
route("/blend", page("blends"));
route("/blend/invite/:token", page("blendinvite"));
route("/blend/:id", page("blend"));
route("/rooms", page("rooms"));
route("/room/:id", page("room"));
route("/collection/tracks", page("liked"));
route("/library", page("yourlibrary"));
route("/taste", page("taste"));
route("/taste/mix/:number", page("taste"));
route("/year/:year", page("year"));
route("/login", page("login"));
route("/login/external", page("external_login"));
route("/login/link", page("external_login"));
route("/authorize", page("authorize"));
route("/link", page("link_device"));
route("/developer", page("developer"));
route("/account/apps", page("authorized_apps"));
route("/signup", page("signup"));
route("/verify-email", page("verify"));
route("/forgot-password", page("forgot"));
route("/reset-password", page("reset"));
route("/lock-account", page("lock"));
route("/join", page("join"));
route("/account", page("account"));
route("/account/plan", page("plan"));
route("/account/members", page("members"));
route("/account/student", page("student"));
route("/account/sessions", page("sessions"));
route("/account/security", page("security"));
route("/account/privacy", page("privacy"));
route("/distributor", page("distributor"));
route("/admin/fraud", page("fraud"));
route("/admin/rooms", page("roomreports"));
route("/artist-dashboard", page("dashboard"));
route("/artist-dashboard/claim", page("artistclaim"));
route("/artist-dashboard/artist/:id", page("artistprofile"));
route("/artist-dashboard/pitch/:id", page("pitch"));
route("/distributor/pitch/:id", () => import("./pages/pitch.js").then((m) => ({ render: (main, params, query) => m.render(main, params, query, "distributor") })));
route("/admin/editorial", page("editorial"));
route("/artist-stats/:id", page("artiststats"));
route("/upgrade", () => Promise.resolve({ render: () => navigate("/account/plan", { replace: true }) }));
route(".*", page("notfound"));

function navItem(href, label, name) {
  const active = location.pathname === href || (href !== "/" && location.pathname.startsWith(href));
  return h("li", {}, h("a", { href, "data-link": true, "aria-current": active ? "page" : null }, icon(name), h("span", {}, label)));
}

function drawNav() {
  const items = [navItem("/", "Home", "home"), navItem("/search", "Search", "search")];
  if (store.me) {
    const library = navItem("/library", "Your Library", "library");
    library.classList.add("phone-only"); // the sidebar holds it on wider screens
    items.push(library);
    items.push(navItem("/friends", "Friends", "friends"));
    items.push(navItem("/downloads", "Downloads", "library")); // and the played-songs cache's size
    items.push(navItem("/account", "Account", "library"));
    if (hasRole("distributor")) items.push(navItem("/distributor", "Distributor", "library"));
    if (hasRole("artist")) items.push(navItem("/artist-dashboard", "Artist dashboard", "library"));
    if (hasRole("admin")) items.push(navItem("/admin/editorial", "Editorial", "library"));
    if (hasRole("admin")) items.push(navItem("/admin/fraud", "Artificial streams", "library"));
    if (hasRole("admin")) items.push(navItem("/admin/rooms", "Room reports", "library"));
  }
  clear(document.getElementById("nav"), items);
}

function drawAccountMenu() {
  const box = document.getElementById("account-menu");
  if (!store.me) {
    clear(box, h("a", { class: "button secondary", href: "/signup", "data-link": true }, "Sign up"), h("a", { class: "button", href: "/login", "data-link": true }, "Log in"));
    return;
  }
  const upgrade = store.plan && !store.plan.plan.startsWith("premium")
    ? h("a", { class: "button upgrade", href: "/account/plan", "data-link": true }, "Upgrade")
    : null;
  clear(
    box,
    upgrade,
    h("a", { class: "who", href: "/account", "data-link": true, title: store.me.email }, store.me.display_name, h("span", { class: "plan-badge" }, PLAN_NAMES[store.plan?.plan] || "")),
    h("button", { type: "button", class: "button secondary", onclick: async () => { await player.stop(); player.reset(); await forgetAccount(); await logOut(); navigate("/login"); } }, "Log out"),
  );
}

function searchAsYouType() {
  const input = document.getElementById("search-input");
  const form = document.getElementById("search-form");
  let timer = null;
  const go = () => {
    const q = input.value.trim();
    const url = q ? `/search?q=${encodeURIComponent(q)}` : "/search";
    render.moveFocus = false;
    const replace = location.pathname === "/search";
    navigate(url, { replace }).finally(() => (render.moveFocus = true));
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(go, 150);
  });
  // A link followed before the pause ends wins over the search still to come.
  document.addEventListener("click", (event) => event.target.closest("a[data-link]") && clearTimeout(timer), true);
  window.addEventListener("popstate", () => clearTimeout(timer));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    go();
  });
  document.addEventListener("cadenza:page", () => {
    if (location.pathname === "/search") {
      const q = new URLSearchParams(location.search).get("q") || "";
      if (document.activeElement !== input) input.value = q;
    }
  });
}

// Space plays and pauses, arrows seek (5 s), shift+arrows skip; not while typing.
const music = player;
function keys() {
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const player = episodes.current && !music.ad ? episodes : music; // an episode in the bar
    const typing = target.closest("input, textarea, select, [contenteditable]") && target.type !== "range";
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " " && !target.closest("button, a")) {
      event.preventDefault();
      player.toggle();
    } else if (event.key === "ArrowRight" && !target.closest("input[type=range]")) {
      event.preventDefault();
      if (event.shiftKey) player.next();
      else player.seekBy(5000);
    } else if (event.key === "ArrowLeft" && !target.closest("input[type=range]")) {
      event.preventDefault();
      if (event.shiftKey) player.previous();
      else player.seekBy(-5000);
    }
  });
}

trackMenuItems.push((track) =>
  store.me && libraryAvailable()
    ? [
        ["Add to playlist…", () => choosePlaylist(track)],
        ["Save to Liked Songs", () => setLiked(track.id, true)],
      ]
    : [],
);

trackMenuItems.push((track) => [["Share: copy link", () => copyLink("track", track.id)]]);

async function main() {
  watch(() => {
    drawNav();
    drawAccountMenu();
    drawSidebar();
    rememberBrowserZone(store.me);
  });
  document.addEventListener("cadenza:page", drawNav);
  onSessionChange(async (on) => {
    if (on === Boolean(store.me)) return;
    await loadMe();
    if (!on) player.reset();
  });
  await loadMe().catch(() => null);
  await startOffline(); // the service worker; offline: who was signed in, and the downloads
  startPlayerBar();
  startNowPlaying();
  startLikes();
  startFriendPanel();
  searchAsYouType();
  keys();
  await startRouter();
  watchDemoProgress();
  if (signedIn()) player.restore();
}

main();
