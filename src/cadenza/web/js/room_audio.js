// A live room's sound in the page: the stage played through an AudioWorklet with a small
// jitter buffer, and, for a speaker, the microphone (asked for once per page) captured in
// 20 ms frames. Both run in one AudioContext at the rooms' own rate, 24 kHz, so neither
// side resamples by hand. The stage comes as 40 ms packets: PCM (kind 1), or Opus (kind 2)
// decoded by WebCodecs' AudioDecoder where the browser has it. A speaker's frames go up as
// 20 ms of PCM, or where the browser has WebCodecs' AudioEncoder as Opus packets (48 kHz
// mono, 20 ms, about 32 kbit/s: a fifteenth of the bytes), which the server decodes. A socket
// carries one or the other, as the server granted it: when the encoder fails mid-room, nothing
// more is sent (never PCM where Opus was granted) and `onEncoderLost` lets the page join again
// asking for PCM.
export const RATE = 24000;
const PCM_KIND = 1;
const OPUS_KIND = 2;
const OPUS = { codec: "opus", sampleRate: RATE, numberOfChannels: 1 };
const SEND_RATE = 48000;
const SEND_FRAME_US = 20000;
const SEND = {
  codec: "opus",
  sampleRate: SEND_RATE,
  numberOfChannels: 1,
  bitrate: 32000,
  opus: { frameDuration: SEND_FRAME_US, application: "voip" },
};

export class RoomAudio {
  constructor() {
    this.context = null;
    this.playback = null;
    this.capture = null;
    this.microphone = null;
    this.onFrame = null; // (ArrayBuffer) => void, set by the page
    this.onEncoderLost = null; // () => void: the Opus encoder failed, set by the page
    this.sending = "pcm"; // what goes up: "opus", "pcm", or "none" (waiting to rejoin as PCM)
    this.decoder = null;
    this.encoder = null;
    this.sentUs = 0;
    this.stats = { loud: 0, underruns: 0, buffered: 0, framesCaptured: 0, decoded: 0, decodeErrors: 0, encoded: 0, encodeErrors: 0 };
  }

  // An Opus encoder for the microphone, if this browser has one (WebCodecs): true when ready.
  async startEncoder() {
    if (typeof AudioEncoder === "undefined") return false;
    try {
      const { supported } = await AudioEncoder.isConfigSupported(SEND);
      if (!supported) return false;
      this.encoder = new AudioEncoder({
        output: (chunk) => {
          const packet = new ArrayBuffer(chunk.byteLength);
          chunk.copyTo(packet);
          this.stats.encoded++;
          if (this.onFrame) this.onFrame(packet);
        },
        error: () => {
          this.stats.encodeErrors++;
          this.encoderLost();
        },
      });
      this.encoder.configure(SEND);
      this.sending = "opus";
      return true;
    } catch {
      this.encoder = null;
      return false;
    }
  }

  // Back to PCM (a server that does not take Opus from speakers, or a socket joined again
  // asking for PCM).
  stopEncoder() {
    if (this.encoder && this.encoder.state !== "closed") this.encoder.close();
    this.encoder = null;
    this.sending = "pcm";
  }

  // The encoder failed: its socket was granted Opus, so PCM must not go up on it (the server
  // would decode it as Opus: noise). Nothing is sent until the page has joined again for PCM.
  encoderLost() {
    if (this.sending !== "opus") return;
    if (this.encoder && this.encoder.state !== "closed") this.encoder.close();
    this.encoder = null;
    this.sending = "none";
    if (this.onEncoderLost) this.onEncoderLost();
  }

