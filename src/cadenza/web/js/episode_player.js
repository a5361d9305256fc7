// Episodes in the player bar: one <audio> for podcasts beside the music's decks, never both at
// once. An episode resumes where the account stopped (on any device), is saved as it plays and
// reaches the other devices; speed 0.5x-3x and a sleep timer; chapters; the next episode of the
// list it was started from plays after it, with a Free plan's ad break between the two, never
// inside one. Podcasts are free on every plan: no skip limit, any order.
import { api, deviceId } from "./api.js";
import { h } from "./dom.js";
import { player } from "./player.js";
import { playAdBreak } from "./ads.js";
import { devices } from "./devices.js";

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
const SLEEP = [["off", "Off"], ["5", "5 minutes"], ["15", "15 minutes"], ["30", "30 minutes"], ["60", "1 hour"], ["end", "End of episode"]];
const SAVE_EVERY_MS = 10_000;

class EpisodePlayer {
  constructor() {
    this.current = null; // the episode in the bar, as GET /episodes/{id} gives it
    this.list = []; // the episode ids it was started among, in playing order
    this.audio = null;
    this.started = false; // the audio is loaded for `current`
    this.lastSaved = -1;
    this.speed = 1;
    this.sleep = "off";
    this.sleepTimer = null;
    this.sleepUntil = null;
    this.between = false; // an ad break plays between two episodes
    this.remote = null; // another device plays `current`: its last state, and when it came
    setInterval(() => this.playing() && (this.save(), this.report()), SAVE_EVERY_MS);
    window.addEventListener("pagehide", () => this.save());
    // Music started: the episode stops where it is (one player only).
    player.addEventListener("change", () => {
      if (this.current && !this.between && !player.ad && player.playing()) this.stop();
    });
    document.addEventListener("cadenza:episode-position", (event) => this.heard(event.detail));
    document.addEventListener("cadenza:episode-state", (event) => this.elsewhere(event.detail));
    document.addEventListener("cadenza:episode-command", (event) => this.obey(event.detail));
    setInterval(() => this.remote?.state.playing && player.emit("time"), 500);
    player.addEventListener("volume", () => this.audio && (this.audio.volume = ((player.volume ?? 100) / 100) ** 2));
  }

  me() {
    return devices.id || deviceId();
  }

  ensureAudio() {
    if (!this.audio) {
      this.audio = h("audio", { preload: "none", class: "episode-audio", hidden: true });
      document.body.append(this.audio);
      for (const kind of ["play", "playing", "pause", "loadedmetadata", "ratechange"]) this.audio.addEventListener(kind, () => player.emit());
      this.audio.addEventListener("pause", () => this.save());
      for (const kind of ["playing", "pause", "seeked", "ratechange"]) this.audio.addEventListener(kind, () => this.report());
      this.audio.addEventListener("timeupdate", () => player.emit("time"));
      this.audio.addEventListener("ended", () => this.ended());
      this.audio.addEventListener("error", () => this.reload());
    }
    this.audio.volume = ((player.volume ?? 100) / 100) ** 2;
    return this.audio;
  }

  playing() {
    return Boolean(this.audio && this.current && !this.audio.paused);
  }

  // What the bar shows: this page's audio, or the state of the device that plays the episode.
  shownPlaying() {
    return this.remote ? this.remote.state.playing : this.playing();
  }

  positionMs() {
    if (this.remote) {
      const { state, at } = this.remote;
      return Math.min(state.position_ms + (state.playing ? (performance.now() - at) * state.speed : 0), this.durationMs() || Infinity);
    }
    return this.audio && this.started ? Math.round(this.audio.currentTime * 1000) : this.current?.progress?.position_ms || 0;
  }

  durationMs() {
    const known = this.audio && Number.isFinite(this.audio.duration) ? this.audio.duration * 1000 : 0;
    return this.current?.duration_ms || Math.round(known);
  }

  async grant(starting) {
    const answer = await api.post(`/api/v1/episodes/${this.current.id}/stream`, { quality: "normal", starting });
    return answer.url;
  }

  // Plays an episode in the bar from where the account stopped (`from`: a place asked for,
  // a chapter's start). `list`: the episodes it was started among, for what plays next.
  async play(id, { list = null, from = null } = {}) {
    const audio = this.ensureAudio();
    if (this.current?.id === Number(id) && this.started) {
      if (from !== null) audio.currentTime = from / 1000;
      if (audio.paused) await audio.play();
      return;
    }
    await this.save();
    this.remote = null; // it plays here now
    if (player.playing() && !player.ad) await player.pause(); // one player only
    const episode = await api.get(`/api/v1/episodes/${encodeURIComponent(id)}`);
    if (list) this.list = list.map(Number);
    if (!this.list.includes(episode.id)) this.list = [episode.id];
    this.current = episode;
    this.started = false;
    this.lastSaved = -1;
    player.emit();
    audio.src = await this.grant(true);
    const resume = episode.progress && !episode.progress.played ? episode.progress.position_ms : 0;
    await new Promise((resolve) => {
      audio.addEventListener("loadedmetadata", resolve, { once: true });
      audio.load();
    });
    this.started = true;
    audio.currentTime = (from ?? resume) / 1000;
    this.applySpeed();
    await audio.play();
    this.announce();
  }

