// The player: the server's player API decides what plays (plan rules, skips, ads); this page
// plays the granted audio through Web Audio (normalisation gain, crossfade, volume) on two
// decks, fetches the next grant ahead for gapless playback, and reports listening events.
import { api, cached, deviceId } from "./api.js";
import { store } from "./store.js";
import { playAdBreak } from "./ads.js";
import { Deck } from "./deck.js";
import { listeningMethods } from "./listening.js";
import { olderThan, remoteMethods } from "./remote.js";
import { devices, onFeed, registerDevice, deviceReady, closeFeed, markActive, myGroup, playingElsewhere } from "./devices.js";

const SOURCES = {
  artist: "artist",
  release: "release",
  playlist: "own_playlist",
  liked: "library",
  search: "search",
  daily_mix: "algorithmic",
  radio: "algorithmic",
  plan_mix: "algorithmic",
  taste_mix: "algorithmic",
  release_radar: "algorithmic",
  discover_weekly: "algorithmic",
};

const SETTINGS = "cadenza.settings";
const HEARTBEAT_MS = 15000;
const PREFETCH_S = 30;
const RENEW_BEFORE_MS = 25000; // a grant lasts a minute: renewed while this much of it is left

function loadSettings() {
  const defaults = { quality: "auto", normalise: true, crossfade: 0 };
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(SETTINGS) || "{}") };
  } catch {
    return defaults;
  }
}


