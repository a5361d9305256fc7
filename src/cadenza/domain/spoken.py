"""Spoken-style commands: "play a little disco", "play the album Kind of Blue by Miles Davis",
"next", "louder". A small grammar, no model: what the words ask for, not yet what they name in
the catalog (the service resolves that through search)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_SPOKEN_CHARS = 300
VOLUME_STEP = 10


class Action(StrEnum):
    PLAY = "play"
    NEXT = "next"
    PREVIOUS = "previous"
    PAUSE = "pause"
    RESUME = "resume"
    VOLUME = "volume"
    SHUFFLE = "shuffle"
    REPEAT = "repeat"


class Wanted(StrEnum):
    """What kind of thing a play command names."""

    GENRE = "genre"  # "some jazz", "a little disco"
    RELEASE = "release"  # "the album ..."
    TRACK = "track"  # "the song ..."
    PLAYLIST = "playlist"
    ARTIST = "artist"  # "something by ..."
    ANYTHING = "anything"  # "play Kind of Blue": whatever matches best


@dataclass(frozen=True)
class Intent:
    action: Action
    wanted: Wanted | None = None
    words: str = ""  # the name or genre, as said
    artist: str | None = None  # "... by ARTIST"
    volume: int | None = None  # an absolute level
    volume_step: int | None = None  # or a change, + or -
    on: bool | None = None  # shuffle on/off
    repeat: str | None = None  # off, context, track


_POLITE = re.compile(
    r"^(?:(?:hey|ok|okay)\s+cadenza\s*|please\s+|(?:can|could|would|will)\s+you\s+|"
    r"i\s+(?:want|would\s+like|'d\s+like)\s+to\s+(?:hear|listen\s+to)\s+|let'?s\s+)+"
)
_FIXED: dict[str, Intent] = {}
for _said, _intent in (
    (
        "next|skip|skip it|skip this|skip this song|skip this track|next song|next track|"
        "play the next song|play the next track",
        Intent(Action.NEXT),
    ),
    (
        "previous|back|go back|previous song|previous track|last song|last track|"
        "play the previous song|play the last song",
        Intent(Action.PREVIOUS),
    ),
    (
        "pause|stop|pause it|stop it|pause the music|stop the music|stop playing|hold on",
        Intent(Action.PAUSE),
    ),
    (
        "resume|continue|unpause|play|keep playing|carry on|resume playing|play the music",
        Intent(Action.RESUME),
    ),
    (
        "louder|turn it up|turn up|volume up|turn the volume up|a bit louder|a little louder",
        Intent(Action.VOLUME, volume_step=VOLUME_STEP),
    ),
    (
        "quieter|softer|turn it down|turn down|volume down|turn the volume down|a bit quieter|"
        "a little quieter",
        Intent(Action.VOLUME, volume_step=-VOLUME_STEP),
    ),
    ("mute|silence", Intent(Action.VOLUME, volume=0)),
    (
        "shuffle|shuffle on|turn on shuffle|turn shuffle on|shuffle it",
        Intent(Action.SHUFFLE, on=True),
    ),
    (
        "shuffle off|turn off shuffle|turn shuffle off|stop shuffling|no shuffle|unshuffle",
        Intent(Action.SHUFFLE, on=False),
    ),
    (
        "repeat|repeat on|repeat all|repeat the album|repeat the playlist|repeat this album|"
        "turn on repeat|loop",
        Intent(Action.REPEAT, repeat="context"),
    ),
    (
        "repeat this|repeat one|repeat this song|repeat this track|repeat the song|loop this song",
        Intent(Action.REPEAT, repeat="track"),
    ),
    (
        "repeat off|turn off repeat|stop repeating|no repeat|don't repeat",
        Intent(Action.REPEAT, repeat="off"),
    ),
):
    for _phrase in _said.split("|"):
        _FIXED[_phrase] = _intent

_VOLUME = re.compile(r"^(?:set\s+(?:the\s+)?)?volume\s+(?:to\s+|at\s+)?(\d{1,3})\s*(?:%|percent)?$")
_PLAY = re.compile(r"^(?:play|put\s+on|start|queue\s+up|listen\s+to)\s+(.+)$")
_GENRE = re.compile(
    r"^(?:some|a\s+little(?:\s+bit\s+of)?|a\s+bit\s+of|a\s+few|little|bit\s+of)\s+(.+?)"
    r"(?:\s+music)?$"
)
_KIND = re.compile(
    r"^(?:the\s+)?(album|record|ep|single|song|track|tune|playlist)\s+(?:called\s+|named\s+)?(.+)$"
)
_ARTIST = re.compile(
    r"^(?:something|anything|music|songs|tracks|stuff|some\s+music|some\s+songs)\s+by\s+(.+)$"
)
_BY = re.compile(r"^(.+?)\s+by\s+(.+)$")
_KINDS = {
    "album": Wanted.RELEASE,
    "record": Wanted.RELEASE,
    "ep": Wanted.RELEASE,
    "single": Wanted.RELEASE,
    "song": Wanted.TRACK,
    "track": Wanted.TRACK,
    "tune": Wanted.TRACK,
    "playlist": Wanted.PLAYLIST,
}


def normalise(text: str) -> str:
    """Lower case, single spaces, no closing punctuation or courtesy words."""
    said = " ".join(re.sub(r"[,;]", " ", text.lower().replace("\u2019", "'")).split())
    said = said.strip(" .!?,")
    said = re.sub(r"\s*,?\s*please$", "", said)
    return _POLITE.sub("", said).strip(" .!?,")


def parse(text: str) -> Intent | None:
    """What the listener asked for, or None when the grammar does not know the words."""
    said = normalise(text[: MAX_SPOKEN_CHARS + 1])
    if not said or len(text) > MAX_SPOKEN_CHARS:
        return None
    if said in _FIXED:
        return _FIXED[said]
    volume = _VOLUME.match(said)
    if volume:
        level = int(volume.group(1))
        return Intent(Action.VOLUME, volume=level) if level <= 100 else None
    play = _PLAY.match(said)
    if play is None:
        return None
    return _play(play.group(1).strip())


def _play(rest: str) -> Intent | None:
    genre = _GENRE.match(rest)
    if genre:
        return Intent(Action.PLAY, Wanted.GENRE, _unquote(genre.group(1)))
    by_artist = _ARTIST.match(rest)
    if by_artist:
        return Intent(Action.PLAY, Wanted.ARTIST, _unquote(by_artist.group(1)))
    wanted, name = Wanted.ANYTHING, rest
    kind = _KIND.match(rest)
    if kind:
        wanted, name = _KINDS[kind.group(1)], kind.group(2)
    artist = None
    by = _BY.match(name)
    if by:
        name, artist = by.group(1), _unquote(by.group(2))
    name = _unquote(name)
    return Intent(Action.PLAY, wanted, name, artist=artist) if name else None


def _unquote(words: str) -> str:
    return words.strip().strip("\"'\u201c\u201d").strip()
