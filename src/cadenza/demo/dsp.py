"""Small vectorised DSP building blocks: oscillators, envelopes, filters, reverb, loudness."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import fft, signal

Audio = npt.NDArray[np.floating[Any]]

TAU = 2.0 * np.pi


def times(seconds: float, sr: int) -> Audio:
    return np.arange(max(1, round(seconds * sr)), dtype=np.float64) / sr


def midi_hz(pitch: float) -> float:
    return float(440.0 * 2.0 ** ((pitch - 69.0) / 12.0))


def cycles(freq: float, t: Audio, vibrato_hz: float = 0.0, depth: float = 0.0) -> Audio:
    """Oscillator phase in cycles, optionally with a sine vibrato of `depth` (relative)."""
    ph = freq * t
    if depth:
        ph = ph + (freq * depth / (TAU * vibrato_hz)) * sine(vibrato_hz * t)
    return ph


def _blep(frac: Audio, dt: float) -> Audio:
    out = np.zeros_like(frac)
    lo = frac < dt
    x = frac[lo] / dt
    out[lo] = x + x - x * x - 1.0
    hi = frac > 1.0 - dt
    y = (frac[hi] - 1.0) / dt
    out[hi] = y * y + y + y + 1.0
    return out


def saw(ph: Audio, freq: float, sr: int) -> Audio:
    """Band-limited (polyBLEP) sawtooth from a phase in cycles."""
    frac = ph - np.floor(ph)
    return 2.0 * frac - 1.0 - _blep(frac, min(0.5, freq / sr))


def square(ph: Audio, freq: float, sr: int, width: float = 0.5) -> Audio:
    return saw(ph, freq, sr) - saw(ph + width, freq, sr)


def sine(ph: Audio) -> Audio:
    """sin(2 pi ph), evaluated in float32 (several times faster) after reducing the phase."""
    frac = (ph - np.floor(ph)).astype(np.float32)
    out: Audio = np.sin(frac * np.float32(TAU))
    return out


def exp32(x: Audio) -> Audio:
    out: Audio = np.exp(x.astype(np.float32))
    return out


def upsample(y: Audio, factor: int, n: int) -> Audio:
    """Linear interpolation by an integer factor to exactly n samples (for dark, slow voices)."""
    nxt = np.append(y[1:], y[-1:])
    out = np.empty(y.size * factor, dtype=np.float32)
    for k in range(factor):
        w = np.float32(k / factor)
        out[k::factor] = y * (1 - w) + nxt * w
    if out.size < n:
        out = np.append(out, np.zeros(n - out.size, dtype=np.float32))
    return out[:n]


def adsr(n: int, sr: int, a: float, d: float, s: float, r: float, gate: float) -> Audio:
    """Linear attack to 1, decay to sustain `s`, linear release over `r` after the gate."""
    t = np.arange(n, dtype=np.float32) / np.float32(sr)
    off = max(gate, a)
    knots, values = [0.0, a, a + d], [0.0, 1.0, s]
    level = float(np.interp(off, knots, values))
    xs = [k for k in knots if k < off]
    env = np.interp(t, [*xs, off, off + max(r, 1e-3)], [*values[: len(xs)], level, 0.0])
    out: Audio = env.astype(np.float32)
    return out


def decay(t: Audio, tau: float, attack: float = 0.002) -> Audio:
    t32 = t.astype(np.float32)
    ramp = np.minimum(np.float32(1.0), t32 / np.float32(attack))
    out: Audio = exp32(t32 * np.float32(-1.0 / tau)) * ramp
    return out


@lru_cache(maxsize=256)
def _butter(kind: str, cutoff: float, sr: int, order: int) -> npt.NDArray[np.float64]:
    nyq = 0.5 * sr
    wn = min(cutoff / nyq, 0.99)
    sos: npt.NDArray[np.float64] = signal.butter(order, wn, btype=kind, output="sos")
    return sos


def lowpass(x: Audio, cutoff: float, sr: int, order: int = 2) -> Audio:
    out: Audio = signal.sosfilt(_butter("lowpass", round(cutoff, 1), sr, order), x)
    return out


def highpass(x: Audio, cutoff: float, sr: int, order: int = 2) -> Audio:
    out: Audio = signal.sosfilt(_butter("highpass", round(cutoff, 1), sr, order), x)
    return out


def bandpass(x: Audio, lo: float, hi: float, sr: int) -> Audio:
    return lowpass(highpass(x, lo, sr), hi, sr)


def resonant_lowpass(x: Audio, cutoff: float, q: float, sr: int) -> Audio:
    """RBJ cookbook biquad low-pass with resonance `q`."""
    w0 = TAU * min(cutoff, 0.45 * sr) / sr
    alpha = np.sin(w0) / (2.0 * q)
    cw = np.cos(w0)
    b = np.array([(1 - cw) / 2, 1 - cw, (1 - cw) / 2])
    a = np.array([1 + alpha, -2 * cw, 1 - alpha])
    out: Audio = signal.lfilter(b / a[0], a / a[0], x)
    return out


def soft_clip(x: Audio, ceiling: float) -> Audio:
    return np.tanh((x / ceiling).astype(np.float32)) * np.float32(ceiling)


REVERB_DECIMATION = 4  # the reverb is dark: computed at a quarter of the sample rate


def reverb_ir(seconds: float, sr: int, rng: np.random.Generator) -> Audio:
    """A mono impulse response at the reverb's reduced rate: decaying noise, darkening as it goes."""
    rate = sr // REVERB_DECIMATION
    t = times(seconds, rate)
    env = np.exp(-6.9 * t / seconds) * np.minimum(1.0, t / 0.01)
    noise = rng.standard_normal(t.size) * env
    mix = t / seconds
    bright = lowpass(noise, 0.42 * rate, rate, 1)
    ir = bright * (1.0 - mix) + lowpass(noise, 1200.0, rate, 1) * mix
    out: Audio = (ir / np.sqrt(np.sum(ir * ir))).astype(np.float32)
    return out


@lru_cache(maxsize=4)
def _ir_spectrum(ir_key: bytes, size: int) -> npt.NDArray[np.complex64]:
    spec: npt.NDArray[np.complex64] = fft.rfft(np.frombuffer(ir_key, dtype=np.float32), size)
    return spec


def loop_reverb(send: Audio, ir: Audio, sr: int, spread_s: float = 0.011) -> Audio:
    """Stereo (2, n) reverb of a looping mono send at a reduced rate; the tail wraps round."""
    n, k = send.size, REVERB_DECIMATION
    m = n // k
    low = sum(send[i : m * k : k] for i in range(k)) * np.float32(1.0 / k)
    size = fft.next_fast_len(m + ir.size - 1, real=True)
    spec = fft.rfft(np.asarray(low), size) * _ir_spectrum(ir.tobytes(), size)
    wet = upsample(fold(fft.irfft(spec, size), m), k, n)
    return np.stack([wet, np.roll(wet, round(spread_s * sr))])


def fold(x: Audio, n: int) -> Audio:
    """Wrap everything after sample n back onto the start: (..., m) -> (..., n)."""
    out = x[..., :n].copy()
    for start in range(n, x.shape[-1], n):
        chunk = x[..., start : start + n]
        out[..., : chunk.shape[-1]] += chunk
    return out
