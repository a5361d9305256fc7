import { h, clear, toast, when } from "../dom.js";
import { api, request } from "../api.js";
import { store } from "../store.js";
import { requireSignIn } from "./common.js";
import { RoomAudio } from "../room_audio.js";

const REACTIONS = { clap: "👏", heart: "❤️", laugh: "😂", fire: "🔥", raised_hands: "🙌" };
const ROLE_WORDS = { host: "Host", moderator: "Moderator", speaker: "Speaker", listener: "Listener" };

// One live room: the stage, hands, listeners and reactions; a speaker's microphone; the host's
// and moderators' controls; reports. The socket carries the stage's sound and the room's state.
export async function render(main, { id }) {
  if (requireSignIn(main)) return;
  const base = `/api/v1/rooms/${id}`;
  const room = await api.get(base);
  const myId = store.me.id;
  const status = h("p", { class: "room-status", role: "status" });
  main.append(
    h("header", { class: "room-head" },
      h("h1", {}, room.title),
      h("p", { class: "room-host" }, `Hosted by ${room.host.name}`),
      room.topics.length ? h("ul", { class: "room-topics", "aria-label": "Topics" }, room.topics.map((t) => h("li", { class: "pill" }, t))) : null,
    ),
    status,
  );
  if (room.state === "ended") return showEnded(main, room, status, myId);
  if (room.state === "scheduled") return showScheduled(main, room, status, myId);

  const audio = new RoomAudio();
  const page = { room, me: null, state: null, socket: null, closed: false, micAsked: false };
  window.cadenzaRoom = { audio: audio.stats, framesSent: 0, role: null, removed: false, ended: false, joined: false };
  const stage = h("ul", { class: "room-people room-stage", "aria-label": "Stage" });
  const hands = h("ul", { class: "room-people room-hands", "aria-label": "Raised hands" });
  const listeners = h("ul", { class: "room-people room-listeners", "aria-label": "Listeners" });
  const listenerHeading = h("h2", { id: "room-listeners" }, "Listeners");
  const mine = h("div", { class: "room-actions", role: "group", "aria-label": "Your controls" });
  const reactions = h("div", { class: "room-reactions", role: "group", "aria-label": "Reactions" });
  const reacted = h("p", { class: "room-reacted", "aria-live": "polite" });
  const listen = h("button", { type: "button", class: "button", hidden: true }, "Tap to listen");
  listen.addEventListener("click", async () => {
    await audio.resume();
    listen.hidden = true;
  });
  for (const [kind, glyph] of Object.entries(REACTIONS)) {
    reactions.append(h("button", { type: "button", class: "reaction", "aria-label": `React ${kind.replace("_", " ")}`, onclick: () => act(`${base}/reactions`, { kind }) }, glyph));
  }
  main.append(
    listen,
    h("section", { class: "room-section", "aria-labelledby": "room-stage" }, h("h2", { id: "room-stage" }, "Stage"), stage),
    mine,
    reactions,
    reacted,
    h("section", { class: "room-section", "aria-labelledby": "room-hands" }, h("h2", { id: "room-hands" }, "Raised hands"), hands),
    h("section", { class: "room-section", "aria-labelledby": "room-listeners" }, listenerHeading, listeners),
  );

  async function act(path, body = {}) {
    try {
      await api.post(path, body);
    } catch (error) {
      toast(error.message);
    }
  }

  const moderating = () => page.me && (page.me.role === "host" || page.me.role === "moderator");

  function person(p) {
    const tags = [ROLE_WORDS[p.role]];
    if (p.muted) tags.push("muted");
    if (p.hand) tags.push("hand raised");
    const controls = [];
    if (moderating() && p.id !== myId && p.role !== "host") {
      if (!p.on_stage) controls.push(h("button", { type: "button", class: "button small", onclick: () => act(`${base}/people/${p.id}/stage`) }, "Invite to stage"));
      if (p.on_stage && !p.muted) controls.push(h("button", { type: "button", class: "button small secondary", onclick: () => act(`${base}/people/${p.id}/mute`) }, "Mute"));
      if (p.on_stage) controls.push(h("button", { type: "button", class: "button small secondary", onclick: () => act(`${base}/people/${p.id}/audience`) }, "Move to listeners"));
      if (page.me.role === "host") {
        const mod = p.role === "moderator";
        controls.push(h("button", { type: "button", class: "button small secondary", onclick: () => act(`${base}/people/${p.id}/moderator`, { moderator: !mod }) }, mod ? "Unmake moderator" : "Make moderator"));
      }
      controls.push(h("button", { type: "button", class: "button small secondary", onclick: () => act(`${base}/people/${p.id}/remove`, { block: false }) }, "Remove"));
      controls.push(h("button", { type: "button", class: "button small danger", onclick: () => act(`${base}/people/${p.id}/remove`, { block: true }) }, "Block"));
    }
    if (p.id !== myId) {
      controls.push(h("button", { type: "button", class: "button small secondary", onclick: () => report(p) }, "Report"));
    }
    return h("li", { class: "room-person", dataset: { userId: String(p.id) } },
      h("span", { class: "room-name" }, p.id === myId ? `${p.name} (you)` : p.name),
      h("span", { class: "room-tags" }, tags.join(" · ")),
      controls.length ? h("span", { class: "room-controls" }, controls) : null,
    );
  }

  function report(p) {
    const reason = window.prompt(p ? `What did ${p.name} do?` : "What is wrong with this room?");
    if (!reason) return;
    api.post(`${base}/reports`, { user_id: p ? p.id : null, reason }).then(() => toast("Reported: the admins will look at it."), (e) => toast(e.message));
  }

  function drawMine() {
    const me = page.me;
    if (!me) return;
    const buttons = [];
    if (!me.on_stage) {
      buttons.push(h("button", { type: "button", class: "button", onclick: () => act(`${base}/hand`, { up: !me.hand }) }, me.hand ? "Lower hand" : "Raise hand"));
    } else {
      buttons.push(h("button", { type: "button", class: "button", onclick: () => act(`${base}/mute`, { muted: !me.muted }) }, me.muted ? "Unmute" : "Mute"));
      if (me.role !== "host") buttons.push(h("button", { type: "button", class: "button secondary", onclick: () => act(`${base}/people/${myId}/audience`) }, "Leave the stage"));
    }
    buttons.push(h("button", { type: "button", class: "button secondary", onclick: () => report(null) }, "Report room"));
    if (me.role === "host") {
      buttons.push(h("button", { type: "button", class: "button danger", onclick: async () => {
        if (window.confirm("End the room for everyone?")) await act(`${base}/end`);
      } }, "End room"));
    }
    clear(mine, buttons);
  }

  function drawState(state) {
    page.state = state;
    clear(stage, state.stage.map(person));
    clear(hands, state.hands.length ? state.hands.map(person) : h("li", { class: "hint" }, "No hands raised."));
    clear(listeners, state.listeners.map(person));
    listenerHeading.textContent = `Listeners (${state.listener_count})`;
    const counts = Object.entries(state.reactions || {});
    if (counts.length) reacted.textContent = counts.map(([k, n]) => `${REACTIONS[k] || k} ${n}`).join("  ");
  }

  async function becameMe(me) {
    page.me = me;
    window.cadenzaRoom.role = me.role;
    window.cadenzaRoom.onStage = me.on_stage;
    drawMine();
    if (page.state) drawState(page.state);
    if (me.on_stage && !page.micAsked) {
      page.micAsked = true; // asked once per page: stepping down and up again keeps the microphone
      try {
        await audio.openMicrophone();
        status.textContent = "You are on stage: the room hears you.";
      } catch {
        status.textContent = "The microphone is blocked: allow it in the browser to speak.";
      }
    } else if (me.on_stage) {
      status.textContent = me.muted ? "You are on stage, muted." : "You are on stage: the room hears you.";
    } else {
      status.textContent = "You are listening.";
    }
  }

  function ended(text) {
    page.closed = true;
    audio.close();
    clear(mine);
    reactions.remove();
    status.textContent = text;
  }

  await audio.start();
  listen.hidden = !audio.waiting;
  audio.onFrame = (frame) => {
    const me = page.me;
    if (page.socket?.readyState === WebSocket.OPEN && me?.on_stage && !me.muted) {
      page.socket.send(frame);
      window.cadenzaRoom.framesSent++;
    }
  };
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  // Opus (a tenth of the bytes) where the browser decodes it (WebCodecs), else PCM.
  const codec = (await audio.startDecoder()) ? "opus" : "pcm";
  window.cadenzaRoom.codec = codec;

  // The room's socket, asking to send `send`. Joining again (the same account) replaces the
  // socket before: the server keeps this person's place (the stage, a mute) and closes the
  // old one, whose messages and close are no longer this page's.
  async function connect(send) {
    const ticket = await api.post(`${base}/ticket`);
    const socket = new WebSocket(`${scheme}//${location.host}${ticket.socket_url}&codec=${codec}&send=${send}`);
    socket.binaryType = "arraybuffer";
    page.socket = socket;
    socket.addEventListener("open", () => {
      window.cadenzaRoom.joined = true;
      window.cadenzaRoom.extensions = socket.extensions; // none: the server takes no deflate
    });
    socket.addEventListener("message", (message) => {
      if (socket !== page.socket) return;
      if (typeof message.data !== "string") {
        audio.packet(message.data); // 1 byte kind, 4 bytes sequence, then PCM or Opus
        return;
      }
      const { event, data } = JSON.parse(message.data);
      if (event === "you") {
        if (data.send !== "opus") audio.stopEncoder(); // the server takes PCM only
        window.cadenzaRoom.send = data.send || "pcm";
        becameMe(data);
      }
      else if (event === "state") drawState(data);
      else if (event === "notice") toast(data.text);
      else if (event === "removed") {
        window.cadenzaRoom.removed = true;
        ended(data.blocked ? "You were removed from this room and cannot come back." : "You were removed from this room.");
      } else if (event === "ended") {
        window.cadenzaRoom.ended = true;
        ended("This room has ended.");
      }
    });
    socket.addEventListener("close", (event) => {
      if (socket !== page.socket) return; // replaced by a new join
      if (!page.closed) ended(event.code === 4409 ? "You joined this room from another tab." : "You left the room.");
    });
  }

  // The Opus encoder failed mid-room: join again sending PCM, so the room goes on hearing
  // this speaker (nothing is sent meanwhile).
  audio.onEncoderLost = () => {
    if (page.closed) return;
    window.cadenzaRoom.rejoins = (window.cadenzaRoom.rejoins || 0) + 1;
    connect("pcm").catch(() => {
      status.textContent = "Your voice could not be sent: leave the room and join again.";
    });
  };

  // A speaker's voice as Opus where the browser encodes it (WebCodecs), else PCM.
  await connect((await audio.startEncoder()) ? "opus" : "pcm");
  return () => {
    page.closed = true;
    page.socket?.close();
    audio.close();
  };
}

