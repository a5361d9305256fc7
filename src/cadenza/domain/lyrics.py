"""A song's lyrics as a listener reads them: plain lines, or lines timed to the audio (LRC), so
the player can highlight the line being sung."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LYRICS_CHARS = 100_000  # several times the longest song; a bigger field is not lyrics
# [mm:ss], [mm:ss.x], [mm:ss.xx], [mm:ss.xxx], also with ':' before the fraction
_STAMP = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
_OFFSET = re.compile(r"^\[offset:\s*([+-]?\d+)\s*\]$", re.IGNORECASE)


@dataclass(frozen=True)
class LyricLine:
    start_ms: int | None  # None in plain lyrics
    text: str


@dataclass(frozen=True)
class Lyrics:
    lines: tuple[LyricLine, ...]
    synced: bool

    def stored(self) -> str:
        """The one text form kept with the track: LRC when timed, the plain text otherwise."""
        if not self.synced:
            return "\n".join(line.text for line in self.lines)
        return "\n".join(f"[{_stamp(line.start_ms or 0)}]{line.text}" for line in self.lines)


def parse_lyrics(text: str | None) -> Lyrics | None:
    """Lyrics from plain text or LRC; None when there is nothing to read. A text with at least
    one timed line is LRC: its untimed lines (credits, blank ones) are dropped and the lines
    sorted by time, a line with several stamps repeated at each."""
    if text is None:
        return None
    raw = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not raw.strip():
        return None
    timed = _timed(raw.split("\n"))
    if timed:
        return Lyrics(tuple(timed), synced=True)
    lines = [line.rstrip() for line in raw.split("\n")]
    return Lyrics(tuple(LyricLine(None, line) for line in lines), synced=False)


def from_timed(pairs: list[tuple[str, int]]) -> Lyrics | None:
    """Lyrics from (text, start in ms) pairs, as synchronised tags (ID3 SYLT) hold them."""
    lines = [LyricLine(max(0, start), text.strip("\n")) for text, start in pairs]
    lines.sort(key=lambda line: line.start_ms or 0)
    return Lyrics(tuple(lines), synced=True) if lines else None


def _timed(lines: list[str]) -> list[LyricLine]:
    offset = 0
    found: list[LyricLine] = []
    for line in lines:
        stripped = line.strip()
        if (match := _OFFSET.match(stripped)) is not None:
            offset = int(match[1])  # positive: the lines come earlier
            continue
        stamps = []
        rest = stripped
        while (match := _STAMP.match(rest)) is not None:
            stamps.append(_ms(match))
            rest = rest[match.end() :]
        if not stamps:
            continue  # an id tag ([ar:...], [ti:...]) or an untimed line
        found += [LyricLine(max(0, start - offset), rest.strip()) for start in stamps]
    found.sort(key=lambda line: line.start_ms or 0)
    return found


def _ms(match: re.Match[str]) -> int:
    minutes, seconds, fraction = match[1], match[2], match[3] or "0"
    return (int(minutes) * 60 + int(seconds)) * 1000 + int(fraction.ljust(3, "0")[:3])


def _stamp(ms: int) -> str:
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes:02d}:{rest // 1000:02d}.{(rest % 1000) // 10:02d}"
