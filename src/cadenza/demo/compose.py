"""From a style to parts on the step grid: key, tempo, progression, voicings, drums, bass, chords."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cadenza.demo.styles import MODES, Groove, Style

SECTION_BARS = 4
LIGHT_DRUMS = frozenset({"hat", "ohat", "ride", "shaker", "rim", "brush"})
KIND_ROLES: dict[str, frozenset[str]] = {
    "intro": frozenset({"light", "chords", "arp"}),
    "verse": frozenset({"drums", "light", "bass", "chords", "arp", "lead"}),
    "chorus": frozenset({"drums", "light", "bass", "chords", "arp", "lead", "crash"}),
    "break": frozenset({"bass", "chords", "arp", "lead"}),
}
_BASS_LOW = {"sub": 29, "bass": 31, "fm_bass": 31, "acid": 33, "piano": 36, "pluck": 40}


@dataclass(frozen=True)
class Song:
    style: Style
    groove: Groove
    root: int
    scale: tuple[int, ...]
    progression: tuple[int, ...]
    step_samples: int
    sample_rate: int
    seed: int

    @property
    def bars(self) -> int:
        return max(SECTION_BARS, len(self.progression) * self.style.bars_per_chord)

    @property
    def section_samples(self) -> int:
        return self.bars * self.groove.steps * self.step_samples


@dataclass(frozen=True)
class Note:
    """One note or hit on the step grid: `step` and `length` count 16th notes."""

    step: int
    length: int
    pitch: int
    vel: float
    voice: str
    bus: str
    delay: float = 0.0


def plan_song(style: Style, rng: np.random.Generator, sample_rate: int) -> Song:
    bpm = float(rng.uniform(*style.bpm))
    pick = int(rng.integers(len(style.grooves)))
    return Song(
        style=style,
        groove=style.grooves[pick],
        root=int(rng.integers(12)),
        scale=MODES[style.modes[int(rng.integers(len(style.modes)))]],
        progression=style.progressions[int(rng.integers(len(style.progressions)))],
        step_samples=round(sample_rate * 60.0 / bpm / 4.0),
        sample_rate=sample_rate,
        seed=int(rng.integers(2**31)),
    )


def place(pitch: int, low: int) -> int:
    """The pitch's pitch class moved into the octave [low, low + 12)."""
    return low + (pitch - low) % 12


def degree_pitch(song: Song, degree: int) -> int:
    return song.root + song.scale[degree % 7] + 12 * (degree // 7)


def chord_degree(song: Song, step: int) -> int:
    bar = step // song.groove.steps
    return song.progression[(bar // song.style.bars_per_chord) % len(song.progression)]


def chord_pitches(song: Song, degree: int) -> list[int]:
    voicing = song.style.voicing
    tones = [degree_pitch(song, degree + 2 * k) for k in range(4 if voicing == "seventh" else 3)]
    if voicing == "power":
        return [place(tones[0], 40)]
    notes = sorted(place(p, 55) for p in tones)
    if voicing == "spread":
        return [place(tones[0], 43), *notes, notes[0] + 12]
    return notes


def note_spans(pattern: str, total: int) -> list[tuple[int, int, str]]:
    """(step, length, symbol) for every note start; '-' extends the previous note."""
    spans: list[tuple[int, int, str]] = []
    for step in range(total if pattern else 0):
        sym = pattern[step % len(pattern)]
        if sym in ".-":
            continue
        length = 1
        while step + length < total and pattern[(step + length) % len(pattern)] == "-":
            length += 1
        spans.append((step, length, sym))
    return spans


def drum_notes(song: Song, roles: frozenset[str]) -> list[Note]:
    total = song.bars * song.groove.steps
    vel = {"X": 1.0, "x": 0.8, "o": 0.4}
    notes = []
    for name, pattern in song.groove.drums:
        role = "crash" if name == "crash" else "light" if name in LIGHT_DRUMS else "drums"
        if role not in roles:
            continue
        notes += [Note(s, 1, -1, vel[c], name, name) for s, _, c in note_spans(pattern, total)]
    return notes


def _bass_pitch(song: Song, step: int, sym: str, rng: np.random.Generator) -> int:
    degree = chord_degree(song, step)
    low = _BASS_LOW.get(song.style.bass_voice, 31)
    root = place(degree_pitch(song, degree), low)
    in_bar = step % song.groove.steps
    if sym == "w" and in_bar >= song.groove.steps - 4:
        target = place(degree_pitch(song, chord_degree(song, step + 4)), low)
        return target + int(rng.choice([-1, 1]))
    if sym in "ro" or (sym == "w" and in_bar == 0):
        return root
    if sym in "ft":
        return place(degree_pitch(song, degree + (4 if sym == "f" else 2)), low)
    step_deg = int(rng.choice([2, 4, 1, 5])) if sym == "w" else int(rng.integers(0, 7))
    return place(degree_pitch(song, degree + step_deg), low)


def bass_notes(song: Song, rng: np.random.Generator) -> list[Note]:
    total = song.bars * song.groove.steps
    out = []
    for step, length, sym in note_spans(song.groove.bass, total):
        pitch = _bass_pitch(song, step, sym, rng) + (12 if sym == "o" else 0)
        out.append(Note(step, length, pitch, 1.0, song.style.bass_voice, "bass"))
    return out


def chord_notes(song: Song) -> list[Note]:
    total = song.bars * song.groove.steps
    voice, strum = song.style.chord_voice, song.style.strum
    return [
        Note(step, length, pitch, 0.85, voice, "chords", k * strum)
        for step, length, _ in note_spans(song.groove.chords, total)
        for k, pitch in enumerate(chord_pitches(song, chord_degree(song, step)))
    ]


def arp_notes(song: Song) -> list[Note]:
    total = song.bars * song.groove.steps
    out = []
    for step, length, sym in note_spans(song.groove.arp, total):
        tones = chord_pitches(song, chord_degree(song, step))[:3]
        k = int(sym)
        out.append(
            Note(step, length, tones[k % 3] + 12 * (k // 3), 0.8, song.style.arp_voice, "arp")
        )
    return out
