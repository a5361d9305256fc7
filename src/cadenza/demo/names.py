"""Invented names: artists, labels, release and track titles, from syllables and word lists."""

from __future__ import annotations

import numpy as np

_ONSETS = ["b", "br", "d", "f", "g", "k", "kr", "l", "m", "n", "p", "r", "s", "st", "t", "v", "z"]
_ONSETS += ["sh", "th", "tr", "j", "h", "w", "fl", "gl"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ea", "io", "y"]
_CODAS = ["", "", "", "n", "r", "l", "s", "x", "m", "th", "ck", "nd"]
_ACCENTED = {"e": "é", "o": "ø", "u": "ü", "a": "å", "i": "ï"}
_FIRST = ["Mara", "Jonah", "Elin", "Tobias", "Noor", "Felix", "Ines", "Lucas", "Ada", "Milo"]
_FIRST += ["Chloé", "Søren", "Zoë", "Jürgen", "Renée", "Björn", "Ana", "Theo", "Iris", "Omar"]
_CYRILLIC = (["Мирон", "Глеб", "Лев", "Тимур"], ["Орлов", "Соколов", "Волков", "Белов"])
_JAPANESE = (["星野", "高橋", "森", "中村", "小林"], ["ハルカ", "ユキ", "ソラ", "レン", "アオイ"])

ADJECTIVES = [
    "golden",
    "quiet",
    "electric",
    "velvet",
    "hollow",
    "silver",
    "neon",
    "paper",
    "distant",
    "secret",
    "wild",
    "broken",
    "endless",
    "crimson",
    "lunar",
    "northern",
    "slow",
    "tender",
    "restless",
    "amber",
    "frozen",
    "hidden",
    "burning",
    "blue",
    "open",
    "bright",
    "last",
    "first",
    "lonely",
    "sudden",
    "gentle",
    "violet",
    "dusty",
]
NOUNS = [
    "river",
    "night",
    "city",
    "garden",
    "signal",
    "mirror",
    "ocean",
    "engine",
    "summer",
    "shadow",
    "window",
    "harbor",
    "machine",
    "forest",
    "letter",
    "station",
    "echo",
    "satellite",
    "winter",
    "island",
    "heart",
    "fire",
    "rain",
    "road",
    "light",
    "dream",
    "storm",
    "tide",
    "horizon",
    "orbit",
    "motel",
    "canyon",
    "lantern",
    "meadow",
    "circuit",
    "avenue",
]
VERBS = [
    "running",
    "falling",
    "dancing",
    "waiting",
    "drifting",
    "burning",
    "calling",
    "breathing",
    "fading",
    "flying",
    "turning",
    "holding",
    "chasing",
    "shining",
]
_LABEL_SUFFIX = ["Records", "Recordings", "Music", "Sound", "Audio", "Tapes", "Editions"]


def _pick(rng: np.random.Generator, items: list[str]) -> str:
    return items[int(rng.integers(len(items)))]


def word(rng: np.random.Generator, syllables: int, accent: bool = False) -> str:
    """A pronounceable invented word: consonant-vowel syllables, sometimes with a coda."""
    parts = [_pick(rng, _ONSETS) + _pick(rng, _VOWELS) for _ in range(syllables)]
    text = "".join(parts) + _pick(rng, _CODAS)
    if accent:
        for plain, fancy in _ACCENTED.items():
            if plain in text[1:]:
                text = text[0] + text[1:].replace(plain, fancy, 1)
                break
    return text.capitalize()


def artist_name(rng: np.random.Generator, index: int, count: int) -> str:
    """Varied shapes; a few with accents, one Cyrillic and one Japanese (for search)."""
    if count >= 4 and index == count // 3:
        return f"{_pick(rng, _CYRILLIC[0])} {_pick(rng, _CYRILLIC[1])}"
    if count >= 4 and index == (2 * count) // 3:
        return f"{_pick(rng, _JAPANESE[0])} {_pick(rng, _JAPANESE[1])}"
    accent = index % 7 == 3
    shape = int(rng.integers(6))
    if shape == 0:
        return f"The {_pick(rng, ADJECTIVES).capitalize()} {_pick(rng, NOUNS).capitalize()}s"
    if shape == 1:
        return f"{_pick(rng, _FIRST)} {word(rng, 2, accent)}"
    if shape == 2:
        return word(rng, int(rng.integers(2, 4)), accent)
    if shape == 3:
        return f"DJ {word(rng, 2, accent)}" if rng.random() < 0.5 else f"MC {word(rng, 1, accent)}"
    if shape == 4:
        return f"{word(rng, 2, accent)} & the {_pick(rng, NOUNS).capitalize()}s"
    return f"{word(rng, 1, accent)} {word(rng, 2)}"


def label_name(rng: np.random.Generator) -> str:
    return f"{word(rng, 2)} {_pick(rng, _LABEL_SUFFIX)}"


def title(rng: np.random.Generator) -> str:
    """Titles of one to five words drawn from shared lists (so searches find several)."""
    shape = int(rng.integers(7))
    adj, noun = _pick(rng, ADJECTIVES).capitalize(), _pick(rng, NOUNS).capitalize()
    if shape == 0:
        return noun
    if shape == 1:
        return f"{adj} {noun}"
    if shape == 2:
        return f"{_pick(rng, VERBS).capitalize()} {noun}s"
    if shape == 3:
        return f"The {noun} and the {_pick(rng, NOUNS).capitalize()}"
    if shape == 4:
        return f"{noun} ({adj} Mix)"
    if shape == 5:
        return f"{adj} {noun}, Pt. {int(rng.integers(1, 4))}"
    return f"{_pick(rng, VERBS).capitalize()} Through the {adj} {noun}"


def collection_title(rng: np.random.Generator) -> str:
    adj, noun = _pick(rng, ADJECTIVES).capitalize(), _pick(rng, NOUNS).capitalize()
    return f"{adj} {noun}s, Vol. {int(rng.integers(1, 5))}"
