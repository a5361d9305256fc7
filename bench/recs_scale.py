"""The recommendation engine at a big server's size: training, Discover Weekly for everyone, radio.

    python bench/recs_scale.py [--scale 1.0] [--threads 0]

1. Generates listening (fixed seed 0; the parameters below are stated in the README and stay
   fixed): 100,000 listeners, 1,000,000 tracks by 100,000 artists (10 tracks each) in 200
   genres, 50,000,000 play events. Popularity is Zipf with exponent 1: globally, and within each
   genre (track t is in genre t % 200 and is that genre's (t // 200 + 1)-th most popular).
   Each listener has 1-3 favourite genres; 60% of their plays are drawn from those, the rest from
   the whole catalog. Each listener has 5 to 2,000 distinct tracks (log-uniform, bent so that
   the total is exactly 25,000,000 listener-track pairs); each pair is played once and the other
   25M plays fall on the listeners' pairs (a listener chosen by their number of tracks, the pair
   skewed to their most popular ones), so a pair's play count runs from 1 into the hundreds.
   The listeners x tracks matrix is built directly as CSR, a block of listeners at a time
   (numpy only).
2. Training: `cadenza.recs.algorithm.train` with artist and genre one-hot content, timed.
3. Discover Weekly for all listeners: the track vectors in a voyager (HNSW, inner product)
   index; each listener's vector queried for its nearest tracks, already-played ones dropped,
   at most 2 per artist, the first 30 kept; a listener short of 30 is asked again deeper.
4. Radio: from a random seed track, the next track is the nearest neighbour of the session's
   last track that is neither among the last 50 played nor by the artist just played; the
   latency of one next-track step (query and filter), p50 and p95 over 2,000 steps.
Peak memory is the resident size of this process, sampled throughout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import scipy.sparse

from _results import PeakRss, write_results
from cadenza.recs.algorithm import train

LISTENERS = 100_000
TRACKS = 1_000_000
EVENTS = 50_000_000
GENRES = 200
TRACKS_PER_ARTIST = 10
PAIRS = 25_000_000  # distinct listener-track pairs (the history matrix's entries)
MIN_TRACKS, MAX_TRACKS = 5, 2_000  # distinct tracks of one listener
TASTE_SHARE = 0.6  # of a listener's plays drawn from their favourite genres
SEED = 0
DW_TRACKS, DW_PER_ARTIST = 30, 2
RADIO_NO_REPEAT = 50


def zipf_cdf(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64)
    return np.cumsum(weights) / weights.sum()


def tracks_per_listener(rng: np.random.Generator, listeners: int, pairs: int) -> np.ndarray:
    """Log-uniform between MIN_TRACKS and MAX_TRACKS, bent so that the total is exactly `pairs`."""
    u = rng.random(listeners)
    span = np.log(MAX_TRACKS / MIN_TRACKS)

    def counts(bend: float) -> np.ndarray:
        return np.round(MIN_TRACKS * np.exp(span * u**bend)).astype(np.int64)

    low, high = 0.01, 10.0
    for _ in range(60):  # a larger bend means fewer tracks
        mid = (low + high) / 2
        low, high = (mid, high) if counts(mid).sum() > pairs else (low, mid)
    chosen = counts(high)
    missing = int(pairs - chosen.sum())
    room = chosen < MAX_TRACKS if missing > 0 else chosen > MIN_TRACKS
    chosen[rng.choice(np.flatnonzero(room), size=abs(missing), replace=False)] += np.sign(missing)
    return chosen


def draw_tracks(
    rng: np.random.Generator,
    listener: np.ndarray,
    favourites: np.ndarray,
    how_many: np.ndarray,
    cdfs: tuple[np.ndarray, np.ndarray],
    tracks: int,
) -> np.ndarray:
    """One track per entry of `listener`: from a favourite genre (TASTE_SHARE) or anywhere."""
    global_cdf, genre_cdf = cdfs
    n = len(listener)
    track = np.searchsorted(global_cdf, rng.random(n)).astype(np.int64)
    taste = rng.random(n) < TASTE_SHARE
    pick = rng.integers(0, 3, size=int(taste.sum())) % how_many[listener[taste]]
    genre = favourites[listener[taste], pick]
    rank = np.searchsorted(genre_cdf, rng.random(int(taste.sum())))
    track[taste] = rank * GENRES + genre
    return np.minimum(track, tracks - 1)


def distinct_draws(
    rng: np.random.Generator,
    who: np.ndarray,
    wanted: np.ndarray,
    favourites: np.ndarray,
    how_many: np.ndarray,
    cdfs: tuple[np.ndarray, np.ndarray],
    tracks: int,
) -> np.ndarray:
    """Sorted keys (row in block * tracks + track): exactly `wanted` distinct tracks per listener,
    in the order drawn (a repeat is drawn again; extra draws are cut off by draw order)."""
    first = int(who[0])
    keys = np.empty(0, dtype=np.int64)
    order = np.empty(0, dtype=np.float64)
    done = []
    finished = np.zeros(len(who), dtype=bool)
    short = wanted.copy()
    while short.sum():
        listener = np.repeat(who, np.where(short > 0, 2 * short + 5, 0))  # repeats are common
        drawn = draw_tracks(rng, listener, favourites, how_many, cdfs, tracks)
        keys = np.concatenate([keys, (listener - first) * tracks + drawn])
        order = np.concatenate([order, 1.0 + rng.random(len(listener))])  # kept ones: < 1
        by_key = np.lexsort((order, keys))
        keys, order = keys[by_key], order[by_key]
        firsts = np.r_[True, keys[1:] != keys[:-1]]
        keys, order = keys[firsts], order[firsts]
        row = keys // tracks
        by_row = np.lexsort((order, row))  # within a listener, in draw order
        starts = np.searchsorted(row[by_row], np.arange(len(who)))
        rank = np.arange(len(keys)) - starts[row[by_row]]
        keep = np.zeros(len(keys), dtype=bool)
        keep[by_row] = rank < wanted[row[by_row]]
        keys, order = keys[keep], order[keep]
        order = np.argsort(np.argsort(order)) / (len(order) + 1.0)  # same order, all < 1
        short = wanted - np.bincount(keys // tracks, minlength=len(who))
        short[finished] = 0
        complete = short[keys // tracks] == 0  # those listeners are done: set them aside
        finished |= short == 0
        done.append(keys[complete])
        keys, order = keys[~complete], order[~complete]
    return np.sort(np.concatenate(done))


def generate(scale: float) -> tuple[scipy.sparse.csr_matrix, np.ndarray, np.ndarray]:
    """(listeners x tracks play counts, artist of each track, genre of each track)."""
    listeners, tracks = int(LISTENERS * scale), int(TRACKS * scale)
    pairs, events = int(PAIRS * scale), int(EVENTS * scale)
    rng = np.random.default_rng(SEED)
    wanted = tracks_per_listener(rng, listeners, pairs)
    favourites = rng.integers(0, GENRES, size=(listeners, 3))
    how_many = rng.integers(1, 4, size=listeners)
    cdfs = zipf_cdf(tracks), zipf_cdf(tracks // GENRES)
    indptr = np.zeros(listeners + 1, dtype=np.int64)
    columns = []
    block = 5_000
    for first in range(0, listeners, block):
        who = np.arange(first, min(first + block, listeners))
        keys = distinct_draws(rng, who, wanted[who], favourites, how_many, cdfs, tracks)
        indptr[who + 1] = wanted[who]
        columns.append((keys % tracks).astype(np.int32))
    indptr = np.cumsum(indptr)
    # every pair is played once; the other plays fall on a listener's pairs, the listener chosen
    # by how many tracks they have, the pair among theirs skewed to the first (most popular)
    extra = events - pairs
    listener = rng.choice(listeners, size=extra, p=wanted / wanted.sum())
    offset = np.floor(wanted[listener] * rng.random(extra) ** 3).astype(np.int64)
    plays = np.bincount(indptr[listener] + offset, minlength=pairs).astype(np.float32) + 1
    matrix = scipy.sparse.csr_matrix(
        (plays, np.concatenate(columns), indptr), shape=(listeners, tracks)
    )
    track_ids = np.arange(tracks)
    artist = (track_ids // (GENRES * TRACKS_PER_ARTIST)) * GENRES + track_ids % GENRES
    return matrix, artist, track_ids % GENRES


def one_hot_content(artist: np.ndarray, genre: np.ndarray) -> scipy.sparse.csr_matrix:
    n = len(artist)
    columns = np.stack([artist, artist.max() + 1 + genre], axis=1).ravel()
    return scipy.sparse.csr_matrix(
        (np.ones(2 * n, dtype=np.float32), columns, np.arange(0, 2 * n + 1, 2)),
        shape=(n, int(artist.max()) + 1 + GENRES),
    )


def discover_weekly(
    index: object, listeners: np.ndarray, history: scipy.sparse.csr_matrix, artist: np.ndarray
) -> tuple[np.ndarray, int]:
    """30 tracks per listener (-1 where short), and how many listeners needed a deeper query."""
    played = history.indptr
    keys = np.repeat(np.arange(history.shape[0], dtype=np.int64), np.diff(played))
    keys = keys * history.shape[1] + history.indices
    chosen = np.full((len(listeners), DW_TRACKS), -1, dtype=np.int64)
    deeper = 0
    # a first query deep enough for most listeners: the more they played, the more of their
    # nearest tracks are ones they know
    tracks_played = np.diff(played)
    first_depth = np.select(
        [tracks_played < 40, tracks_played < 200, tracks_played < 800], [50, 100, 200], 400
    )
    short = []
    for depth in (50, 100, 200, 400):
        rows = np.flatnonzero(first_depth == depth)
        short += fill(index, listeners, rows, keys, history.shape[1], artist, depth, chosen)
    todo = np.array(short, dtype=np.int64)
    for depth in (1_000, 3_000):
        if len(todo) == 0:
            break
        deeper += len(todo)
        short = fill(index, listeners, todo, keys, history.shape[1], artist, depth, chosen)
        todo = np.array(short, dtype=np.int64)
    return chosen, deeper


def fill(
    index: object,
    listeners: np.ndarray,
    todo: np.ndarray,
    played: np.ndarray,
    n_tracks: int,
    artist: np.ndarray,
    depth: int,
    chosen: np.ndarray,
) -> list[int]:
    """Fills `chosen` for the listeners in `todo` from a query this deep; returns those short."""
    short = []
    batch = max(1, 2_000_000 // depth)  # bounds the memory of one pass
    for first in range(0, len(todo), batch):
        rows = todo[first : first + batch]
        found = first_fresh(index, listeners[rows], rows, played, n_tracks, artist, depth)
        for row, tracks in zip(rows, found, strict=True):
            if len(tracks) >= DW_TRACKS:
                chosen[row] = tracks[:DW_TRACKS]
            else:
                short.append(int(row))
    return short


def first_fresh(
    index: object,
    vectors: np.ndarray,
    rows: np.ndarray,
    played: np.ndarray,
    n_tracks: int,
    artist: np.ndarray,
    depth: int,
) -> list[np.ndarray]:
    """Each listener's nearest tracks in order, the played ones and an artist past its second dropped."""
    ids, _ = index.query(vectors, k=depth, num_threads=-1, query_ef=depth)  # type: ignore[attr-defined]
    ids = ids.astype(np.int64)
    wanted = rows[:, None] * n_tracks + ids
    at = np.minimum(np.searchsorted(played, wanted), len(played) - 1)
    fresh = played[at] != wanted
    # at most DW_PER_ARTIST per artist, in ranking order: the occurrence number of each
    # (listener, artist) among the fresh ones
    who = np.broadcast_to(np.arange(len(rows))[:, None], ids.shape).astype(np.int64)
    group = who * (int(artist.max()) + 1) + artist[ids]
    group = np.where(fresh, group, -1 - np.arange(ids.size).reshape(ids.shape))
    order = np.argsort(group, axis=None, kind="stable")
    sorted_group = group.ravel()[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_group)) + 1]
    before = np.arange(ids.size) - np.repeat(starts, np.diff(np.r_[starts, ids.size]))
    occurrence = np.empty(ids.size, dtype=np.int64)
    occurrence[order] = before
    keep = fresh & (occurrence.reshape(ids.shape) < DW_PER_ARTIST)
    return [ids[r][keep[r]] for r in range(len(rows))]


