"""Audio from a point in time on, by remuxing (PyAV): the stored Opus or FLAC packets from the
one at the offset, in a new Ogg or FLAC file whose times start at zero. No encoding: quick,
and the sound is the stored file's."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av


class PyAvAudioFromOffset:
    def from_offset(self, path: Path | BinaryIO, seconds: float) -> bytes:
        out = io.BytesIO()
        with av.open(str(path) if isinstance(path, Path) else path, "r") as source:
            stream = source.streams.audio[0]
            base = stream.time_base or Fraction(1, 48000)
            fmt = "flac" if stream.codec_context.name == "flac" else "ogg"
            with av.open(out, "w", format=fmt) as target:
                copied = target.add_stream_from_template(stream)
                source.seek(int(seconds / base), stream=stream, any_frame=False, backward=True)
                first: int | None = None
                for packet in source.demux(stream):
                    if packet.pts is None or packet.size == 0:
                        continue
                    if packet.pts * base + (packet.duration or 0) * base < seconds:
                        continue  # before the offset (the seek lands at or before it)
                    if first is None:
                        first = packet.pts
                    packet.pts -= first
                    packet.dts = packet.pts
                    packet.stream = copied
                    target.mux(packet)
        return out.getvalue()