  // 20 ms of the microphone (16-bit PCM at 24 kHz) to the encoder, at 48 kHz.
  encode(pcm) {
    const samples = new Int16Array(pcm);
    const up = new Float32Array(samples.length * 2);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] / 32768;
      const next = i + 1 < samples.length ? samples[i + 1] / 32768 : s;
      up[2 * i] = s;
      up[2 * i + 1] = (s + next) / 2;
    }
    const data = new AudioData({ format: "f32", sampleRate: SEND_RATE, numberOfFrames: up.length, numberOfChannels: 1, timestamp: this.sentUs, data: up });
    this.sentUs += SEND_FRAME_US;
    try {
      this.encoder.encode(data);
    } catch {
      this.stats.encodeErrors++;
      this.encoderLost();
    } finally {
      data.close();
    }
  }

  // An Opus decoder, if this browser has one (WebCodecs, a secure context): true when ready.
  async startDecoder() {
    if (typeof AudioDecoder === "undefined") return false;
    try {
      const { supported } = await AudioDecoder.isConfigSupported(OPUS);
      if (!supported) return false;
      this.decoder = new AudioDecoder({
        output: (data) => this.decoded(data),
        error: () => {
          this.stats.decodeErrors++;
        },
      });
      this.decoder.configure(OPUS);
      return true;
    } catch {
      this.decoder = null;
      return false;
    }
  }

  // One packet from the room's socket, as it came.
  packet(data) {
    const kind = new Uint8Array(data, 0, 1)[0];
    if (kind === PCM_KIND) {
      this.play(data.slice(5));
    } else if (kind === OPUS_KIND && this.decoder?.state === "configured") {
      // Opus packets of 40 ms, each after its length (2 bytes); the first is number `seq`.
      const view = new DataView(data);
      const seq = view.getUint32(1);
      for (let at = 5, i = 0; at + 2 <= data.byteLength; i++) {
        const size = view.getUint16(at);
        at += 2;
        const chunk = new Uint8Array(data, at, Math.min(size, data.byteLength - at));
        at += size;
        this.decoder.decode(new EncodedAudioChunk({ type: "key", timestamp: (seq + i) * 40000, data: chunk }));
      }
    }
  }

  decoded(data) {
    const samples = new Float32Array(data.numberOfFrames);
    data.copyTo(samples, { planeIndex: 0, format: "f32-planar" });
    const rate = data.sampleRate;
    data.close();
    this.stats.decoded++;
    const played = rate === RATE ? samples : resample(samples, rate);
    this.playback?.port.postMessage(played, [played.buffer]);
  }

  async start() {
    this.context = new AudioContext({ sampleRate: RATE, latencyHint: "interactive" });
    await this.context.audioWorklet.addModule("/static/js/worklets/room_playback.js");
    await this.context.audioWorklet.addModule("/static/js/worklets/room_capture.js");
    this.playback = new AudioWorkletNode(this.context, "room-playback", { numberOfInputs: 0, outputChannelCount: [1] });
    this.playback.port.onmessage = (event) => Object.assign(this.stats, event.data);
    this.playback.connect(this.context.destination);
    if (this.context.state === "suspended") await this.context.resume().catch(() => {});
  }

  // Whether the browser holds the sound back until the listener taps (autoplay rules).
  get waiting() {
    return this.context?.state === "suspended";
  }

  resume() {
    return this.context?.resume();
  }

  play(pcm) {
    this.playback?.port.postMessage(pcm, [pcm]);
  }

  async openMicrophone() {
    if (this.microphone) return;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    this.microphone = stream;
    const source = this.context.createMediaStreamSource(stream);
    this.capture = new AudioWorkletNode(this.context, "room-capture", { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    this.capture.port.onmessage = (event) => {
      this.stats.framesCaptured++;
      if (this.sending === "opus") {
        if (this.encoder?.state === "configured") this.encode(event.data);
      } else if (this.sending === "pcm" && this.onFrame) this.onFrame(event.data);
    };
    const silent = this.context.createGain();
    silent.gain.value = 0; // the worklet must run, but a speaker never hears themselves
    source.connect(this.capture).connect(silent).connect(this.context.destination);
  }

  close() {
    if (this.decoder && this.decoder.state !== "closed") this.decoder.close();
    this.decoder = null;
    this.stopEncoder();
    this.microphone?.getTracks().forEach((track) => track.stop());
    this.microphone = null;
    this.context?.close().catch(() => {});
    this.context = null;
  }
}

// A decoder that answers at another rate (Opus decoders may give 48 kHz): to the rooms' rate,
// by linear interpolation.
function resample(samples, rate) {
  const out = new Float32Array(Math.round((samples.length * RATE) / rate));
  const step = rate / RATE;
  for (let i = 0; i < out.length; i++) {
    const at = i * step;
    const k = Math.floor(at);
    const next = k + 1 < samples.length ? samples[k + 1] : samples[k];
    out[i] = samples[k] + (next - samples[k]) * (at - k);
  }
  return out;
}