  async toggle() {
    if (!this.current) return;
    if (this.remote) return this.sendCommand({ action: this.remote.state.playing ? "pause" : "play" });
    const audio = this.ensureAudio();
    if (!this.started) return this.play(this.current.id);
    if (audio.paused) {
      if (player.playing() && !player.ad) await player.pause();
      await audio.play();
    } else audio.pause();
  }

  pause() {
    if (this.playing()) this.audio.pause();
  }

  seek(positionMs) {
    if (this.remote) return this.sendCommand({ action: "seek", position_ms: Math.max(0, Math.round(positionMs)) });
    if (!this.current || !this.started) return;
    const total = this.durationMs() || positionMs;
    this.audio.currentTime = Math.max(0, Math.min(positionMs, total - 250)) / 1000;
    player.emit("time");
    this.save();
  }

  seekBy(deltaMs) {
    this.seek(this.positionMs() + deltaMs);
  }

  // The chapter playing now (the last that started at or before the position).
  chapter() {
    const now = this.positionMs();
    let found = null;
    for (const c of this.current?.chapters || []) if (c.start_ms <= now) found = c;
    return found;
  }

  nextChapter() {
    const after = (this.current?.chapters || []).find((c) => c.start_ms > this.positionMs() + 500);
    if (after) this.seek(after.start_ms);
  }

  upNext() {
    const at = this.list.indexOf(this.current?.id);
    return at >= 0 ? this.list[at + 1] ?? null : null;
  }

  hasPrevious() {
    return this.list.indexOf(this.current?.id) > 0;
  }

  // Any other episode, at any time, on every plan; between two episodes a Free plan's break.
  async skipTo(id) {
    if (!id) return;
    this.pause();
    await this.save();
    await this.adBreak();
    await this.play(id);
  }

  next() {
    return this.skipTo(this.upNext());
  }

  previous() {
    if (this.positionMs() > 5000 || !this.hasPrevious()) return this.seek(0);
    return this.skipTo(this.list[this.list.indexOf(this.current.id) - 1]);
  }

  async adBreak() {
    this.between = true;
    try {
      await playAdBreak(player);
    } catch {
      /* no break could play: the episodes go on */
    } finally {
      player.ad = null;
      this.between = false;
      player.emit();
    }
  }

  async ended() {
    await this.save(this.durationMs()); // played: it counts towards the next ad break
    if (this.sleep === "end") {
      this.setSleep("off", "Sleep timer: stopped");
      return;
    }
    const next = this.upNext();
    if (next) await this.skipTo(next);
  }

  async reload() {
    if (!this.started || !this.current) return;
    const at = this.audio.currentTime; // the grant lasts a minute: a fresh one, the same place
    this.audio.src = await this.grant(false);
    this.audio.currentTime = at;
    this.applySpeed();
    this.audio.play().catch(() => {});
  }

  // One save at a time, in order: an episode's end (a pause, then the end) is saved once.
  save(at = null) {
    if (!this.current || !this.started) return this.saving || Promise.resolve();
    const episode = this.current;
    const position = Math.round(at ?? this.positionMs());
    this.saving = (this.saving || Promise.resolve()).then(() => this.send(episode, position));
    return this.saving;
  }

  async send(episode, position) {
    if (episode === this.current && position === this.lastSaved) return;
    if (episode === this.current) this.lastSaved = position;
    try {
      episode.progress = await api.put(`/api/v1/me/episodes/${episode.id}/position`, { position_ms: position, device_id: this.me() });
    } catch {
      /* signed out, or the network dropped: the next save says it */
    }
  }

  // Another device moved on in an episode: while this one is not playing it, resume from there.
  heard(moved) {
    if (moved.from_device_id && moved.from_device_id === this.me()) return;
    if (!this.current || moved.episode_id !== this.current.id || this.playing()) return;
    this.current.progress = { position_ms: moved.position_ms, played: moved.played, updated_at: moved.updated_at };
    if (this.started) this.audio.currentTime = moved.position_ms / 1000;
    this.lastSaved = moved.position_ms;
    player.emit();
  }

  stop() {
    this.pause();
    this.save();
    this.current = null;
    this.remote = null;
    this.started = false;
    this.setSleep("off");
    player.emit();
  }

