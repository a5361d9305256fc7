"""Sections: which parts play in each kind of section, the melody, and the order of sections."""

from __future__ import annotations

import numpy as np

from cadenza.demo.compose import (
    KIND_ROLES,
    Note,
    Song,
    arp_notes,
    bass_notes,
    chord_degree,
    chord_notes,
    degree_pitch,
    drum_notes,
    place,
)


def _snap(song: Song, degree: int, step: int) -> int:
    chord = {(chord_degree(song, step) + 2 * k) % 7 for k in range(3)}
    for delta in (0, -1, 1, -2, 2):
        if (degree + delta) % 7 in chord:
            return degree + delta
    return degree


def melody_notes(song: Song, rng: np.random.Generator, density: float) -> list[Note]:
    """A two-bar motif repeated over the section, its last repeat varied, snapped to chords."""
    grid = song.style.lead_grid
    slots = 2 * song.groove.steps // grid
    onsets = rng.random(slots) < density
    onsets[0] = True
    moves = rng.choice([-2, -1, -1, 0, 1, 1, 2, 3], size=slots)
    tonic = place(song.root, song.style.lead_register - 5)
    out: list[Note] = []
    total = song.bars * song.groove.steps
    for start in range(0, total, slots * grid):
        if start + slots * grid >= total and start > 0:
            moves = rng.choice([-2, -1, 0, 1, 2], size=slots)
        degree = 0
        starts = [start + i * grid for i in range(slots) if onsets[i] and start + i * grid < total]
        for i, step in enumerate(starts):
            degree = int(np.clip(degree + moves[(step - start) // grid], -3, 9))
            if step % 4 == 0:
                degree = _snap(song, degree, step)
            nxt = starts[i + 1] if i + 1 < len(starts) else min(start + slots * grid, total)
            pitch = tonic + degree_pitch(song, degree) - song.root
            out.append(
                Note(step, min(nxt - step, 4 * grid), pitch, 0.9, song.style.lead_voice, "lead")
            )
    return out


def section_notes(song: Song, kind: str, rng: np.random.Generator) -> list[Note]:
    roles = KIND_ROLES[kind]
    notes = drum_notes(song, roles)
    if "bass" in roles:
        notes += bass_notes(song, rng)
    if "chords" in roles:
        notes += chord_notes(song) + arp_notes(song)
    if "lead" in roles and song.style.lead_density > 0:
        notes += melody_notes(song, rng, song.style.lead_density * (0.8 if kind == "verse" else 1))
    return notes


def arrangement(sections: int) -> list[str]:
    """Section kinds in order: intro, then verses/choruses/a break, then the intro again."""
    if sections <= 2:
        return ["intro", "verse"][-sections:]
    middle = ["verse", "chorus", "verse", "chorus", "break", "chorus"]
    body = [middle[i % len(middle)] for i in range(sections - 2)]
    return ["intro", *body, "intro"]
