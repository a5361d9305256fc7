"""Notes to sound: place each note's (cached) waveform on the grid, pan, and add a reverb send."""

from __future__ import annotations

import zlib

import numpy as np

from cadenza.demo.compose import Note, Song
from cadenza.demo.drums import DRUMS
from cadenza.demo.dsp import Audio, fold, loop_reverb, midi_hz
from cadenza.demo.voices import VOICES

NoteCache = dict[tuple[str, int, int], Audio]
_DRUM_CACHE: dict[tuple[str, int], Audio] = {}  # a drum hit depends only on voice and rate

_PAN = {
    "snare": 0.05, "clap": -0.05, "hat": 0.3, "ohat": 0.3, "ride": -0.3, "crash": -0.2,
    "shaker": 0.35, "rim": 0.15, "brush": 0.1, "chords": -0.25, "arp": 0.3, "lead": 0.1,
}  # fmt: skip
_DRUM_LEVEL = {
    "kick": 1.0, "kick808": 1.0, "kick_tight": 1.0, "stomp": 0.8, "snare": 0.65, "clap": 0.55,
    "hat": 0.12, "ohat": 0.1, "ride": 0.2, "crash": 0.18, "shaker": 0.15, "rim": 0.4, "brush": 0.3,
}  # fmt: skip
_DRY_SEND = frozenset({"bass", "kick", "kick808", "kick_tight", "stomp"})


def note_wave(note: Note, gate_samples: int, song: Song, cache: NoteCache) -> Audio:
    """The note's waveform at unit gain, synthesised once per (voice, pitch, gate)."""
    sr = song.sample_rate
    if note.voice in DRUMS:
        hit = _DRUM_CACHE.get((note.voice, sr))
        if hit is None:
            rng = np.random.default_rng(zlib.crc32(note.voice.encode()))
            hit = _DRUM_CACHE[(note.voice, sr)] = DRUMS[note.voice](sr, rng)
        return hit
    key = (note.voice, note.pitch, gate_samples)
    wave = cache.get(key)
    if wave is None:
        rng = np.random.default_rng([song.seed, zlib.crc32(note.voice.encode()), note.pitch + 1])
        wave = VOICES[note.voice](midi_hz(note.pitch), gate_samples / sr, sr, rng)
        cache[key] = wave
    return wave


def _start(song: Song, note: Note, rng: np.random.Generator) -> int:
    style = song.style
    unit = style.swing_unit
    pos = float(note.step)
    if style.swing and note.step % unit == 0 and (note.step // unit) % 2 == 1:
        pos += style.swing * unit
    jitter = float(rng.normal(0.0, style.humanize)) if style.humanize else 0.0
    return max(0, round(pos * song.step_samples + (jitter + note.delay) * song.sample_rate))


def _gain(song: Song, note: Note) -> float:
    level = _DRUM_LEVEL.get(note.bus) or song.style.levels.get(note.bus, 0.3)
    return note.vel * level


def _routing(buses: list[str]) -> Audio:
    """(3, buses) gains: equal-power pan to left and right, and each bus's reverb send."""
    angles = [(_PAN.get(bus, 0.0) + 1.0) * np.pi / 4.0 for bus in buses]
    sends = [0.0 if b in _DRY_SEND else 0.3 if b in _DRUM_LEVEL else 1.0 for b in buses]
    return np.array([np.cos(angles), np.sin(angles), sends], dtype=np.float32)


def render_section(
    song: Song, notes: list[Note], ir: Audio, cache: NoteCache, rng: np.random.Generator
) -> tuple[Audio, Audio]:
    """Stereo (2, n) renders of one section: looped (tails wrap to the start) and fresh (no wrap)."""
    n = song.section_samples
    placed = []
    for note in notes:
        gate = round(note.length * song.step_samples * 0.92)
        placed.append((_start(song, note, rng), note_wave(note, gate, song, cache), note))
    size = max([n, *(start + wave.size for start, wave, _ in placed)])
    buses = sorted({note.bus for _, _, note in placed})
    row = {bus: i for i, bus in enumerate(buses)}
    mix = np.zeros((len(buses), size), dtype=np.float32)
    for start, wave, note in placed:
        mix[row[note.bus], start : start + wave.size] += wave * _gain(song, note)
    routing = _routing(buses)
    out = np.zeros((3, size), dtype=np.float32)  # rows: left, right, reverb send
    for k, b in zip(*np.nonzero(routing), strict=True):
        out[k] += mix[b] * routing[k, b]
    dry, send = out[:2], out[2]
    wet_level = song.style.reverb[0]
    wet = loop_reverb(fold(send, n), ir, song.sample_rate) * np.float32(wet_level)
    return fold(dry, n) + wet, dry[:, :n] + wet
