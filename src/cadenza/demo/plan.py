"""plan_library: every decision about the demo catalogue, made up front from one seed."""

from __future__ import annotations

from datetime import date

import numpy as np

from cadenza.demo import layout, names
from cadenza.demo.catalog import (
    EXPLICIT_ODDS,
    LIMITED_TERRITORIES,
    MP3_SHARE,
    VARIOUS,
    Artist,
    DemoSize,
    ReleasePlan,
    Slot,
    TrackPlan,
    child_seed,
    draw_release_date,
    make_artists,
    safe_name,
    track_style,
    unique_titles,
)

_EXTENSION = {"flac16": "flac", "flac24": "flac", "mp3": "mp3"}


def _owners(
    rng: np.random.Generator, artists: list[Artist], kinds: list[str]
) -> list[tuple[Artist, ...]]:
    """Every artist gets a release (where there are enough); one release is a collaboration."""
    order = [int(i) for i in rng.permutation(len(artists))]
    out: list[tuple[Artist, ...]] = []
    for kind in kinds:
        if kind == "compilation":
            out.append(())
            continue
        pick = order[len(out) % len(order)] if len(out) < len(order) else rng.integers(len(artists))
        out.append((artists[int(pick)],))
    solo = [i for i, k in enumerate(kinds) if k in ("album", "ep")]
    if len(artists) >= 2 and len(kinds) >= 6 and solo:
        i = solo[int(rng.integers(len(solo)))]
        guest = next(int(j) for j in rng.permutation(len(artists)) if artists[j] != out[i][0])
        out[i] = (out[i][0], artists[guest])
    return out


def _slots(
    rng: np.random.Generator, size: DemoSize, artists: list[Artist], today: date
) -> list[Slot]:
    shapes = layout.release_shapes(rng, size.releases, size.tracks)
    kinds = [k for k, _ in shapes]
    seconds = layout.durations(
        rng, size.tracks, size.min_seconds, size.max_seconds, size.mean_seconds
    )
    owners = _owners(rng, artists, kinds)
    ordinary = [i for i, k in enumerate(kinds) if k != "compilation"]
    picks = [int(i) for i in rng.permutation(ordinary)]
    future = picks[0] if len(kinds) >= 2 else -1
    limited = picks[1 : 1 + (max(1, len(kinds) // 30) if len(kinds) >= 3 else 0)]
    starts = np.cumsum([0] + [n for _, n in shapes]).tolist()
    sizes = [
        (n, float(np.mean(seconds[starts[i] : starts[i] + n]))) for i, (_, n) in enumerate(shapes)
    ]
    formats = layout.pick_formats(rng, sizes, MP3_SHARE, max(1, len(kinds) // 20))
    return [
        Slot(
            index=i,
            kind=kind,
            owners=owners[i],
            seconds=seconds[starts[i] : starts[i] + n],
            day=draw_release_date(rng, today, i == future),
            territories=LIMITED_TERRITORIES[limited.index(i) % len(LIMITED_TERRITORIES)]
            if i in limited
            else (),
            audio=formats[i],
            first_track=starts[i],
        )
        for i, (kind, n) in enumerate(shapes)
    ]


def _release_title(rng: np.random.Generator, kind: str, titles: list[str]) -> str:
    if kind == "single":
        return titles[0]
    if kind == "ep":
        return f"{names.title(rng)} EP"
    if kind == "compilation":
        return names.collection_title(rng)
    return titles[int(rng.integers(len(titles)))] if rng.random() < 0.3 else names.title(rng)


def _track(
    rng: np.random.Generator, slot: Slot, k: int, title: str, artists: list[Artist], seed: int
) -> TrackPlan:
    n = len(slot.seconds)
    per_disc = -(-n // 2) if n > 12 else n
    disc, number = k // per_disc + 1, k % per_disc + 1
    who = slot.owners or (artists[int(rng.integers(len(artists)))],)
    style = track_style(rng, who[0])
    others = [a.name for a in artists if a not in who]
    guest = slot.owners and others and rng.random() < 0.08
    featured = (str(rng.choice(others)),) if guest else ()
    explicit = bool(rng.random() < EXPLICIT_ODDS.get(style, 0.02))
    prefix = f"{disc}-{number:02d}" if n > 12 else f"{number:02d}"
    return TrackPlan(
        file=f"{prefix} {safe_name(title)}.{_EXTENSION[slot.audio]}",
        title=title,
        artists=tuple(a.name for a in who),
        featured=featured,
        isrc=layout.isrc(seed, slot.day.year, slot.first_track + k),
        disc=disc,
        number=number,
        style=style,
        seconds=slot.seconds[k],
        explicit=explicit,
        seed=child_seed(seed, slot.index, k),
    )


def _release(rng: np.random.Generator, slot: Slot, artists: list[Artist], seed: int) -> ReleasePlan:
    titles = unique_titles(rng, len(slot.seconds))
    tracks = tuple(_track(rng, slot, k, t, artists, seed) for k, t in enumerate(titles))
    title = _release_title(rng, slot.kind, titles)
    main = tuple(a.name for a in slot.owners) or (VARIOUS,)
    label = slot.owners[0].label if slot.owners else artists[0].label
    return ReleasePlan(
        index=slot.index,
        folder=safe_name(f"{slot.index + 1:03d} {' & '.join(main)} - {title}"),
        title=title,
        artists=main,
        kind=slot.kind,
        upc=layout.upc(seed, slot.index),
        label=label,
        release_date=slot.day,
        territories=slot.territories,
        audio=slot.audio,
        tracks=tracks,
        seed=child_seed(seed, slot.index, 10_000),
    )


def plan_library(size: DemoSize, seed: int, today: date | None = None) -> list[ReleasePlan]:
    """The whole catalogue, deterministic for (size, seed, today)."""
    rng = np.random.default_rng(seed)
    artists = make_artists(rng, size.artists)
    slots = _slots(rng, size, artists, today or date.today())
    return [_release(rng, slot, artists, seed) for slot in slots]
