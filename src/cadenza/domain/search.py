"""Search as a listener types it: folding, Spotify's field filters, typo distance, ranking."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.catalog import as_utc


class Kind(StrEnum):
    TRACK = "track"
    ARTIST = "artist"
    RELEASE = "release"
    PLAYLIST = "playlist"  # by name and description: public ones, and the viewer's own
    SHOW = "show"  # podcasts: by title, publisher and description
    EPISODE = "episode"  # by title, its show's title and publisher, and description


INDEXED_KINDS = (Kind.TRACK, Kind.ARTIST, Kind.RELEASE, Kind.PLAYLIST, Kind.SHOW, Kind.EPISODE)
NEW_RELEASE_DAYS = 14  # tag:new, as Spotify: released in the past two weeks
POPULAR_WINDOW = timedelta(days=28)

# "feat.", "ft." and friends say nothing about which song it is; "&" and "and" are one word.
_FEATURING = {"feat", "ft", "featuring"}
_WORD = re.compile(r"\w+", re.UNICODE)
# Letters that Unicode does not decompose but every listener spells without their accent.
_LETTERS = str.maketrans(
    {
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "\u0131": "i",  # dotless i
    }
)


# Hiragana, katakana, CJK ideographs, hangul syllables: scripts that put no spaces between words.
_CJK = re.compile(
    "([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f])"
)
_COMBINING = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x20000) if unicodedata.combining(chr(c))) + "]"
)


def words(text: str) -> list[str]:
    """The folded words of a name: case and accents gone, '&' as 'and', CJK one character a word
    (those scripts put no spaces between words), "feat." and the like left out."""
    text = text.replace("&", " and ")
    if text.isascii():
        found = _WORD.findall(text.lower())
    else:
        decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        stripped = _COMBINING.sub("", decomposed).casefold()
        found = _WORD.findall(_CJK.sub(r" \1 ", stripped))
    return [w for w in (w.replace("_", "") for w in found) if w and w not in _FEATURING]


def fold(text: str) -> str:
    return " ".join(words(text))


@dataclass(frozen=True)
class SearchQuery:
    """What the listener typed, with Spotify's field filters taken out of the free text."""

    text: str = ""
    artist: str = ""
    album: str = ""
    track: str = ""
    genre: str = ""
    isrc: str | None = None
    upc: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    tag_new: bool = False

    @property
    def terms(self) -> list[str]:
        """The typed words; "and" (or "&") only when it is all there is, since names write it
        either way ("Simon & Garfunkel", "Jay-Z & Kanye West" of an album by both)."""
        typed = words(self.text)
        meaningful = [w for w in typed if w != "and"]
        return meaningful or typed

    @property
    def has_filters(self) -> bool:
        return bool(
            self.artist
            or self.album
            or self.track
            or self.genre
            or self.isrc
            or self.upc
            or self.year_from is not None
            or self.tag_new
        )

    def kinds_allowed(self) -> set[Kind]:
        """The kinds a filter can apply to (Spotify: upc: finds albums, isrc: tracks...)."""
        kinds = set(INDEXED_KINDS)
        if self.has_filters:  # filters describe music, not lists of it
            kinds -= {Kind.PLAYLIST, Kind.SHOW, Kind.EPISODE}
        if self.track or self.isrc:
            kinds &= {Kind.TRACK}
        if self.album or self.year_from is not None:
            kinds &= {Kind.TRACK, Kind.RELEASE}
        if self.upc or self.tag_new:
            kinds &= {Kind.RELEASE}
        return kinds

    @property
    def empty(self) -> bool:
        return not self.terms and not self.has_filters


