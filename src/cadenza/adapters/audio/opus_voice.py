"""The live rooms' mix as Opus: one encoder per stream (the room's mix, and each speaker's
mix without their own voice), 40 ms of 16-bit mono PCM at 24 kHz in, one raw Opus packet out
(no container: the page gives it to WebCodecs' AudioDecoder as it comes). Tuned for voice and
delay: the `voip` application, 32 kbit/s, constant bitrate off, packet loss not expected
(loopback and TCP). Speakers' Opus comes the other way (OpusSpeaker)."""

from __future__ import annotations

import av
import numpy as np

BITRATE = 32_000
OPUS_RATE = 48_000  # what WebCodecs' AudioEncoder sends


class OpusVoice:
    def __init__(self, rate: int, samples: int) -> None:
        self.rate, self.samples = rate, samples
        codec = av.CodecContext.create("libopus", "w")
        assert isinstance(codec, av.AudioCodecContext)
        codec.sample_rate = rate
        codec.format = "s16"
        codec.layout = "mono"
        codec.bit_rate = BITRATE
        codec.options = {"application": "voip", "frame_duration": str(samples * 1000 // rate)}
        codec.open()
        self.codec = codec
        self.pts = 0

    def encode(self, pcm: bytes) -> bytes:
        """One packet for these `samples` of PCM (the encoder's own delay, 6.5 ms, included:
        the first packets carry the start of the stream)."""
        frame = av.AudioFrame.from_ndarray(
            np.frombuffer(pcm, dtype="<i2").reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = self.rate
        frame.pts = self.pts
        self.pts += self.samples
        return b"".join(bytes(p) for p in self.codec.encode(frame))


class OpusSpeaker:
    """A speaker's voice as the browser sends it where it has WebCodecs' AudioEncoder: raw Opus
    packets (48 kHz mono, 20 or 40 ms each, about 32 kbit/s), decoded by libopus and resampled
    to the mixer's 16-bit PCM at `rate`. One per speaker: a decoder keeps state between
    packets. A packet libopus refuses gives nothing (the mixer hears silence, as for a lost
    frame)."""

    def __init__(self, rate: int) -> None:
        codec = av.CodecContext.create("libopus", "r")
        assert isinstance(codec, av.AudioCodecContext)
        codec.sample_rate = OPUS_RATE
        codec.layout = "mono"
        codec.open()
        self.codec = codec
        self.resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)

    def decode(self, packet: bytes) -> bytes:
        try:
            frames = self.codec.decode(av.Packet(packet))
        except av.error.FFmpegError:
            return b""
        pcm = bytearray()
        for frame in frames:
            for out in self.resampler.resample(frame):
                pcm += out.to_ndarray().astype("<i2", copy=False).tobytes()
        return bytes(pcm)