  setSpeed(speed) {
    this.speed = Math.max(0.5, Math.min(3, Number(speed) || 1));
    if (this.remote) return this.sendCommand({ action: "speed", speed: this.speed });
    this.applySpeed();
    player.emit();
  }

  applySpeed() {
    if (!this.audio) return;
    this.audio.playbackRate = this.speed;
    this.audio.defaultPlaybackRate = this.speed;
  }

  setSleep(value, said = null) {
    clearTimeout(this.sleepTimer);
    this.sleepTimer = null;
    this.sleepUntil = null;
    this.sleep = value;
    this.sleepSaid = said;
    if (value !== "off" && value !== "end") {
      const minutes = Number(value);
      this.sleepUntil = Date.now() + minutes * 60_000;
      this.sleepTimer = setTimeout(() => {
        this.pause();
        this.setSleep("off", "Sleep timer: stopped");
      }, minutes * 60_000);
    }
    player.emit();
  }

  sleepText() {
    if (this.sleep === "end") return "Stops at the end of this episode";
    if (this.sleepUntil) return `Stops in ${Math.max(1, Math.round((this.sleepUntil - Date.now()) / 60_000))} min`;
    return this.sleepSaid || "";
  }

  // -- remote control: this device says what it plays; another page of the account sends
  // commands to it, and shows its state in the bar -----------------------------------------
  // Debounced: a start's seek, rate and play events say one state, sent once, in order.
  report() {
    clearTimeout(this.reporting);
    this.reporting = setTimeout(() => this.sendState(), 250);
  }

  sendState() {
    if (!this.current || !this.started || this.remote || !devices.id) return;
    const state = { episode_id: this.current.id, device_id: devices.id, position_ms: this.positionMs(), playing: this.playing(), speed: this.speed };
    api.put("/api/v1/me/episode-player", state).catch(() => {});
  }

  async sendCommand(command) {
    const { state } = this.remote;
    try {
      await api.post("/api/v1/me/episode-player/commands", { episode_id: state.episode_id, device_id: state.device_id, from_device_id: devices.id, ...command });
    } catch (error) {
      player.setNotice(error);
    }
  }

  obey(command) {
    if (!this.current || !this.started || this.remote || command.episode_id !== this.current.id) return;
    if (command.action === "pause") this.pause();
    else if (command.action === "play" && this.audio.paused) this.audio.play().catch(() => {});
    else if (command.action === "seek") this.seek(command.position_ms);
    else if (command.action === "speed") this.setSpeed(command.speed);
  }

  // Another device plays (or paused) an episode: this page stops its own and shows that one.
  async elsewhere(state) {
    if (state.device_id === devices.id) return;
    if (this.started && !this.remote) {
      if (!state.playing) return; // paused there: this page's own episode stays
      this.pause();
    }
    if (this.current?.id !== state.episode_id) {
      const episode = await api.get(`/api/v1/episodes/${state.episode_id}`).catch(() => null);
      if (!episode) return;
      this.current = episode;
    }
    this.started = false;
    this.remote = { state, at: performance.now() };
    this.speed = state.speed;
    player.emit();
  }

  playingOn() {
    if (!this.remote) return "";
    const found = devices.list.find((d) => d.id === this.remote.state.device_id);
    return `Playing on ${found ? found.name : "another device"}`;
  }

  announce() {
    const live = document.getElementById("now-playing-live");
    if (live && this.current) live.textContent = `Now playing: ${this.current.title} from ${this.current.show.title}`;
  }
}

export const episodes = new EpisodePlayer();
window.cadenzaEpisodes = episodes; // for the browser tests and the curious

// The bar's episode controls: speed and the sleep timer, shown while an episode is in the bar.
export function episodeControls() {
  const speed = h("select", { "aria-label": "Playback speed", class: "episode-speed" }, SPEEDS.map((s) => h("option", { value: String(s) }, `${s}x`)));
  speed.addEventListener("change", () => episodes.setSpeed(speed.value));
  const sleep = h("select", { "aria-label": "Sleep timer", class: "episode-sleep" }, SLEEP.map(([v, label]) => h("option", { value: v }, label)));
  sleep.addEventListener("change", () => episodes.setSleep(sleep.value));
  const left = h("span", { class: "sleep-left", role: "status" });
  const where = h("span", { class: "episode-elsewhere", role: "status" });
  const box = h("div", { class: "episode-bar-controls", hidden: true }, speed, sleep, left, where);
  const draw = () => {
    box.hidden = !episodes.current || Boolean(player.ad);
    sleep.hidden = Boolean(episodes.remote); // the sleep timer is the playing device's
    where.textContent = episodes.playingOn();
    speed.value = String(episodes.speed);
    sleep.value = episodes.sleep;
    left.textContent = episodes.sleepText();
  };
  player.addEventListener("change", draw);
  setInterval(() => episodes.sleepUntil && draw(), 15_000);
  draw();
  return box;
}
