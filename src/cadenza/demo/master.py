"""Mastering: bring the sections to a loudness target, soft-limit peaks, quantise, assemble, fade."""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt

from cadenza.demo.dsp import Audio
from cadenza.demo.loudness import lufs, mean_square_k

IntPcm = npt.NDArray[np.int16] | npt.NDArray[np.int32]

_KNEE = 0.7
_CEILING = 0.98


def limit(x: Audio) -> Audio:
    """Soft-knee clipper: untouched below the knee, approaching the ceiling smoothly above it."""
    mag = np.abs(x)
    if float(mag.max(initial=0.0)) <= _KNEE:
        return x
    over = mag > _KNEE
    span = _CEILING - _KNEE
    out = x.copy()
    out[over] = np.sign(x[over]) * (_KNEE + span * np.tanh((mag[over] - _KNEE) / span))
    return out


def _probe(x: Audio) -> Audio:
    """A quarter of a section (its second quarter): enough to estimate its loudness."""
    n = x.shape[-1]
    return x[:, n // 4 : n // 2]


def _programme_lufs(probes: dict[str, Audio], counts: Counter[str], sr: int) -> float:
    total = sum(counts.values())
    energy = sum(mean_square_k(probes[k], sr) * c for k, c in counts.items()) / total
    return lufs(energy)


def level(parts: dict[str, Audio], order: list[str], target: float, sr: int) -> dict[str, Audio]:
    """Scale every section by one gain so the arranged programme lands near `target` LUFS.

    The gain is computed on the clean signal, then corrected once for what the limiter took."""
    counts = Counter(order)
    probes = {k: _probe(parts[k]) for k in counts}
    gain = 10 ** ((target - _programme_lufs(probes, counts, sr)) / 20.0)
    if max(float(np.abs(p).max(initial=0.0)) for p in probes.values()) * gain > _KNEE:
        limited = {k: limit(p * np.float32(gain)) for k, p in probes.items()}
        gain *= 10 ** ((target - _programme_lufs(limited, counts, sr)) / 20.0)
    return {k: limit(parts[k] * np.float32(gain)) for k in counts}


def quantise(x: Audio, bits: int) -> IntPcm:
    """(2, n) float to (n, 2) interleaved integers; 24-bit lives in the top of an int32."""
    scale = np.float32(32767.0 if bits == 16 else 8388607.0)
    frames = np.empty((x.shape[1], 2), dtype=np.float32)
    np.multiply(x.T, scale, out=frames)
    np.rint(frames, out=frames)
    if bits == 16:
        return frames.astype(np.int16)
    return frames.astype(np.int32) << 8


def assemble(
    pcm: dict[str, IntPcm], order: list[str], frames: int, fade_in: int, fade_out: int
) -> IntPcm:
    out = np.concatenate([pcm[kind] for kind in order])[:frames]
    if out.shape[0] < frames:
        out = np.concatenate([out, np.zeros((frames - out.shape[0], 2), out.dtype)])
    _ramp(out, 0, fade_in, rising=True)
    _ramp(out, frames - fade_out, fade_out, rising=False)
    return out


def _ramp(out: IntPcm, start: int, length: int, *, rising: bool) -> None:
    if length <= 0:
        return
    curve = np.linspace(0.0, 1.0, length) if rising else np.linspace(1.0, 0.0, length)
    segment = out[start : start + length].astype(np.float64) * (curve * curve)[:, None]
    out[start : start + length] = np.round(segment).astype(out.dtype)
