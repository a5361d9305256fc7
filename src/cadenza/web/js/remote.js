// Obeying the server's player feed: other devices' commands arrive as state changes (this page
// plays, pauses, seeks, moves on or falls silent when another device takes over); mixed into
// the player.
import { cached } from "./api.js";
import { markActive } from "./devices.js";

export const remoteMethods = {
  async onRemoteState(state) {
    if (this.busy > 0 || this.ad) return; // this page's own command: its answer is applied
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
      } else if (sameTrack && Math.abs(deck.positionMs() - state.progress_ms) > 2500) {
        this.recordSeek(deck, state.progress_ms);
        deck.audio.currentTime = state.progress_ms / 1000;
      }
    } finally {
      this.busy -= 1;
    }
    this.emit();
  },

  onCommand(command) {
    if (command.command === "volume" && typeof command.percent === "number") {
      this.volume = command.percent;
      this.applyVolume();
      this.emit("volume");
    }
  },
};