_FILTER = re.compile(
    r'(?i)\b(artist|album|track|genre|year|isrc|upc|tag):("[^"]*"|\S+)',
)
_YEARS = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def parse_query(raw: str) -> SearchQuery:
    """`artist:"daft punk" year:1990-1999 around` -> the filters and the free text."""
    fields: dict[str, str] = {}
    raw = "".join(c if c.isprintable() else " " for c in raw)  # no NULs or controls to a database

    def take(match: re.Match[str]) -> str:
        name, value = match.group(1).lower(), match.group(2).strip('"').strip()
        if name in fields and name in {"artist", "album", "track", "genre"}:
            fields[name] += " " + value
        else:
            fields[name] = value
        return " "

    text = _FILTER.sub(take, raw)
    year_from = year_to = None
    years = _YEARS.match(fields.get("year", ""))
    if years:
        year_from = int(years.group(1))
        year_to = int(years.group(2) or years.group(1))
        year_from, year_to = min(year_from, year_to), max(year_from, year_to)
    elif "year" in fields:
        text += " " + fields["year"]  # not a year: keep it as words rather than lose it
    isrc = fields.get("isrc", "").replace("-", "").upper() or None
    return SearchQuery(
        text=" ".join(text.split()),
        artist=fields.get("artist", ""),
        album=fields.get("album", ""),
        track=fields.get("track", ""),
        genre=fields.get("genre", ""),
        isrc=isrc,
        upc=fields.get("upc") or None,
        year_from=year_from,
        year_to=year_to,
        tag_new=fields.get("tag", "").lower() == "new",
    )


def edits_allowed(word: str) -> int:
    """How many typos a word may carry and still match: none in short words (too many false
    friends), one from four letters, two from eight."""
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def close_words(typed: str, known: list[str], *, prefix: bool) -> dict[str, int]:
    """Known words within the typo budget of a typed word (its start, for the word being typed),
    with their distance."""
    budget = edits_allowed(typed)
    found: dict[str, int] = {}
    typed_pairs = _pairs(typed)
    # An edit (a swap included) breaks at most three of a word's letter pairs: a word that shares
    # fewer with the typed one (or its start) cannot be close, and the distance is not computed.
    needed = len(typed_pairs) - 3 * budget
    for word in known:
        if len(word) < len(typed) - budget or (not prefix and len(word) > len(typed) + budget):
            continue
        if needed > 0 and len(typed_pairs & _pairs(word)) < needed:
            continue
        distance = edit_distance(typed, word, budget)
        if prefix and len(word) > len(typed):
            distance = min(distance, edit_distance(typed, word[: len(typed)], budget))
        if distance <= budget:
            found[word] = distance
    return found