async function showEnded(main, room, status, myId) {
  status.textContent = `This room has ended${room.ended_at ? ` (${when(room.ended_at)})` : ""}.`;
  if (!room.recording_url) return;
  const player = h("audio", { controls: true, class: "room-recording", "aria-label": "Recording of the room" });
  main.append(h("h2", {}, "Recording"), player);
  if (room.host.id === myId) showPublish(main, room);
  try {
    const answer = await request("GET", room.recording_url, undefined, { raw: true });
    player.src = URL.createObjectURL(await answer.blob());
  } catch (error) {
    player.replaceWith(h("p", { class: "hint" }, error.message));
  }
}

// The host publishes the recording as an episode of one of their hosted shows, in one click
// (the same ingest as an uploaded episode: loudness, the Opus ladder), in the background: the
// page polls the job, says how far it is in words and a bar, then links the episode.
const PUBLISH_STAGES = {
  queued: "Waiting for the ingest…",
  copy: "Reading the recording…",
  encode: "Measuring loudness and encoding…",
  list: "Listing the episode…",
};

async function showPublish(main, room) {
  let shows = [];
  try {
    shows = await api.get("/api/v1/podcaster/shows");
  } catch {
    shows = []; // not a podcaster
  }
  const section = h("section", { class: "room-section room-publish", "aria-labelledby": "room-publish" }, h("h2", { id: "room-publish" }, "Publish"));
  main.append(section);
  if (!shows.length) {
    section.append(h("p", { class: "hint" }, "Create a show in ", h("a", { href: "/podcaster", "data-link": true }, "your podcaster dashboard"), " to publish this recording as an episode."));
    return;
  }
  const show = h("select", { id: "publish-show" }, shows.map((s) => h("option", { value: String(s.id) }, s.title)));
  const title = h("input", { id: "publish-title", type: "text", value: room.title, maxlength: 300 });
  const button = h("button", { type: "button", class: "button" }, "Publish as episode");
  const bar = h("progress", { class: "room-publish-progress", max: "1", value: "0", hidden: true, "aria-label": "Publishing progress" });
  const said = h("p", { class: "room-published", role: "status" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    said.textContent = "Publishing…";
    try {
      let job = await api.post(`/api/v1/rooms/${room.id}/episode`, { show_id: Number(show.value), title: title.value });
      bar.hidden = false;
      while (job.status === "queued" || job.status === "processing") {
        bar.value = job.progress;
        said.textContent = `${PUBLISH_STAGES[job.status === "queued" ? "queued" : job.stage] || "Publishing…"} ${Math.round(job.progress * 100)}%`;
        if (!main.isConnected) return; // the page was left: the job goes on on the server
        await new Promise((r) => setTimeout(r, 1000));
        job = await api.get(job.status_url);
      }
      if (job.status === "failed") {
        bar.hidden = true;
        said.textContent = `Not published: ${(job.error && job.error.message) || "the recording could not be published."}`;
        button.disabled = false;
        return;
      }
      bar.value = 1;
      clear(said);
      said.append("Published: ", h("a", { href: `/episode/${job.episode.id}`, "data-link": true }, job.episode.title));
    } catch (error) {
      bar.hidden = true;
      said.textContent = error.message;
      button.disabled = false;
    }
  });
  section.append(
    h("label", { for: "publish-show" }, "Show"), show,
    h("label", { for: "publish-title" }, "Episode title"), title,
    button, bar, said,
  );
}

function showScheduled(main, room, status, myId) {
  status.textContent = `Scheduled for ${new Date(room.starts_at).toLocaleString()}.`;
  if (room.host.id !== myId) return;
  const start = h("button", { type: "button", class: "button" }, "Open the room now");
  start.addEventListener("click", async () => {
    await api.post(`/api/v1/rooms/${room.id}/start`);
    location.reload();
  });
  main.append(h("div", { class: "actions" }, start));
}
