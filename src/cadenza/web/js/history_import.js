// "Import your history" in the account page: upload a Spotify, ListenBrainz or Last.fm export,
// watch it being matched, read the report; earlier imports (delete one and its plays go); the
// scrobbling token for ListenBrainz-compatible apps; forwarding your plays to ListenBrainz or
// Last.fm. Imported plays are your history (recommendations, Your year), never counted streams.
import { h, clear, toast } from "./dom.js";
import { api } from "./api.js";
import { panel } from "./pages/accountnav.js";

const BASE = "/api/v1/me/history";
const SOURCES = { spotify: "Spotify", listenbrainz: "ListenBrainz", lastfm: "Last.fm" };
const POLL_MS = 700;

function counts(i) {
  return `${i.total.toLocaleString()} plays read · ${i.matched.toLocaleString()} matched · ${i.unmatched.toLocaleString()} unmatched · ${i.skipped.toLocaleString()} skipped · ${i.added.toLocaleString()} new`;
}

function report(i) {
  const lines = [h("p", { class: "history-counts" }, counts(i))];
  if (i.status === "failed") lines.unshift(h("p", { role: "alert" }, i.error || "The import failed."));
  if (i.top_unmatched.length) {
    lines.push(
      h("details", {}, h("summary", {}, "Most played songs without a match"),
        h("table", { class: "history-unmatched" },
          h("thead", {}, h("tr", {}, h("th", {}, "Artist"), h("th", {}, "Title"), h("th", {}, "Plays"))),
          h("tbody", {}, i.top_unmatched.map((u) => h("tr", {}, h("td", {}, u.artist), h("td", {}, u.title), h("td", {}, String(u.plays))))))),
    );
  }
  return lines;
}

function importsPanel() {
  const list = h("ul", { class: "history-imports" });
  const status = h("div", { class: "history-status", role: "status", "aria-live": "polite" });
  const input = h("input", { type: "file", id: "history-file", accept: ".zip,.json,.jsonl,.csv" });
  const button = h("button", { type: "submit", class: "button" }, "Import");

  const row = (i) => {
    const remove = h("button", { type: "button", class: "button secondary" }, "Delete");
    remove.addEventListener("click", async () => {
      try {
        await api.del(`${BASE}/imports/${i.id}`);
        remove.closest("li").remove();
      } catch (error) {
        toast(error.message);
      }
    });
    const when = new Date(i.created_at).toLocaleString();
    return h("li", { dataset: { importId: String(i.id) } }, h("strong", {}, `${SOURCES[i.source] || i.source}: ${i.file_name}`), ` (${when}, ${i.status})`, report(i), i.status === "running" ? null : remove);
  };
  const refresh = async () => clear(list, (await api.get(`${BASE}/imports`)).map(row));

  const follow = async (started) => {
    const bar = h("progress", { max: 100, value: started.progress, "aria-label": "Import progress" });
    const line = h("span", {}, "Matching your plays…");
    clear(status, bar, " ", line);
    let current = started;
    while (current.status === "running") {
      await new Promise((done) => setTimeout(done, POLL_MS));
      current = await api.get(`${BASE}/imports/${started.id}`);
      bar.value = current.progress;
      line.textContent = `${current.progress} % · ${current.matched.toLocaleString()} matched · ${current.unmatched.toLocaleString()} unmatched`;
    }
    clear(status, h("p", {}, current.status === "done" ? "Import finished." : "Import failed."), report(current));
    await refresh();
  };

  const form = h("form", { class: "history-upload" },
    h("label", { for: "history-file" }, "Your export: the Spotify zip (or its Streaming_History_Audio_*.json files), a ListenBrainz export, or a Last.fm scrobble CSV"),
    input, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.files.length) return;
    const body = new FormData();
    body.append("file", input.files[0], input.files[0].name);
    button.disabled = true;
    clear(status, h("span", {}, "Uploading…"));
    try {
      await follow(await api.post(`${BASE}/imports`, body));
      form.reset();
    } catch (error) {
      clear(status, h("p", { role: "alert" }, error.message));
    } finally {
      button.disabled = false;
    }
  });
  refresh().catch(() => null);
  return panel(
    "Import your history",
    h("p", {}, "Bring years of listening from Spotify, ListenBrainz or Last.fm: matched songs join your history, recommendations and Your year. They never count as streams."),
    form, status, h("h3", {}, "Your imports"), list,
  );
}