def _pairs(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


@dataclass(frozen=True)
class Expansion:
    """Each typed word and the indexed words it may stand for (itself, or close spellings)."""

    words: tuple[tuple[str, dict[str, int]], ...]
    last_is_prefix: bool = True

    @property
    def fuzzy(self) -> bool:
        return any(len(variants) > 1 or typed not in variants for typed, variants in self.words)


@dataclass(frozen=True)
class Candidate:
    """An index entry that matched, with what ranking needs."""

    kind: Kind
    id: int
    name: str
    name_words: str
    other_words: str  # artists (and album) of a track or release
    released_at: datetime | None
    streams_country: int = 0
    streams: int = 0


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    text_score: float = field(default=0.0)


class _Typed:
    """What was typed, taken apart once for all the candidates a query ranks. `score`: how
    well the typed words name an entry, 0 to 100: the whole name typed beats the start of the
    name, beats every word's start, beats words found among the artists; typos cost."""

    def __init__(self, terms: list[str], variants: Expansion) -> None:
        self.terms = terms
        self.typed = " ".join(terms)
        self.options = [list(options.items()) for _, options in variants.words]
        self.spaced = [[(" " + w, d) for w, d in options] for options in self.options]

    def score(self, candidate: Candidate) -> float:
        name_words = [w for w in candidate.name_words.split() if w != "and"]
        # Every word of the entry after a space: " word" in it says one of them starts with the
        # word. A substring search, not a loop over the words: an episode's description is
        # hundreds of them (a third of a slow podcast query's CPU, looped).
        everything = " " + " ".join(name_words) + " " + candidate.other_words
        penalty = 0.0
        for options in self.spaced:
            hits = [d for w, d in options if w in everything]
            penalty += 12.0 * min(hits, default=0)
        name = " ".join(name_words)
        typed = self.typed
        if name == typed:
            base = 100.0
        elif name.startswith(typed):
            base = 90.0 - min(10.0, (len(name) - len(typed)) / 4)
        elif all(_starts_one(name_words, w) for w in self.terms):
            base = 75.0 - min(10.0, (len(name) - len(typed)) / 6)
        else:
            name_hits = sum(
                1 for options in self.options if any(_starts_one(name_words, v) for v, _ in options)
            )
            if name_hits == len(self.options):
                base = 70.0 - min(10.0, len(name) / 8)
            else:
                base = 45.0 + 15.0 * name_hits / max(1, len(self.options))
        return max(0.0, base - penalty)


def _starts_one(words_: list[str], word: str) -> bool:
    """One of the words starts with this word."""
    for w in words_:  # noqa: SIM110 (a loop: any() over a generator costs more, per candidate)
        if w.startswith(word):
            return True
    return False


def popularity_score(streams_country: int, streams: int) -> float:
    """Counted streams of the last 28 days, the listener's country weighing double."""
    return 4.0 * math.log10(1 + streams_country) + 2.0 * math.log10(1 + streams)


def freshness_score(released_at: datetime | None, now: datetime) -> float:
    """Up to 4 points for something just out, halving every 60 days."""
    if released_at is None:
        return 0.0
    age_days = max(0.0, (as_utc(now) - as_utc(released_at)).total_seconds() / 86400)
    return float(4.0 * 0.5 ** (age_days / 60))


_KIND_BIAS = {
    Kind.ARTIST: 3.0,
    Kind.RELEASE: 1.0,
    Kind.TRACK: 0.0,
    Kind.PLAYLIST: 0.0,
    Kind.SHOW: 1.0,
    Kind.EPISODE: 0.0,
}


def rank(
    candidates: list[Candidate], terms: list[str], variants: Expansion, now: datetime
) -> list[Scored]:
    """Best first: text relevance, then what people play, then what is new."""
    scored = []
    typed = _Typed(terms, variants) if terms else None
    for c in candidates:
        relevance = typed.score(c) if typed else 50.0
        total = (
            relevance
            + popularity_score(c.streams_country, c.streams)
            + freshness_score(c.released_at, now)
            + _KIND_BIAS[c.kind]
        )
        scored.append(Scored(c, total, relevance))
    scored.sort(key=lambda s: (-s.score, len(s.candidate.name), s.candidate.id))
    return scored


# -- typo candidates by deletions (SymSpell's idea) --------------------------------------------
# A word and a typo of it become the same string once a letter is deleted from each: the index
# keeps each vocabulary word under those deletions of its start, and a typed word's own
# deletions look its neighbours up (a few dozen keys) instead of scoring every word that shares
# three letters with it. Only the start counts (a typo further on leaves the start whole), so a
# word has about fifteen keys; close_words() then measures each neighbour found. "s:" keys are
# a word's start, "p:" keys the start of a longer word, for a word still being typed.
SPELLING_START = 6


def _deletions(word: str, depth: int) -> set[str]:
    found = {word}
    edge = {word}
    for _ in range(depth):
        edge = {w[:i] + w[i + 1 :] for w in edge for i in range(len(w)) if len(w) > 1}
        found |= edge
    return found


def spelling_keys(word: str) -> set[str]:
    """The keys a vocabulary word is kept under: its start (six letters) with a letter deleted
    or none; the first four and five letters of a longer word with one deleted."""
    if len(word) < 3:
        return set()
    keys = {"s:" + k for k in _deletions(word[:SPELLING_START], 1)}
    for length in (4, 5):
        if len(word) > length:
            keys |= {"p:" + k for k in _deletions(word[:length], 1)}
    return keys


def typo_keys(typed: str, *, prefix: bool) -> set[str]:
    """The keys a typed word's neighbours are kept under (spelling_keys): its start with as
    many letters deleted as it may carry typos (one at least: a letter added or lost early on
    shifts the start by one); a word still being typed, shorter than the start, is looked for
    among the starts of longer words too. Two typos in the first six letters go unfound."""
    if len(typed) < 4:
        return set()
    start = typed[:SPELLING_START]
    keys = {"s:" + k for k in _deletions(start, max(1, edits_allowed(typed)))}
    if prefix and len(typed) < SPELLING_START:
        keys |= {"p:" + k for k in _deletions(typed, 1)}
    return keys
