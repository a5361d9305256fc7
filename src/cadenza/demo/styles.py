"""The musical styles: tempo range, modes, progressions, grooves (step patterns) and instruments.

Patterns have one character per 16th-note step and loop at their own length.
Drums: X loud, x normal, o ghost, . rest.  Bass: r root, o octave, f fifth, t third,
s scale tone, w walking line, - hold, . rest.  Chords: x hit, - hold.  Arp: chord-tone digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "harmonic": (0, 2, 3, 5, 7, 8, 11),
}

_FOUR = "x...x...x...x..."
_BACKBEAT = "....x.......x..."
_EIGHTHS = "x.x.x.x.x.x.x.x."
_SIXTEENTHS = "xoxoxoxoxoxoxoxo"
_OFFBEATS = "..x...x...x...x."


@dataclass(frozen=True)
class Groove:
    steps: int = 16
    drums: tuple[tuple[str, str], ...] = ()
    bass: str = ""
    chords: str = ""
    arp: str = ""


@dataclass(frozen=True)
class Style:
    name: str
    bpm: tuple[float, float]
    modes: tuple[str, ...]
    progressions: tuple[tuple[int, ...], ...]
    grooves: tuple[Groove, ...]
    bass_voice: str
    chord_voice: str
    lead_voice: str
    arp_voice: str = "pluck"
    voicing: str = "triad"
    lead_density: float = 0.4
    lead_grid: int = 2
    lead_register: int = 72
    swing: float = 0.0
    swing_unit: int = 2
    humanize: float = 0.0
    strum: float = 0.0
    bars_per_chord: int = 1
    reverb: tuple[float, float] = (0.1, 1.0)
    loudness: tuple[float, float] = (-14.0, -10.0)
    fade_in: float = 0.02
    levels: dict[str, float] = field(
        default_factory=lambda: {"bass": 0.7, "chords": 0.3, "arp": 0.35, "lead": 0.4}
    )


# fmt: off
STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style(
            "disco", (116, 126), ("major", "dorian", "minor"), ((0, 5, 3, 4), (1, 4, 0, 0), (0, 3)),
            (
                Groove(16, (("kick", _FOUR), ("clap", _BACKBEAT), ("hat", _SIXTEENTHS),
                            ("ohat", _OFFBEATS)), "r.o.r.o.r.o.r.o.", "x-------x-------"),
                Groove(16, (("kick", _FOUR), ("clap", _BACKBEAT), ("ohat", _OFFBEATS)),
                       "r.o.r.oor.o.r.o.", "..x-..x-..x-..x-"),
            ),
            "fm_bass", "strings", "lead", loudness=(-13, -9),
        ),
        Style(
            "jazz", (132, 168), ("major", "dorian"), ((1, 4, 0, 0), (1, 4, 0, 5), (0, 5, 1, 4)),
            (
                Groove(16, (("ride", "x...x.x.x...x.x."), ("hat", "....x.......x..."),
                            ("kick", "o..............."), ("brush", "..........o.....")),
                       "w...w...w...w...", "x-....x-........"),
                Groove(16, (("ride", "x...x.x.x...x.x."), ("hat", "....x.......x...")),
                       "w...w...w...w...", "..x-......x-...."),
            ),
            "bass", "epiano", "vibes", voicing="seventh", lead_density=0.55, swing=0.33,
            humanize=0.008, reverb=(0.18, 1.4), loudness=(-20, -15),
            levels={"bass": 0.8, "chords": 0.3, "arp": 0.3, "lead": 0.45},
        ),
        Style(
            "ambient", (56, 74), ("major", "lydian", "dorian"), ((0, 3), (0, 4, 3, 0), (0, 5)),
            (
                Groove(16, (), "r---------------", "x---------------"),
                Groove(16, (), "r---------------", "x---------------", "0-------3-------"),
            ),
            "sub", "pad", "bell", "bell", voicing="spread", lead_density=0.22, lead_grid=4,
            bars_per_chord=2, reverb=(0.65, 4.0), loudness=(-21, -16), fade_in=1.5,
            levels={"bass": 0.35, "chords": 0.45, "arp": 0.2, "lead": 0.25},
        ),
        Style(
            "drum and bass", (170, 178), ("minor", "dorian"), ((0, 5, 6, 4), (0, 0, 5, 6), (0, 3)),
            (
                Groove(16, (("kick_tight", "x.........x....."), ("snare", "....x..o....x..o"),
                            ("hat", _EIGHTHS)), "r-------r-----o-", "x---------------"),
                Groove(16, (("kick_tight", "x.....x...x....."), ("snare", "....x.......x.o."),
                            ("hat", _SIXTEENTHS)), "r-----------f---", "x---------------"),
            ),
            "sub", "pad", "lead", lead_density=0.25, loudness=(-11, -8),
            levels={"bass": 0.7, "chords": 0.25, "arp": 0.3, "lead": 0.35},
        ),
        Style(
            "classical", (66, 104), ("major", "harmonic"), ((0, 3, 4, 0), (0, 5, 3, 4), (0, 4, 5, 3)),
            (
                Groove(16, (), "r-------f-------", "", "0212021202120212"),
                Groove(12, (), "r-----------", "....x---x---"),
                Groove(16, (), "r---------------", "", "0-1-2-3-4-3-2-1-"),
            ),
            "piano", "piano", "piano", "piano", lead_density=0.5, lead_register=76,
            humanize=0.01, reverb=(0.25, 2.0), loudness=(-22, -16), fade_in=0.3,
            levels={"bass": 0.45, "chords": 0.3, "arp": 0.3, "lead": 0.45},
        ),
        Style(
            "techno", (126, 134), ("minor", "phrygian"), ((0, 0, 0, 0), (0, 0, 5, 5), (0, 0, 6, 6)),
            (
                Groove(16, (("kick", _FOUR), ("ohat", _OFFBEATS), ("hat", _SIXTEENTHS),
                            ("clap", _BACKBEAT)), "r.sr.sos.rs.so.s", "......x........."),
                Groove(16, (("kick", _FOUR), ("ohat", _OFFBEATS), ("hat", "oxoo" * 4)),
                       "s.s.r.sos.r.o.ss", "..........x....."),
            ),
            "acid", "strings", "bell", lead_density=0.08, loudness=(-11, -8),
            levels={"bass": 0.55, "chords": 0.2, "arp": 0.3, "lead": 0.2},
        ),
        Style(
            "hip hop", (84, 94), ("minor", "dorian"), ((0, 5), (0, 3, 5, 4), (1, 4, 0, 0)),
            (
                Groove(16, (("kick808", "x......x..x....."), ("snare", _BACKBEAT),
                            ("hat", _SIXTEENTHS)), "r-------..r-----", "x-------x-------"),
                Groove(16, (("kick808", "x.x.......x..x.."), ("snare", _BACKBEAT),
                            ("hat", _EIGHTHS)), "r---..r---..r---", "x---------------"),
            ),
            "sub", "epiano", "lead", voicing="seventh", lead_density=0.2, swing=0.3,
            swing_unit=1, loudness=(-14, -9),
        ),
        Style(
            "folk", (94, 110), ("major", "mixolydian"), ((0, 3, 4, 0), (0, 4, 5, 3), (0, 3, 0, 4)),
            (
                Groove(16, (("stomp", "x.......x......."), ("shaker", _OFFBEATS)),
                       "r.......f.......", "", "0.1.2.1.3.1.2.1."),
                Groove(16, (("stomp", "x.......x......."),), "r.......f.......",
                       "x..x..x.x.x.x..."),
            ),
            "pluck", "pluck", "flute", "pluck", humanize=0.012, strum=0.012,
            reverb=(0.15, 1.2), loudness=(-18, -13),
            levels={"bass": 0.5, "chords": 0.35, "arp": 0.45, "lead": 0.35},
        ),
        Style(
            "metal", (150, 172), ("minor", "phrygian"), ((0, 0, 5, 6), (0, 6, 5, 4), (0, 1, 0, 6)),
            (
                Groove(16, (("kick_tight", _EIGHTHS), ("snare", _BACKBEAT), ("hat", _EIGHTHS),
                            ("crash", "x" + "." * 31)), "r-r-r-r-r-r-r-r-", "x-x-x-x-x-x-x-x-"),
                Groove(16, (("kick_tight", "x" * 16), ("snare", _BACKBEAT),
                            ("crash", "x" + "." * 31)), "r-r-r-r-r-r-r-r-", "x-xxx-x-x-xxx-x-"),
            ),
            "bass", "power", "lead", voicing="power", lead_density=0.3, loudness=(-11, -8),
            levels={"bass": 0.45, "chords": 0.8, "arp": 0.3, "lead": 0.3},
        ),
        Style(
            "reggae", (70, 80), ("major", "minor"), ((0, 3), (0, 4, 3, 4), (0, 5, 3, 4)),
            (
                Groove(16, (("kick", "........x......."), ("rim", "........x......."),
                            ("hat", _EIGHTHS)), "r--.r..f-..o-r..", "..x...x...x...x."),
                Groove(16, (("kick", "x.......x......."), ("rim", "........x......."),
                            ("hat", _EIGHTHS)), "r-.r-.f-..r-o-..", "..x...x...x...x."),
            ),
            "bass", "organ", "lead", lead_density=0.3, swing=0.15, humanize=0.006,
            reverb=(0.15, 1.0), loudness=(-16, -11),
            levels={"bass": 0.9, "chords": 0.3, "arp": 0.3, "lead": 0.35},
        ),
    )
}
# fmt: on


def style_names() -> list[str]:
    return list(STYLES)
