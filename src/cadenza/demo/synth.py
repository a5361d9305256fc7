"""Render one track of a style: plan a song, render each section kind once, arrange, master."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cadenza.demo.arrange import arrangement, section_notes
from cadenza.demo.compose import plan_song
from cadenza.demo.dsp import Audio, reverb_ir
from cadenza.demo.master import IntPcm, assemble, level, quantise
from cadenza.demo.render import NoteCache, render_section
from cadenza.demo.styles import STYLES

FIRST = "first"


@dataclass(frozen=True)
class Pcm:
    """Interleaved integer frames, shape (n, 2): int16 for 16-bit, int32 (top 24 bits) for 24."""

    samples: IntPcm
    sample_rate: int
    bits: int
    target_lufs: float

    @property
    def seconds(self) -> float:
        return float(self.samples.shape[0] / self.sample_rate)


def render_track(
    style: str,
    seconds: float,
    *,
    seed: int,
    sample_rate: int = 44100,
    bits: int = 16,
    target_lufs: float | None = None,
) -> Pcm:
    """A deterministic stereo track of exactly round(seconds * sample_rate) frames."""
    spec = STYLES[style]
    rng = np.random.default_rng(seed)
    song = plan_song(spec, rng, sample_rate)
    target = float(rng.uniform(*spec.loudness)) if target_lufs is None else target_lufs
    frames = round(seconds * sample_rate)
    order = arrangement(max(1, math.ceil(frames / song.section_samples)))
    ir = reverb_ir(spec.reverb[1], sample_rate, rng)
    cache: NoteCache = {}
    parts: dict[str, Audio] = {}
    for index, kind in enumerate(dict.fromkeys(order)):
        kind_rng = np.random.default_rng([seed, index])
        looped, fresh = render_section(song, section_notes(song, kind, kind_rng), ir, cache, rng)
        parts[kind] = looped
        if kind == order[0]:
            parts[FIRST] = fresh
    order = [FIRST, *order[1:]]
    mastered = level(parts, order, target, sample_rate)
    pcm = {kind: quantise(audio, bits) for kind, audio in mastered.items()}
    fade_in = round(min(spec.fade_in, 0.1 * seconds) * sample_rate)
    fade_out = round(min(3.0, 0.15 * seconds) * sample_rate)
    samples = assemble(pcm, order, frames, fade_in, fade_out)
    return Pcm(samples, sample_rate, bits, target)
