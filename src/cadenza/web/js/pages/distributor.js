import { h, clear, errorBox, showError } from "../dom.js";
import { api } from "../api.js";
import { hasRole } from "../store.js";
import { releaseCard, shelf } from "./common.js";
import { signedInOnly } from "./accountnav.js";
import { flaggedTracks } from "./fraud.js";
import { pitchState } from "./pitch.js";

const AUDIO = /\.(mp3|flac|ogg|oga|opus|m4a|mp4|wav|aiff?|zip)$/i;
const OTHER = /\.(jpe?g|png|json)$/i;

// One upload with its progress (XHR: fetch has no upload progress).
function upload(files, token, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    files.forEach((f) => form.append("files", f, f.name));
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/distributor/releases");
    xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (e) => e.lengthComputable && onProgress(e.loaded / e.total));
    xhr.addEventListener("load", () => (xhr.status === 202 ? resolve(xhr.response) : reject(xhr.response?.error || { message: `The server answered ${xhr.status}.` })));
    xhr.addEventListener("error", () => reject({ message: "The upload was interrupted." }));
    xhr.send(form);
  });
}

export async function render(main) {
  if (signedInOnly(main)) return;
  main.append(h("h1", {}, "Distributor"));
  if (!hasRole("distributor")) {
    main.append(h("p", { class: "lead" }, "This page is for distributor accounts. Ask your operator for the distributor role."));
    return;
  }
  const error = errorBox();
  const input = h("input", { type: "file", id: "delivery-files", multiple: true, accept: ".zip,.mp3,.flac,.ogg,.opus,.m4a,.wav,.aif,.aiff,.jpg,.jpeg,.png,.json" });
  const list = h("ul", { class: "file-list", "aria-label": "Files to deliver" });
  const bar = h("progress", { max: "1", value: "0", "aria-label": "Upload progress", hidden: true });
  const status = h("p", { role: "status" });
  const send = h("button", { type: "submit", class: "button", disabled: true }, "Deliver");
  const rows = new Map();
  input.addEventListener("change", () => {
    rows.clear();
    const files = [...input.files];
    clear(list, files.map((f) => {
      const note = h("span", {}, AUDIO.test(f.name) || OTHER.test(f.name) ? (f.size >= 1e6 ? `${(f.size / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(f.size / 1e3))} kB`) : "not a file a delivery takes");
      const row = h("li", {}, h("span", {}, f.name), note);
      if (!AUDIO.test(f.name) && !OTHER.test(f.name)) row.classList.add("bad");
      rows.set(f.name, { row, note });
      return row;
    }));
    send.disabled = !files.length || files.some((f) => !AUDIO.test(f.name) && !OTHER.test(f.name));
  });
  const markFile = (name, message) => {
    const found = name && [...rows.entries()].find(([n]) => name === n || name.endsWith(`/${n}`));
    if (found) {
      found[1].row.classList.add("bad");
      found[1].note.textContent = message;
    }
  };
  const form = h(
    "form",
    { class: "auth-form" },
    h("div", { class: "field" }, h("label", { for: "delivery-files" }, "A .zip, or the audio files with the cover and release.json"), input),
    list,
    bar,
    status,
    error,
    send,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    send.disabled = true;
    bar.hidden = false;
    try {
      const token = await api.token();
      const delivery = await upload([...input.files], token, (share) => {
        bar.value = share;
        status.textContent = `Uploading… ${Math.round(share * 100)}%`;
      });
      status.textContent = "Uploaded. Checking the files…";
      await follow(delivery, bar, status, error, markFile);
      await drawReleases();
    } catch (e) {
      showError(error, { message: e.file ? `${e.file}: ${e.message}` : e.message });
      markFile(e.file, e.message);
    } finally {
      send.disabled = false;
    }
  });
  const releases = h("div");
  const drawReleases = async () => {
    const page = await api.get("/api/v1/distributor/releases?limit=50");
    clear(releases, page.items.length ? shelf("Your releases", page.items.map(releaseCard)) : h("p", { class: "hint" }, "Nothing delivered yet."));
    const artists = await api.get("/api/v1/me/stats/artists").catch(() => []);
    if (artists.length) {
      releases.append(h("section", { class: "panel", "aria-labelledby": "stats-heading" }, h("h2", { id: "stats-heading" }, "Your artists' statistics"), h("ul", { class: "blend-list" }, artists.map((a) => h("li", {}, h("a", { href: `/artist-stats/${a.id}`, "data-link": true }, a.name))))));
    }
  };
  const statements = h("section", { class: "panel", "aria-labelledby": "royalties-heading" }, h("h2", { id: "royalties-heading" }, "Royalty statements"));
  main.append(h("section", { class: "panel", "aria-labelledby": "upload-heading" }, h("h2", { id: "upload-heading" }, "Deliver a release"), form), releases, statements);
  await Promise.all([drawReleases(), drawStatements(statements)]);
  main.append(await comingReleases());
  main.append(await artistClaims());
  main.append(await flaggedTracks());
}

// A file from the API (the bearer token goes with it, so not a plain link), saved by the browser.
async function download(url, fallbackName) {
  const response = await api.get(url, { raw: true });
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "")?.[1] || fallbackName;
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name, hidden: true });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