function tokenPanel() {
  const shown = h("p", { class: "history-token", role: "status" });
  const make = h("button", { type: "button", class: "button" }, "Create token");
  const revoke = h("button", { type: "button", class: "button secondary" }, "Revoke");
  const show = (t) => {
    make.textContent = t.exists ? "New token (the old one stops working)" : "Create token";
    revoke.hidden = !t.exists;
    clear(shown, t.token ? [h("code", { class: "scrobble-token" }, t.token), " Copy it now: it is shown once."] : t.exists ? `You have a token since ${new Date(t.created_at).toLocaleDateString()}.` : "No token yet.");
  };
  make.addEventListener("click", async () => show(await api.post(`${BASE}/scrobble-token`)));
  revoke.addEventListener("click", async () => {
    await api.del(`${BASE}/scrobble-token`);
    show({ exists: false });
  });
  api.get(`${BASE}/scrobble-token`).then(show, () => null);
  return panel(
    "Scrobbling apps",
    h("p", {}, `Apps that scrobble to ListenBrainz can send your plays here: set their ListenBrainz server to ${location.origin} and give them this token.`),
    shown, make, " ", revoke,
  );
}

function forwardingPanel() {
  const list = h("ul", { class: "history-forwarding" });
  const refresh = async () => {
    const found = await api.get(`${BASE}/forwarding`);
    clear(list, found.map((f) => {
      const stop = h("button", { type: "button", class: "button secondary" }, "Stop");
      stop.addEventListener("click", async () => {
        await api.del(`${BASE}/forwarding/${f.service}`);
        await refresh();
      });
      return h("li", {}, `${SOURCES[f.service]}${f.remote_user ? ` as ${f.remote_user}` : ""}`, f.waiting ? ` (${f.waiting} plays waiting)` : "", " ", stop);
    }));
  };
  const field = (service, label) => {
    const input = h("input", { type: "password", id: `forward-${service}`, autocomplete: "off", maxlength: 200 });
    const save = h("button", { type: "submit", class: "button" }, "Forward");
    const form = h("form", { class: "field" }, h("label", { for: `forward-${service}` }, label), input, save);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api.put(`${BASE}/forwarding/${service}`, { secret: input.value });
        form.reset();
        await refresh();
      } catch (error) {
        toast(error.message);
      }
    });
    return form;
  };
  const connect = h("button", { type: "button", class: "button" }, "Connect Last.fm");
  connect.addEventListener("click", async () => {
    try {
      location.assign((await api.get(`${BASE}/forwarding/lastfm/authorize`)).url);
    } catch (error) {
      toast(error.message);
    }
  });
  // Back from Last.fm: /account?connect=lastfm&token=... (the token is used once, then dropped)
  const back = new URLSearchParams(location.search);
  const finish = back.get("connect") === "lastfm" && back.get("token")
    ? api.post(`${BASE}/forwarding/lastfm/session`, { token: back.get("token") }).catch((error) => toast(error.message)).finally(() => history.replaceState(null, "", "/account"))
    : Promise.resolve();
  finish.then(refresh).catch(() => null);
  return panel(
    "Forward your plays",
    h("p", {}, "Send what you play here to your ListenBrainz or Last.fm profile (songs heard for half their length or four minutes)."),
    list,
    field("listenbrainz", "ListenBrainz user token (listenbrainz.org/settings)"),
    h("p", {}, connect),
    field("lastfm", "Or a Last.fm session key"),
  );
}

export function historyPanels() {
  return [importsPanel(), tokenPanel(), forwardingPanel()];
}