class Player extends EventTarget {
  constructor() {
    super();
    this.settings = loadSettings();
    this.state = null; // the server's player state
    this.track = null; // the current track with its release
    this.decks = null;
    this.active = 0;
    this.ahead = null; // {grant, deck} fetched ahead
    this.pending = []; // listening events not sent yet
    this.notice = null; // a refusal shown in place: {code, message, at}
    this.ad = null; // the ad playing: {ad, index, count}
    this.fading = false;
    this.context = null;
    this.lastHeartbeat = 0;
    this.grouped = null; // the speaker group this page plays in, started by the server
    this.groupReporter = null; // the member that reports the group's listening
    this.busy = 0; // this page's own commands in flight: the feed's echo of them is skipped
    // While one of this page's commands runs, the feed's echo of it is not applied again.
    for (const name of ["play", "resume", "next", "previous", "pause", "seek", "trackEnded", "runAds", "setQuality"]) {
      const run = this[name].bind(this);
      this[name] = async (...args) => {
        this.busy += 1;
        try {
          return await run(...args);
        } finally {
          this.busy -= 1;
        }
      };
    }
    setInterval(() => this.flush(), 5000);
    window.addEventListener("pagehide", () => this.flush({ keepalive: true }));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state) this.refresh();
    });
  }

  get deck() {
    return this.ensureDecks()[this.active];
  }

  get spare() {
    return this.ensureDecks()[1 - this.active];
  }

  ensureDecks() {
    if (!this.decks) {
      this.decks = [new Deck(this, "a"), new Deck(this, "b")];
      this.decks[0].audio.dataset.active = "true";
    }
    return this.decks;
  }

  // Web Audio starts on the listener's first gesture (browsers' autoplay rules).
  ensureAudio() {
    this.ensureDecks();
    if (!this.context) {
      const Context = window.AudioContext || window.webkitAudioContext;
      this.context = new Context({ latencyHint: "playback" });
      this.master = this.context.createGain();
      this.master.connect(this.context.destination);
      this.decks.forEach((d) => d.connect(this.context, this.master));
      this.applyVolume();
    }
    if (this.context.state === "suspended") this.context.resume();
  }

  emit(kind = "change") {
    this.dispatchEvent(new Event(kind));
  }

  save() {
    localStorage.setItem(SETTINGS, JSON.stringify(this.settings));
    this.emit();
  }

  // The quality to ask for: the listener's choice where the plan has it; null for Automatic,
  // and the server answers with the plan's best lossy quality. The server knows the plan before
  // the page has loaded it, so a first play and its replay ask for the same file (one cache key).
  quality() {
    const wanted = this.settings.quality;
    const allowed = store.plan?.features?.qualities || ["low", "normal", "high"];
    return wanted !== "auto" && allowed.includes(wanted) ? wanted : null;
  }

  qualityQuery() {
    const quality = this.quality();
    return quality ? `?quality=${quality}` : "";
  }

  playing() {
    return Boolean(this.ad?.playing) || (this.decks && !this.deck.audio.paused);
  }

  // The device this page plays as: its registered id, or the browser's id without a registry.
  me() {
    return devices.id || deviceId();
  }

  mine(state = this.state) {
    return !state?.device || state.device === this.me();
  }

  // Another device plays, and is there: this page's buttons control it through the server.
  remote() {
    return Boolean(devices.available && !this.mine() && playingElsewhere(this.state));
  }

  setNotice(error) {
    this.notice = error ? { code: error.code, message: error.message, at: Date.now() } : null;
    this.emit("notice");
  }

  // -- commands ------------------------------------------------------------------------
  async play(body) {
    this.ensureAudio();
    this.setNotice(null);
    await deviceReady(); // the play is this device's: its registered id, not the browser's
    const { source, ...command } = body; // where the listener started it (the page knows)
    this.sourceHint = source ? { context: command.context || null, source } : null;
    const request = { ...command, device: this.me(), quality: this.quality() };
    try {
      const state = await api.put("/api/v1/me/player/play", request);
      const reported = this.finishCurrent("skip"); // off the path to the first sound
      await this.apply(state, { start: true });
      await reported;
    } catch (error) {
      if (error.code === "ad_break_due") {
        await this.runAds();
        return this.play(body);
      }
      throw error; // the page shows why, where the listener clicked
    }
  }

  // Where the playing track was started from, for the start event's `source` (the artists'
  // statistics): the page's word for its play, else the player's context (autoplay and Radio
  // that take over are algorithmic).
  playSource() {
    const context = this.state?.context;
    const hint = this.sourceHint;
    if (hint && (!context || context.kind === "track" || (hint.context && hint.context.kind === context.kind && hint.context.id === context.id))) {
      return hint.source;
    }
    return SOURCES[context?.kind] || "other";
  }

  async toggle() {
    if (this.ad) return this.ad.toggle();
    if (!this.state?.track_id) return;
    if (this.remote()) return this.remoteToggle();
    if (this.playing()) return this.pause();
    return this.resume();
  }

  async remoteToggle() {
    try {
      this.state = await api.put(this.state.playing ? "/api/v1/me/player/pause" : "/api/v1/me/player/resume");
    } catch (error) {
      this.setNotice(error);
    }
    this.emit();
  }

  async pause() {
    if (this.decks) this.deck.audio.pause();
    try {
      this.state = await api.put("/api/v1/me/player/pause");
    } catch (error) {
      this.setNotice(error);
    }
    this.emit();
  }

  async resume() {
    this.ensureAudio();
    this.setNotice(null);
    await deviceReady();
    try {
      const state = await api.put(`/api/v1/me/player/resume?device=${encodeURIComponent(this.me())}`);
      if (this.deck.grant?.track_id === state.track_id && this.deck.audio.src) {
        this.state = state; // the audio is here already: go on where it paused
        markActive(state.device);
        await this.deck.audio.play();
        this.emit();
      } else {
        await this.apply(state, { start: true, position: state.progress_ms });
      }
    } catch (error) {
      if (error.code === "ad_break_due") return this.runAds();
      this.setNotice(error);
    }
  }

  async next() {
    if (this.ad || !this.state?.track_id) return;
    this.setNotice(null);
    try {
      const state = await api.post(`/api/v1/me/player/next${this.qualityQuery()}`);
      const reported = this.finishCurrent("skip");
      await this.apply(state, { start: true });
      await reported;
    } catch (error) {
      if (error.code === "ad_break_due") {
        await this.finishCurrent("skip");
        return this.runAds();
      }
      this.setNotice(error);
    }
  }

  async previous() {
    if (this.ad || !this.state?.track_id) return;
    this.setNotice(null);
    const before = this.state.track_id;
    try {
      const state = await api.post(`/api/v1/me/player/previous${this.qualityQuery()}`);
      if (state.track_id === before) {
        this.recordSeek(this.deck, 0);
        this.deck.audio.currentTime = 0;
        this.state = state;
        this.emit();
        return;
      }
      await this.finishCurrent("skip");
      await this.apply(state, { start: true });
    } catch (error) {
      this.setNotice(error);
    }
  }

  async seek(positionMs) {
    if (!this.ad && this.remote()) return this.remoteSeek(positionMs);
    if (this.ad || !this.decks || !this.deck.grant) return;
    const target = Math.max(0, Math.min(positionMs, this.deck.grant.duration_ms - 250));
    this.recordSeek(this.deck, target);
    this.deck.audio.currentTime = target / 1000;
    this.emit("time");
    try {
      const state = await api.put("/api/v1/me/player/seek", { position_ms: Math.round(target) });
      // A seek near the end: the song may have ended, and the next one's state come, before
      // this answer did; it is older then, and must not take the player back a song.
      if (!olderThan(state, this.state)) this.state = state;
    } catch (error) {
      this.setNotice(error);
    }
  }

  seekBy(deltaMs) {
    if (!this.ad && this.remote()) return this.remoteSeek(this.remotePosition() + deltaMs);
    if (!this.decks || !this.deck.grant) return;
    return this.seek(this.deck.positionMs() + deltaMs);
  }

  async setShuffle(on) {
    try {
      this.state = await api.put("/api/v1/me/player/shuffle", { state: on });
      this.setNotice(null);
      this.dropPrefetch();
    } catch (error) {
      this.setNotice(error);
    }
    this.emit();
  }

  async setRepeat(mode) {
    try {
      this.state = await api.put("/api/v1/me/player/repeat", { state: mode });
      this.dropPrefetch();
    } catch (error) {
      this.setNotice(error);
    }
    this.emit();
  }

  setVolume(percent) {
    this.volume = percent;
    this.applyVolume();
    this.emit("volume");
    clearTimeout(this.volumeTimer);
    this.volumeTimer = setTimeout(() => {
      api.put("/api/v1/me/player/volume", { percent }).catch(() => null);
    }, 400);
  }

  applyVolume() {
    const percent = this.volume ?? this.state?.volume ?? 100;
    if (this.master) this.master.gain.value = (percent / 100) ** 2;
  }

  async enqueue(trackId) {
    try {
      this.state = await api.post("/api/v1/me/player/queue", { track_id: trackId });
      this.dropPrefetch();
      this.emit();
      return true;
    } catch (error) {
      this.setNotice(error);
      return false;
    }
  }

  async setQuality(quality) {
    this.settings.quality = quality;
    this.save();
    this.dropPrefetch();
    const deck = this.decks && this.deck;
    if (!deck?.grant) return;
    try {
      const grant = await this.askGrant(deck.grant.track_id);
      const position = deck.positionMs();
      const wasPlaying = !deck.audio.paused;
      const play = deck.play;
      deck.quiet = true;
      deck.load(grant, position);
      deck.play = play; // the same play of the track, in another quality
      if (wasPlaying) await deck.audio.play();
      deck.quiet = false;
      this.emit();
    } catch (error) {
      this.setNotice(error);
    }
  }

  setNormalise(on) {
    this.settings.normalise = on;
    this.decks?.forEach((d) => d.applyGain());
    this.save();
  }

  setCrossfade(seconds) {
    this.settings.crossfade = Math.max(0, Math.min(12, Number(seconds) || 0));
    this.save();
  }

  async stop() {
    await this.finishCurrent("skip").catch(() => null);
    if (this.decks && !this.deck.audio.paused) await this.pause().catch(() => null);
    await this.flush();
  }

  reset() {
    closeFeed();
    this.decks?.forEach((d) => d.unload());
    this.state = this.track = this.ahead = null;
    this.pending = [];
    this.emit();
  }

  // The state on the server when the page opens: shown, not played.
  async restore() {
    await registerDevice();
    try {
      const state = await api.get(`/api/v1/me/player${this.qualityQuery()}`);
      // Play pressed meanwhile: its answer is newer than this read, and stays.
      if (this.busy > 0 || olderThan(state, this.state)) return;
      this.state = state;
      this.volume = state.volume;
      this.applyVolume();
      if (state.track_id) this.track = await cached(`/api/v1/tracks/${state.track_id}`);
      this.emit();
    } catch {
      /* signed out meanwhile */
    }
  }

  async refresh() {
    try {
      const state = await api.get(`/api/v1/me/player${this.qualityQuery()}`);
      if (!this.mine() || state.device !== this.me()) {
        if (state.device && state.device !== this.me() && this.playing() && !myGroup(state)) {
          this.deck.audio.pause(); // another device took over
        }
      }
      this.state = state;
      this.emit();
      return state;
    } catch {
      return null;
    }
  }

  // -- applying the server's state -----------------------------------------------------
  async apply(state, { start = false, position = null } = {}) {
    this.state = state;
    markActive(state.device);
    if (!this.mine(state)) {
      // another device plays: show what it plays, stay silent here (a group this page is in
      // starts it again on the server's command)
      if (this.decks && !this.deck.audio.paused && !myGroup(state)) this.deck.audio.pause();
      this.track = state.track_id ? await cached(`/api/v1/tracks/${state.track_id}`) : null;
      this.emit();
      return;
    }
    this.grouped = null; // this page alone plays it
    this.volume = state.volume;
    this.applyVolume();
    if (!state.track_id) {
      this.deck.unload();
      this.track = null;
      this.emit();
      return;
    }
    const track = cached(`/api/v1/tracks/${state.track_id}`);
    let grant = state.stream;
    if (!grant && start) {
      // playing, yet no grant came: an ad break is due (or the plan refuses); asking says which
      grant = await this.grantFor(state.track_id);
      if (!grant) return;
    }
    if (this.ahead?.grant.track_id === state.track_id && start && !position) {
      this.swapToPrefetched();
    } else if (grant && (this.deck.grant?.track_id !== state.track_id || start)) {
      this.deck.load(grant, position ?? (start ? 0 : state.progress_ms));
    }
    this.dropPrefetch();
    if (start && state.playing !== false) {
      try {
        await this.deck.audio.play();
      } catch (error) {
        if (error.name !== "AbortError") this.setNotice({ code: "autoplay_blocked", message: "Press play to start." });
      }
    }
    this.track = await track;
    this.emit();
    this.announce();
  }

  // A one-minute grant for this device; the server refuses it once this device no longer
  // plays the account's stream (device_not_active), the session ended or the plan changed.
  async askGrant(trackId) {
    await deviceReady();
    return api.post("/api/v1/me/player/stream-grants", { track_id: trackId, quality: this.quality(), device_id: this.me() });
  }

  // Renewed as the track plays: the fresh grant serves the next range the audio asks for
  // (after an expired one's 403); a refusal stops playback here and says why.
  async renew(deck) {
    if (deck.renewing || !deck.grant) return;
    deck.renewing = true;
    try {
      const grant = await this.askGrant(deck.grant.track_id);
      if (deck.grant?.track_id === grant.track_id) deck.grant = { ...deck.grant, url: grant.url, expires_at: grant.expires_at };
    } catch (error) {
      if (error.status && error.status < 500 && error.code !== "ad_break_due") {
        deck.audio.pause();
        this.setNotice(error);
      }
    } finally {
      deck.renewing = false;
    }
  }

  // The state plays a track but came without a grant: the reason is the answer to asking.
  async grantFor(trackId) {
    try {
      return await this.askGrant(trackId);
    } catch (error) {
      if (error.code === "ad_break_due") {
        await this.runAds();
        return null;
      }
      this.setNotice(error);
      return null;
    }
  }

  async runAds() {
    this.deck.audio.pause();
    await this.flush();
    const finished = await playAdBreak(this);
    this.ad = null;
    this.emit();
    if (!finished) return;
    const state = await api.get(`/api/v1/me/player${this.qualityQuery()}`);
    if (state.track_id && state.playing) await this.apply(state, { start: true, position: 0 });
    else if (state.track_id) {
      const resumed = await api.put(`/api/v1/me/player/resume?device=${encodeURIComponent(this.me())}`);
      await this.apply(resumed, { start: true, position: 0 });
    }
  }

  announce() {
    const live = document.getElementById("now-playing-live");
    if (!live || !this.track) return;
    const artists = this.track.artists.map((a) => a.name).join(", ");
    live.textContent = `Now playing: ${this.track.title} by ${artists}`;
  }

  // -- gapless: the next track's grant and audio, ahead of time ----------------------------
  async prefetch() {
    const upcoming = this.state?.up_next?.[0];
    if (!upcoming || this.ahead || this.prefetching || this.fading) return;
    if (upcoming === this.deck.grant?.track_id) return; // the server has not moved on yet
    if (this.state.repeat === "track") return;
    this.prefetching = true;
    try {
      const grant = await this.askGrant(upcoming);
      if (this.state?.up_next?.[0] !== upcoming) return;
      const spare = this.spare;
      spare.load(grant);
      spare.audio.load();
      this.ahead = { grant, deck: spare };
    } catch {
      /* an ad break is due, or the plan refuses: the server says so at the track's end */
    } finally {
      this.prefetching = false;
    }
  }

  dropPrefetch() {
    if (this.ahead) {
      this.ahead.deck.unload();
      this.ahead = null;
    }
  }

  swapToPrefetched() {
    const decks = this.ensureDecks();
    decks[this.active].audio.removeAttribute("data-active");
    this.active = decks.indexOf(this.ahead.deck);
    decks[this.active].audio.dataset.active = "true";
    this.ahead = null;
  }

  // Crossfade (or gapless) into the prefetched track; ads plans wait for the server first,
  // since a break may be due after this song.
  startNext(fadeSeconds) {
    const from = this.deck;
    const to = this.ahead.deck;
    this.fading = true;
    to.audio.currentTime = 0;
    if (fadeSeconds > 0 && this.context) {
      const now = this.context.currentTime;
      to.gain.gain.setValueAtTime(0.0001, now);
      to.gain.gain.linearRampToValueAtTime(to.level(), now + fadeSeconds);
      from.gain.gain.setValueAtTime(from.level(), now);
      from.gain.gain.linearRampToValueAtTime(0.0001, now + fadeSeconds);
    }
    to.audio.play().catch(() => null);
    this.swapToPrefetched();
    this.track = null;
    cached(`/api/v1/tracks/${to.grant.track_id}`).then((t) => {
      this.track = t;
      this.emit();
      this.announce();
    });
  }

  async trackEnded(deck) {
    if (this.grouped) {
      // In a speaker group the server moves on (on the reporting member's end) and starts
      // every member on the next track at one instant.
      this.queueEvent(deck, "end", deck.grant ? deck.grant.duration_ms : deck.positionMs());
      deck.play = null;
      await this.flush();
      return;
    }
    const wasActive = deck === this.deck;
    this.queueEvent(deck, "end", deck.grant ? deck.grant.duration_ms : deck.positionMs());
    deck.play = null;
    const ads = store.plan?.features?.ads;
    if (wasActive && this.ahead && !ads) this.startNext(0);
    await this.flush();
    this.fading = false;
    const state = await this.refresh();
    if (!state) return;
    if (!wasActive || (this.deck.grant?.track_id === state.track_id && !this.deck.audio.paused)) {
      deck.applyGain();
      if (!wasActive) deck.unload();
      this.dropPrefetch();
      return;
    }
    if (state.track_id && state.playing) await this.apply(state, { start: true, position: 0 });
    else if (state.track_id && !state.stream) await this.apply({ ...state, playing: true }, { start: true, position: 0 });
    else this.emit();
  }

  // -- listening events ----------------------------------------------------------------
  onDeckEvent(deck, kind) {
    if (kind === "timeupdate") {
      if (deck !== this.deck) return;
      this.emit("time");
      const left = (deck.grant?.duration_ms || 0) / 1000 - deck.audio.currentTime;
      const fade = this.settings.crossfade;
      if (!this.grouped && left <= Math.max(PREFETCH_S, fade + 5)) this.prefetch();
      if (!deck.audio.paused && deck.grant && Date.parse(deck.grant.expires_at) - Date.now() < RENEW_BEFORE_MS) this.renew(deck);
      if (!this.grouped && fade > 0 && left <= fade && this.ahead && !this.fading && !store.plan?.features?.ads) this.startNext(left);
      if (!deck.audio.paused && Date.now() - this.lastHeartbeat > HEARTBEAT_MS && deck.play?.started) {
        this.lastHeartbeat = Date.now();
        this.queueEvent(deck, "progress", deck.positionMs());
      }
      return;
    }
    if (!deck.play || deck.quiet) {
      if (kind !== "error") this.emit();
      return;
    }
    if (kind === "playing") {
      this.queueEvent(deck, deck.play.started ? "resume" : "start", deck.positionMs());
      deck.play.started = true;
      this.lastHeartbeat = Date.now();
      this.flush();
    } else if (kind === "pause" && !deck.audio.ended && deck.play.started) {
      this.queueEvent(deck, "pause", deck.positionMs());
    } else if (kind === "ended") {
      this.trackEnded(deck);
    } else if (kind === "error") {
      this.reload(deck);
    }
    this.emit();
  }

  // A grant runs out (long pauses) or the network dropped: a new grant, the same place.
  async reload(deck) {
    if (!deck.grant || deck.retried) {
      this.setNotice({ code: "audio_error", message: "This track could not be played." });
      return;
    }
    deck.retried = true;
    try {
      // An expired grant's 403: the renewed one (or a fresh one) at the same position.
      const fresh = deck.audio.src !== new URL(deck.grant.url, location.href).href && Date.parse(deck.grant.expires_at) - Date.now() > 5000;
      const grant = fresh ? deck.grant : await this.askGrant(deck.grant.track_id);
      const play = deck.play;
      const position = deck.positionMs();
      deck.quiet = true;
      deck.load(grant, position);
      deck.play = play;
      if (deck === this.deck && this.state?.playing) await deck.audio.play();
    } catch (error) {
      this.setNotice(error);
    } finally {
      deck.quiet = false;
      setTimeout(() => (deck.retried = false), 10000);
    }
  }

}


Object.assign(Player.prototype, listeningMethods, remoteMethods);

export const player = new Player();
onFeed("state", (state) => player.onRemoteState(state));
onFeed("command", (command) => player.onCommand(command));
window.cadenzaPlayer = player; // for the browser tests and the curious
