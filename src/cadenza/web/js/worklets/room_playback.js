// The stage as a listener hears it: 40 ms packets of 16-bit PCM (24 kHz), or the samples an Opus
// decoder gave (a Float32Array), into a jitter buffer
// that adapts: playing starts once `target` seconds wait (120 ms at first); running dry
// (silence until it fills again) adds 40 ms to the target, up to 400 ms, and each 5 s without
// running dry takes 20 ms off again; more than the target + 120 ms is dropped down to the
// target, so the delay never grows past what the network needs.
const START = 0.12;
const STEP = 0.04;
const MOST_TARGET = 0.4;
const SLACK = 0.12;
const CALM_S = 5;
const EASE = 0.02;
const LOUD = 0.02; // a sample above this is heard as sound, not silence

class RoomPlayback extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    this.playing = false;
    this.loud = 0;
    this.underruns = 0;
    this.quanta = 0;
    this.target = START;
    this.calm = 0;
    this.port.onmessage = (event) => this.take(event.data);
  }

  take(data) {
    let samples = data;
    if (!(data instanceof Float32Array)) {
      const pcm = new Int16Array(data);
      samples = new Float32Array(pcm.length);
      for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
    }
    this.chunks.push(samples);
    this.buffered += samples.length;
    if (this.buffered > sampleRate * (this.target + SLACK)) {
      while (this.chunks.length > 1 && this.buffered > sampleRate * this.target) {
        const dropped = this.chunks.shift();
        this.buffered -= dropped.length - this.offset;
        this.offset = 0;
      }
    }
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.buffered >= sampleRate * this.target) this.playing = true;
    for (let i = 0; i < out.length; i++) {
      if (!this.playing || !this.chunks.length) {
        out[i] = 0;
        continue;
      }
      const chunk = this.chunks[0];
      const value = chunk[this.offset++];
      out[i] = value;
      this.buffered--;
      if (Math.abs(value) > LOUD) this.loud++;
      if (this.offset >= chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    if (this.playing && !this.chunks.length) {
      this.playing = false;
      this.underruns++;
      this.target = Math.min(MOST_TARGET, this.target + STEP);
      this.calm = 0;
    }
    this.calm += out.length / sampleRate;
    if (this.calm > CALM_S) {
      this.target = Math.max(START, this.target - EASE);
      this.calm = 0;
    }
    if (++this.quanta % 20 === 0) {
      this.port.postMessage({ loud: this.loud, underruns: this.underruns, buffered: this.buffered / sampleRate, target: this.target });
    }
    return true;
  }
}

registerProcessor("room-playback", RoomPlayback);
