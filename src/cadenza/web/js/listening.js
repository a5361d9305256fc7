// Listening events: start, progress, pause, resume, seek, skip, end for each play of a track,
// sent in batches (kept until the server has them); mixed into the player.
import { api, ApiError } from "./api.js";
import { reportsFor } from "./devices.js";

export const listeningMethods = {
  recordSeek(deck, toMs) {
    if (!deck.play?.started) return;
    this.queueEvent(deck, "seek", deck.positionMs(), { seek_to_ms: Math.round(toMs) });
  },

  queueEvent(deck, kind, positionMs, extra = {}) {
    const play = deck.play;
    if (!play) return;
    if (this.grouped && !reportsFor(this.groupReporter)) return; // one member reports for the group
    if (kind !== "start" && !play.started) return;
    play.seq += 1;
    this.pending.push({
      id: `${play.id}.${play.seq}`,
      play_id: play.id,
      kind,
      track_id: play.track_id,
      device: this.me(),
      position_ms: Math.max(0, Math.round(positionMs)),
      at: new Date().toISOString(),
      ...(kind === "start" ? { source: this.playSource() } : {}),
      ...extra,
    });
  },

  // The play that was going on ends: skipped (or replaced) now.
  async finishCurrent(kind) {
    const deck = this.decks && this.deck;
    if (!deck?.play?.started) return;
    this.queueEvent(deck, kind, deck.positionMs());
    deck.play = null;
    await this.flush();
  },

  async flush({ keepalive = false } = {}) {
    if (!this.pending.length) return;
    const events = this.pending.splice(0, 500);
    try {
      if (keepalive) {
        const token = await api.token();
        fetch("/api/v1/me/player/events", {
          method: "POST",
          keepalive: true,
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ events }),
        });
        return;
      }
      await api.post("/api/v1/me/player/events", { events });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) this.pending.unshift(...events);
    }
  },
};
