// One audio element and its gain in the Web Audio graph: a grant loaded, a play of a track.

export function newId() {
  return crypto.randomUUID();
}

export class Deck {
  constructor(player, name) {
    this.player = player;
    this.audio = new Audio();
    this.audio.preload = "auto";
    this.audio.dataset.deck = name;
    this.audio.setAttribute("aria-hidden", "true");
    document.body.append(this.audio);
    this.grant = null;
    this.play = null; // {id, track_id, started}
    this.quiet = false; // a quality switch: no pause/resume events
    this.node = null;
    this.gain = null;
    for (const kind of ["playing", "pause", "ended", "timeupdate", "error", "waiting"]) {
      this.audio.addEventListener(kind, (event) => player.onDeckEvent(this, kind, event));
    }
  }

  connect(context, master) {
    if (this.node) return;
    this.node = context.createMediaElementSource(this.audio);
    this.gain = context.createGain();
    this.node.connect(this.gain).connect(master);
    this.applyGain();
  }

  level() {
    const db = this.player.settings.normalise && this.grant ? this.grant.gain_db : 0;
    return 10 ** (db / 20);
  }

  applyGain() {
    if (!this.gain) return;
    const param = this.gain.gain;
    param.cancelScheduledValues(0); // a crossfade's ramp would override a plain value
    param.value = this.level();
  }

  load(grant, positionMs = 0) {
    this.grant = grant;
    this.play = { id: newId(), track_id: grant.track_id, started: false, seq: 0 };
    this.audio.src = grant.url;
    if (positionMs) this.audio.currentTime = positionMs / 1000;
    this.applyGain();
  }

  unload() {
    this.audio.pause();
    this.audio.removeAttribute("src");
    this.audio.load();
    this.grant = null;
    this.play = null;
  }

  positionMs() {
    return Math.round(this.audio.currentTime * 1000);
  }
}
