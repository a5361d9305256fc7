"""Pitched voices: subtractive, FM, additive and Karplus-Strong instruments rendered per note."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cadenza.demo.dsp import (
    Audio,
    adsr,
    cycles,
    decay,
    exp32,
    highpass,
    lowpass,
    resonant_lowpass,
    saw,
    sine,
    soft_clip,
    square,
    times,
    upsample,
)

Voice = Callable[[float, float, int, np.random.Generator], Audio]


def sub(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.08, sr)
    ph = cycles(f, t)
    return (sine(ph) + 0.15 * sine(2 * ph)) * adsr(t.size, sr, 0.005, 0.1, 0.9, 0.06, gate)


def bass(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.08, sr)
    tone = lowpass(saw(cycles(f, t), f, sr), min(f * 6.0, 1800.0), sr)
    return 0.8 * tone * adsr(t.size, sr, 0.004, 0.25, 0.6, 0.06, gate)


def fm_bass(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.06, sr)
    index = 0.6 + 2.5 * exp32(-t / 0.06)
    tone = sine(f * t + index * sine(f * t) / (2 * np.pi))
    return tone * adsr(t.size, sr, 0.003, 0.2, 0.7, 0.05, gate)


def acid(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.05, sr)
    raw = saw(cycles(f, t), f, sr)
    bright = resonant_lowpass(raw, float(rng.uniform(900.0, 3200.0)), 7.0, sr)
    dark = resonant_lowpass(raw, 260.0, 4.0, sr)
    sweep = exp32(-t / 0.09)
    tone = soft_clip(bright * sweep + dark * (1.0 - sweep), 0.7)
    return tone * adsr(t.size, sr, 0.002, 0.1, 0.8, 0.03, gate)


def _pad(f: float, gate: float, sr: int, attack: float, release: float, cut: float) -> Audio:
    """Three detuned saws, low-passed; dark enough to render at a quarter rate and upsample."""
    slow = sr // 4
    t = times(gate + release, slow)
    voices = sum(saw(cycles(f * d, t), f, slow) for d in (0.9958, 1.0, 1.0042))
    tone = lowpass(np.asarray(voices), min(cut, f * 8.0, 0.4 * slow), slow)
    env = adsr(t.size, slow, attack, 0.5, 0.8, release, gate)
    return upsample(0.4 * tone * env, 4, round((gate + release) * sr))


def pad(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    return _pad(f, gate, sr, 1.2, 2.5, 1400.0)


def strings(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    return _pad(f, gate, sr, 0.08, 0.4, 3500.0)


def epiano(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.3, sr)
    index = 1.8 * exp32(-t / 0.25)
    tine = 0.15 * sine(f * 14.0 * t) * exp32(-t / 0.02)
    tone = sine(f * t + index * sine(f * t) / (2 * np.pi)) + tine
    out: Audio = tone * decay(t, 1.6, 0.002) * adsr(t.size, sr, 0.0, 0.0, 1.0, 0.15, gate)
    return out


def piano(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    """Additive: slightly inharmonic partials, the higher ones dying away faster."""
    t = times(gate + 0.25, sr)
    rate = float(np.clip(f / (3.5 * 110.0), 1 / 3.5, 2.0))
    env = decay(t, 1.0 / rate, 0.002)
    faster = np.exp(t.astype(np.float32) * np.float32(-0.7 * rate))
    out = np.zeros(t.size, dtype=np.float32)
    for k in range(1, 8):
        fk = k * f * np.sqrt(1.0 + 0.0004 * k * k)
        if fk > 0.4 * sr:
            break
        env = env * faster
        out += sine(fk * t) * env * np.float32(k**-1.3)
    return out * adsr(t.size, sr, 0.0, 0.0, 1.0, 0.2, gate)


def pluck(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    """Karplus-Strong: a noise burst recirculated through an averaging loop, period by period."""
    period = max(2, round(sr / f - 0.5))
    total = round((gate + 0.4) * sr)
    blocks = -(-total // period) + 1
    out = np.empty((blocks, period))
    out[0] = lowpass(rng.uniform(-1.0, 1.0, period), 6000.0, sr, 1)
    loss = 0.5 * 0.996 ** (110.0 / f)
    for b in range(1, blocks):
        prev = out[b - 1]
        out[b] = loss * (prev + np.concatenate(([out[b - 2, -1] if b > 1 else 0.0], prev[:-1])))
    y = out.reshape(-1)[:total]
    return 1.3 * y * adsr(total, sr, 0.0, 0.0, 1.0, 0.35, gate)


def organ(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.03, sr)
    ph = cycles(f, t)
    tone = sine(ph) + 0.6 * sine(2 * ph) + 0.4 * sine(3 * ph) + 0.25 * sine(4 * ph)
    trem = 1.0 + 0.15 * sine(6.5 * t)
    out: Audio = 0.5 * tone * trem * adsr(t.size, sr, 0.004, 0.05, 0.85, 0.025, gate)
    return out


def power(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    """A distorted power chord (root, fifth, octave) through a cabinet-ish low-pass."""
    t = times(gate + 0.12, sr)
    raw = sum(saw(cycles(f * r, t), f * r, sr) for r in (1.0, 1.4983, 2.003))
    driven = soft_clip(highpass(np.asarray(raw), 120.0, sr) * 6.0, 1.0)
    cab = lowpass(driven, 3800.0, sr, 4)
    return 0.5 * cab * adsr(t.size, sr, 0.003, 0.15, 0.75, 0.08, gate)


def lead(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.1, sr)
    depth = 0.006 * np.minimum(1.0, t / 0.4)
    ph = f * t + f * depth * sine(5.5 * t) / (2 * np.pi * 5.5)
    tone = lowpass(square(ph, f, sr, 0.35), 3200.0, sr)
    return 0.45 * tone * adsr(t.size, sr, 0.01, 0.2, 0.7, 0.08, gate)


def bell(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 2.5, sr)
    index = 3.0 * exp32(-t / 0.8)
    tone = sine(f * t + index * sine(3.5 * f * t) / (2 * np.pi))
    return 0.6 * tone * decay(t, 1.4, 0.003)


def vibes(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 1.2, sr)
    trem = 1.0 + 0.3 * sine(5.0 * t)
    tone = sine(f * t) + 0.25 * sine(4.0 * f * t) * exp32(-t / 0.1)
    out: Audio = 0.7 * tone * trem * decay(t, 0.9, 0.002)
    return out


def flute(f: float, gate: float, sr: int, rng: np.random.Generator) -> Audio:
    t = times(gate + 0.12, sr)
    ph = cycles(f, t, 5.0, 0.008)
    breath = lowpass(rng.standard_normal(t.size), min(f * 3.0, 5000.0), sr) * 0.05
    tone = sine(ph) + 0.2 * sine(2 * ph) + breath
    out: Audio = 0.6 * tone * adsr(t.size, sr, 0.06, 0.1, 0.85, 0.1, gate)
    return out


VOICES: dict[str, Voice] = {
    "sub": sub,
    "bass": bass,
    "fm_bass": fm_bass,
    "acid": acid,
    "pad": pad,
    "strings": strings,
    "epiano": epiano,
    "piano": piano,
    "pluck": pluck,
    "organ": organ,
    "power": power,
    "lead": lead,
    "bell": bell,
    "vibes": vibes,
    "flute": flute,
}
