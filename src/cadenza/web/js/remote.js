// Obeying the server's player feed: other devices' commands arrive as state changes (this page
// plays, pauses, seeks, moves on or falls silent when another device takes over); mixed into
// the player.
import { api, cached } from "./api.js";
import { devices, groupIdOf, markActive, speakerGroup } from "./devices.js";

// When each state arrived here: a remote device's position moves on from it by this clock
// (the server's and this browser's clocks may differ).
const arrived = new WeakMap();

// A state read before the one applied (by its server time) is stale.
export function olderThan(state, current) {
  const stamp = Date.parse(state?.updated_at ?? "");
  const now = Date.parse(current?.updated_at ?? "");
  return Number.isFinite(stamp) && Number.isFinite(now) && stamp < now;
}

export const remoteMethods = {
  // What the player bar shows: this page's audio, or the state of the device that plays.
  shownPlaying() {
    return this.remote() && !this.ad ? Boolean(this.state.playing) : this.playing();
  },

  // The remote device's position now, from its last state (never past the song's end).
  remotePosition() {
    const state = this.state;
    if (!state?.track_id) return 0;
    if (!arrived.has(state)) arrived.set(state, performance.now());
    const moved = state.playing ? performance.now() - arrived.get(state) : 0;
    const total = this.track?.id === state.track_id ? this.track.duration_ms : Infinity;
    return Math.max(0, Math.min(state.progress_ms + moved, total));
  },

  async remoteSeek(positionMs) {
    const total = this.track?.duration_ms ?? positionMs;
    const target = Math.round(Math.max(0, Math.min(positionMs, total - 250)));
    try {
      this.state = await api.put("/api/v1/me/player/seek", { position_ms: target });
    } catch (error) {
      this.setNotice(error);
    }
    this.emit();
  },

  async onRemoteState(state) {
    if (this.busy > 0 || this.ad) return; // this page's own command: its answer is applied
    // A state read before this page's last command (a feed's first state, sent late) is older
    // than the command's answer already applied: never step back to it.
    if (olderThan(state, this.state)) return;
    const groupId = groupIdOf(state);
    if (groupId !== null) return this.onGroupState(state, await speakerGroup(groupId).catch(() => null));
    this.grouped = null;
    const before = this.state;
    this.state = state;
    markActive(state.device);
    const deck = this.decks && this.deck;
    const localPlaying = Boolean(deck && !deck.audio.paused);
    if (!this.mine(state)) {
      if (localPlaying) deck.audio.pause(); // another device took over
      if (state.track_id && state.track_id !== this.track?.id) this.track = await cached(`/api/v1/tracks/${state.track_id}`);
      this.emit();
      return;
    }
    if (state.volume !== this.volume) {
      this.volume = state.volume;
      this.applyVolume();
    }
    if (!state.track_id) return this.emit();
    const sameTrack = deck?.grant?.track_id === state.track_id;
    this.busy += 1;
    try {
      if (state.playing && !sameTrack) {
        this.ensureAudio();
        if (deck?.play?.started && before?.track_id !== state.track_id) await this.finishCurrent("skip");
        await this.apply(state, { start: true, position: state.progress_ms });
      } else if (state.playing && !localPlaying) {
        this.ensureAudio();
        if (Math.abs(deck.positionMs() - state.progress_ms) > 1500) deck.audio.currentTime = state.progress_ms / 1000;
        await deck.audio.play().catch(() => this.setNotice({ code: "autoplay_blocked", message: "Playback moved here: press play to hear it." }));
      } else if (!state.playing && localPlaying) {
        deck.audio.pause();
      } else if (sameTrack && Math.abs(deck.positionMs() - state.progress_ms) > (state.playing ? 2500 : 250)) {
        // A paused state's position is exact: any seek from another page lands; a playing
        // one's drifts by the time it took to arrive, so only a real jump moves the audio.
        this.recordSeek(deck, state.progress_ms);
        deck.audio.currentTime = state.progress_ms / 1000;
      }
    } finally {
      this.busy -= 1;
    }
    this.emit();
  },

  // The player plays on a speaker group. Its members start on the server's command (one
  // instant for all, said on each member's clock); the state only pauses them, or shows what
  // plays on a group this browser is not in.
  async onGroupState(state, group) {
    this.state = state;
    markActive(state.device);
    const member = Boolean(group && devices.id && group.device_ids.includes(devices.id));
    const deck = this.decks && this.deck;
    if (deck && !deck.audio.paused && (!member || !state.playing)) deck.audio.pause();
    if (!member) this.grouped = null;
    if (state.track_id && state.track_id !== this.track?.id) this.track = await cached(`/api/v1/tracks/${state.track_id}`);
    this.emit();
  },

  async groupStart(command) {
    const group = await speakerGroup(command.group_id, { member: true }).catch(() => null);
    if (!group || !group.device_ids.includes(devices.id)) return;
    this.ensureAudio();
    this.grouped = group;
    this.groupReporter = command.reporter ?? [...group.device_ids].sort()[0];
    this.dropPrefetch();
    const deck = this.deck;
    const same = deck.grant?.track_id === command.track_id && deck.audio.src && deck.play;
    if (!same) {
      let grant = this.state?.stream?.track_id === command.track_id ? this.state.stream : null;
      try {
        grant = grant || (await this.askGrant(command.track_id));
      } catch (error) {
        this.setNotice(error);
        return;
      }
      if (deck.play?.started) await this.finishCurrent("skip");
      deck.load(grant, command.position_ms);
    }
    const go = () => {
      const late = Math.max(0, Date.now() - command.start_at);
      deck.audio.currentTime = (command.position_ms + late) / 1000;
      deck.audio.play().catch(() => this.setNotice({ code: "autoplay_blocked", message: "Your speaker group is playing: press play to join it here." }));
    };
    const wait = command.start_at - Date.now();
    if (wait > 0) setTimeout(go, wait);
    else go();
    if (this.track?.id !== command.track_id) this.track = await cached(`/api/v1/tracks/${command.track_id}`);
    this.emit();
  },

  onCommand(command) {
    if (command.command === "play" && command.group_id != null) return this.groupStart(command);
    if (command.command === "volume" && typeof command.percent === "number") {
      this.volume = command.percent;
      this.applyVolume();
      this.emit("volume");
    }
  },
};
