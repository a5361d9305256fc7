"""Drum voices: synthesised hits (sine sweeps, filtered noise, metallic squares), one array each."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cadenza.demo.dsp import (
    Audio,
    bandpass,
    decay,
    exp32,
    highpass,
    lowpass,
    sine,
    square,
    times,
)

DrumVoice = Callable[[int, np.random.Generator], Audio]


def _sweep_kick(sr: int, top: float, bottom: float, tau: float, length: float) -> Audio:
    t = times(length, sr)
    freq = bottom + (top - bottom) * exp32(-t / 0.025)
    phase = np.cumsum(freq, dtype=np.float64) / sr
    click = exp32(-t / 0.002) * 0.3
    out: Audio = (sine(phase) + click) * decay(t, tau, 0.001)
    return out


def kick(sr: int, rng: np.random.Generator) -> Audio:
    return _sweep_kick(sr, 160.0, 52.0, 0.18, 0.45)


def kick_808(sr: int, rng: np.random.Generator) -> Audio:
    return _sweep_kick(sr, 120.0, 45.0, 0.45, 1.1)


def kick_tight(sr: int, rng: np.random.Generator) -> Audio:
    return _sweep_kick(sr, 220.0, 60.0, 0.09, 0.25)


def stomp(sr: int, rng: np.random.Generator) -> Audio:
    t = times(0.3, sr)
    thump = lowpass(rng.standard_normal(t.size), 300.0, sr) * decay(t, 0.05)
    return 0.6 * _sweep_kick(sr, 110.0, 48.0, 0.08, 0.3) + 2.0 * thump


def snare(sr: int, rng: np.random.Generator) -> Audio:
    t = times(0.35, sr)
    tone = sine(190.0 * t) * decay(t, 0.06)
    noise = bandpass(rng.standard_normal(t.size), 1200.0, 9000.0, sr) * decay(t, 0.12)
    return 0.6 * tone + 1.6 * noise


def clap(sr: int, rng: np.random.Generator) -> Audio:
    t = times(0.3, sr)
    bursts = sum(decay(np.maximum(t - d, 0.0), 0.008) * (t >= d) for d in (0.0, 0.011, 0.022))
    env = np.asarray(bursts) + 0.5 * decay(np.maximum(t - 0.022, 0.0), 0.1) * (t >= 0.022)
    out: Audio = 2.0 * bandpass(rng.standard_normal(t.size), 900.0, 4000.0, sr) * env
    return out


def _hat(sr: int, rng: np.random.Generator, tau: float, length: float) -> Audio:
    t = times(length, sr)
    ph = 540.0 * t
    metal = sum(square(ph * r, 540.0 * r, sr) for r in (1.0, 1.47, 1.62, 1.94))
    noise = rng.standard_normal(t.size) + 0.3 * np.asarray(metal)
    return 1.6 * lowpass(highpass(noise, 6500.0, sr), 12000.0, sr, 1) * decay(t, tau, 0.0005)


def hat(sr: int, rng: np.random.Generator) -> Audio:
    return _hat(sr, rng, 0.035, 0.15)


def open_hat(sr: int, rng: np.random.Generator) -> Audio:
    return _hat(sr, rng, 0.22, 0.7)


def ride(sr: int, rng: np.random.Generator) -> Audio:
    t = times(1.4, sr)
    ping = sine(3100.0 * t) * decay(t, 0.35) * 0.5
    wash = bandpass(rng.standard_normal(t.size), 4000.0, 11000.0, sr) * decay(t, 0.6, 0.001)
    return ping + 0.7 * wash


def crash(sr: int, rng: np.random.Generator) -> Audio:
    t = times(2.0, sr)
    return 1.2 * highpass(rng.standard_normal(t.size), 3500.0, sr) * decay(t, 0.7, 0.001)


def shaker(sr: int, rng: np.random.Generator) -> Audio:
    t = times(0.15, sr)
    env = np.minimum(1.0, t / 0.015) * exp32(-t / 0.045)
    out: Audio = highpass(rng.standard_normal(t.size), 5000.0, sr) * env
    return out


def rim(sr: int, rng: np.random.Generator) -> Audio:
    t = times(0.12, sr)
    return (sine(1700.0 * t) + 0.6 * sine(520.0 * t)) * decay(t, 0.012, 0.0005)


def brush(sr: int, rng: np.random.Generator) -> Audio:
    t = times(0.3, sr)
    env = np.minimum(1.0, t / 0.03) * exp32(-t / 0.09)
    out: Audio = 0.8 * bandpass(rng.standard_normal(t.size), 2000.0, 8000.0, sr) * env
    return out


DRUMS: dict[str, DrumVoice] = {
    "kick": kick,
    "kick808": kick_808,
    "kick_tight": kick_tight,
    "stomp": stomp,
    "snare": snare,
    "clap": clap,
    "hat": hat,
    "ohat": open_hat,
    "ride": ride,
    "crash": crash,
    "shaker": shaker,
    "rim": rim,
    "brush": brush,
}