def radio_steps(
    index: object, items: np.ndarray, artist: np.ndarray, steps: int, seed: int
) -> np.ndarray:
    """Milliseconds of each next-track step of one radio session."""
    rng = np.random.default_rng(seed)
    current = int(rng.integers(0, len(items)))
    recent = [current]
    took = np.empty(steps)
    for step in range(steps):
        started = time.perf_counter()
        ids, _ = index.query(items[current], k=RADIO_NO_REPEAT + 20)  # type: ignore[attr-defined]
        avoid = set(recent[-RADIO_NO_REPEAT:])
        last_artist = artist[current]
        nxt = next(
            (int(i) for i in ids if int(i) not in avoid and artist[int(i)] != last_artist),
            int(rng.integers(0, len(items))),  # nothing near is left: jump elsewhere
        )
        took[step] = (time.perf_counter() - started) * 1000
        recent.append(nxt)
        current = nxt if step % 25 else int(rng.integers(0, len(items)))  # a new seed now and then
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    args = parser.parse_args()
    from voyager import Index, Space

    figures: dict[str, float] = {"scale": args.scale}
    with PeakRss(interval=0.2) as rss:
        started = time.perf_counter()
        history, artist, genre = generate(args.scale)
        figures["generate_s"] = round(time.perf_counter() - started, 1)
        distinct = np.diff(history.indptr)
        figures["listeners"] = history.shape[0]
        figures["tracks"] = history.shape[1]
        figures["events"] = int(history.data.sum())
        figures["listener_track_pairs"] = history.nnz
        figures["distinct_tracks_min"] = int(distinct.min())
        figures["distinct_tracks_max"] = int(distinct.max())
        print(f"generated {figures}", flush=True)

        def show(step: int, steps: int) -> None:
            print(f"  training {step}/{steps} at {time.perf_counter() - started:.0f} s", flush=True)

        started = time.perf_counter()
        vectors = train(history, one_hot_content(artist, genre), seed=0, progress=show)
        figures["train_s"] = round(time.perf_counter() - started, 1)
        figures["factors"] = vectors.dimensions

        started = time.perf_counter()
        index = Index(
            Space.InnerProduct, num_dimensions=vectors.dimensions, M=12, ef_construction=64
        )
        index.add_items(np.asarray(vectors.items), np.arange(len(vectors.items)), num_threads=-1)
        figures["index_build_s"] = round(time.perf_counter() - started, 1)
        print(f"index built in {figures['index_build_s']} s", flush=True)

        listeners = np.ascontiguousarray(vectors.listeners)
        started = time.perf_counter()
        chosen, deeper = discover_weekly(index, listeners, history, artist)
        took = time.perf_counter() - started
        figures["dw_listeners_per_s"] = round(len(listeners) / took, 1)
        figures["dw_full_lists_share"] = round(float((chosen[:, -1] >= 0).mean()), 4)
        figures["dw_deeper_queries"] = deeper

        items = np.ascontiguousarray(vectors.items)
        steps = radio_steps(index, items, artist, 2_000, seed=1)
        figures["radio_next_p50_ms"] = round(float(np.percentile(steps, 50)), 3)
        figures["radio_next_p95_ms"] = round(float(np.percentile(steps, 95)), 3)
    figures["peak_rss_mb"] = round(rss.peak_mb, 1)
    figures["cpus"] = os.cpu_count() or 0
    notes = {
        "train_s": "cadenza.recs.algorithm.train, CPU",
        "dw_listeners_per_s": "Discover Weekly (30, unplayed, <= 2 per artist) for all; goal >= 5,000",
        "radio_next_p95_ms": "one radio step: nearest neighbours + no-repeat filter; goal < 20",
        "peak_rss_mb": "resident memory of the bench, sampled",
    }
    write_results("recs_scale", figures, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