const MONTH_NAME = (month) => new Date(`${month}-01T00:00:00Z`).toLocaleDateString(undefined, { year: "numeric", month: "long", timeZone: "UTC" });
const DAY = (iso) => new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });

async function drawStatements(section) {
  const error = errorBox();
  let items = [];
  try {
    items = await api.get("/api/v1/distributor/royalties");
  } catch (e) {
    showError(error, e);
  }
  if (!items.length) {
    section.append(error, h("p", { class: "hint" }, "No closed month yet: statements appear here once a month is closed."));
    return;
  }
  const button = (label, url, name) => {
    const b = h("button", { type: "button", class: "button small secondary" }, label);
    b.addEventListener("click", async () => {
      showError(error, null);
      try {
        await download(url, name);
      } catch (e) {
        showError(error, e);
      }
    });
    return b;
  };
  const list = h("ul", { class: "file-list statements", "aria-label": "Royalty statements" }, items.map((s) => h(
    "li",
    { "data-month": s.month },
    h("span", { class: "statement-what" }, h("strong", {}, MONTH_NAME(s.month)), h("br"), `${s.amount} ${s.currency} · ${s.lines} lines · `, s.paid_at ? `paid ${DAY(s.paid_at)}` : `payable ${DAY(s.payable_at)}`),
    h("span", { class: "row" }, button("CSV", s.csv_url, `royalties-${s.month}.csv`), button("DSR", s.dsr_url, `royalties-${s.month}.tsv`)),
  )));
  section.append(error, list);
}

// The releases still to come, each with its pitch to the editors or the way to make one (for a
// release delivered at least 7 days before its release date, pitched that early too).
async function comingReleases() {
  const list = h("ul", { class: "file-list coming-releases", "aria-label": "Coming releases" });
  const error = h("p", { class: "claim-error", role: "alert", hidden: true });
  try {
    const coming = await api.get("/api/v1/distributor/coming-releases");
    list.append(...coming.map((c) => h(
      "li",
      { "data-release": String(c.release_id) },
      h("span", {}, `${c.title} · out ${DAY(c.release_date)}`),
      h("span", {}, c.pitch ? pitchState(c.pitch) : c.pitchable ? h("a", { href: `/distributor/pitch/${c.release_id}`, "data-link": true, class: "button small" }, "Pitch to editors") : "Not pitchable: delivered or due less than 7 days before its release date"),
    )));
    if (!coming.length) list.append(h("li", {}, "No release to come: deliver one at least 7 days before its release date to pitch it to our editors."));
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
  return h("section", { class: "panel", "aria-labelledby": "pitch-heading" }, h("h2", { id: "pitch-heading" }, "Pitch to editors"), error, list);
}

// Claims of the artists this distributor delivers: approve (the account then speaks for the
// artist) or reject.
async function artistClaims() {
  const list = h("ul", { class: "file-list", "aria-label": "Artist claims" });
  const error = h("p", { class: "claim-error", role: "alert", hidden: true }); // the upload form has the page's .form-error
  const showError = (box, e) => {
    box.textContent = e ? e.message : "";
    box.hidden = !e;
  };
  const draw = async () => {
    const waiting = await api.get("/api/v1/distributor/artist-claims");
    clear(list, waiting.length ? waiting.map((c) => h("li", { class: "claim" }, h("span", {}, `${c.account_name} claims ${c.artist_name}`, c.message ? h("span", { class: "card-sub" }, ` “${c.message}”`) : null), h("span", { class: "buttons" }, ["Approve", "Reject"].map((label) => h("button", { type: "button", class: label === "Approve" ? "button small" : "button secondary small", onclick: async () => {
      showError(error, null);
      try {
        await api.post(`/api/v1/distributor/artist-claims/${c.id}/decision`, { approve: label === "Approve" });
        await draw();
      } catch (e) {
        showError(error, e);
      }
    } }, label))))) : h("li", {}, "No claim is waiting."));
  };
  await draw().catch((e) => showError(error, e));
  return h("section", { class: "panel" }, h("h2", {}, "Artist claims"), error, list);
}

// The pipeline's stages in a distributor's words; the bar moves as songs are done and, before
// the first is, says that work goes on (no value: an indeterminate bar).
const STAGES = { read: "Reading and checking the files", transcode: "Preparing the audio for streaming" };

function showProcessing(current, bar, status) {
  const progress = current.progress || 0;
  if (progress > 0) bar.value = progress;
  else bar.removeAttribute("value");
  const doing = current.status === "queued" ? "Waiting for its turn" : STAGES[current.stage] || "Processing";
  status.textContent = `${doing}…${progress > 0 ? ` ${Math.round(progress * 100)}% done` : ""}`;
}

async function follow(delivery, bar, status, error, markFile) {
  let current = delivery;
  for (;;) {
    if (current.status === "published") {
      bar.value = 1;
      clear(status, "Published. ", h("a", { href: `/release/${current.release_id}`, "data-link": true }, "Open the release"));
      return;
    }
    if (current.status === "failed") {
      const e = current.error || {};
      showError(error, { message: e.file ? `${e.file}: ${e.message}` : e.message || "The delivery failed." });
      markFile(e.file, e.message);
      status.textContent = "Refused: nothing was published.";
      return;
    }
    showProcessing(current, bar, status);
    await new Promise((r) => setTimeout(r, 1000));
    current = await api.get(current.status_url);
  }
}
