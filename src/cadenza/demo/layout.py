"""The library's numbers: release types and sizes, track durations, identifiers."""

from __future__ import annotations

import numpy as np

_RANGES = {"single": (1, 2), "ep": (3, 5), "album": (6, 12), "compilation": (2, 14)}
_UPGRADE = {"single": "ep", "ep": "album"}
_DOWNGRADE = {"album": "ep", "ep": "single"}
DELUXE_MAX = 24


def _bounds(kind: str, deluxe: bool) -> tuple[int, int]:
    lo, hi = _RANGES[kind]
    return lo, DELUXE_MAX if deluxe and kind == "album" else hi


def _retype(
    kinds: list[str], counts: list[int], table: dict[str, str], rng: np.random.Generator
) -> bool:
    """Change one release's type (up or down) and clamp its size into the new range."""
    options = [i for i, k in enumerate(kinds) if k in table]
    if not options:
        return False
    i = int(rng.choice(options))
    kinds[i] = table[kinds[i]]
    lo, hi = _RANGES[kinds[i]]
    counts[i] = min(max(counts[i], lo), hi)
    return True


def release_shapes(rng: np.random.Generator, releases: int, tracks: int) -> list[tuple[str, int]]:
    """(type, track count) per release, summing exactly to `tracks`; one compilation if room."""
    if not 1 <= releases <= tracks <= DELUXE_MAX * releases:
        raise ValueError(f"cannot spread {tracks} tracks over {releases} releases")
    kinds = ["compilation"] if releases >= 4 and tracks >= releases + 3 else []
    albums = min(0.8, max(0.2, (tracks / releases - 2.75) / 8.25))
    odds = [albums, (1 - albums) / 2, (1 - albums) / 2]
    drawn = rng.choice(["album", "ep", "single"], p=odds, size=releases - len(kinds))
    kinds += [str(k) for k in drawn]
    counts = [int(rng.integers(lo, hi + 1)) for lo, hi in (_RANGES[k] for k in kinds)]
    deluxe = False
    while (total := sum(counts)) != tracks:
        grow = total < tracks
        movable = [
            i for i, k in enumerate(kinds)
            if (counts[i] < _bounds(k, deluxe)[1] if grow else counts[i] > _bounds(k, deluxe)[0])
        ]  # fmt: skip
        if movable and deluxe and grow:
            i = max(movable, key=lambda j: (counts[j], -j))
            counts[i] += 1
        elif movable:
            counts[int(rng.choice(movable))] += 1 if grow else -1
        elif grow and not deluxe and "album" in kinds:
            deluxe = True
        elif not _retype(kinds, counts, _UPGRADE if grow else _DOWNGRADE, rng):
            raise ValueError(f"cannot spread {tracks} tracks over {releases} releases")
    return list(zip(kinds, counts, strict=True))


def durations(
    rng: np.random.Generator, count: int, low: float, high: float, mean: float
) -> list[float]:
    """Seconds per track in [low, high] averaging `mean`: low plus an exponential tail, clipped,
    and a handful (1 %) of full-length tracks near `high`."""
    mean = min(max(mean, low), high)
    longs = max(1, count // 100) if count >= 5 and high > low else 0
    fixed = list(high - rng.uniform(0.0, 0.03 * (high - low), longs))
    rest = count - longs
    if rest and (count * mean - sum(fixed)) / rest < low:
        fixed, rest = [], count
    tail = rng.exponential(1.0, rest)
    want = (count * mean - sum(fixed)) / rest if rest else mean
    lo_scale, hi_scale = 0.0, (high - low) * 50.0
    for _ in range(60):
        scale = 0.5 * (lo_scale + hi_scale)
        if np.mean(np.minimum(low + scale * tail, high)) < want:
            lo_scale = scale
        else:
            hi_scale = scale
    values = np.concatenate([np.array(fixed), np.minimum(low + lo_scale * tail, high)])
    rng.shuffle(values)
    return [round(float(v), 2) for v in values]


def gtin_check(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def upc(seed: int, index: int) -> str:
    """A 12-digit UPC-A with a valid check digit, unique per release within a library."""
    body = f"0{(seed * 7919) % 100000:05d}{index:05d}"
    return body + gtin_check(body)


def isrc(seed: int, year: int, index: int) -> str:
    """CC-XXX-YY-NNNNN: the 'XX' country prefix, registrant 'CDZ', year, unique designation."""
    return f"XXCDZ{year % 100:02d}{(seed * 104729 + index) % 100000:05d}"


def pick_formats(
    rng: np.random.Generator, sizes: list[tuple[int, float]], mp3_share: float, hires: int
) -> list[str]:
    """Per release: 'mp3' for the shortest releases until about `mp3_share` of the tracks, a few
    'flac24' (48 kHz / 24-bit), the rest 'flac16'. `sizes` holds (tracks, mean seconds)."""
    total = sum(n for n, _ in sizes)
    target = round(mp3_share * total)
    formats = ["flac16"] * len(sizes)
    taken = 0
    for i in sorted(range(len(sizes)), key=lambda j: sizes[j][1]):
        if taken >= target:
            break
        if taken + sizes[i][0] <= target * 1.1 + 1:
            formats[i] = "mp3"
            taken += sizes[i][0]
    rest = [i for i, f in enumerate(formats) if f == "flac16"]
    for i in rng.permutation(rest)[: min(hires, max(0, len(rest) - 1))]:
        formats[int(i)] = "flac24"
    return formats
