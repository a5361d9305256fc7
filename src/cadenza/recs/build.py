"""Training, as `cadenza recs train` and the daily job run it (in a process of their own):
every signal read through the TasteSignals port, the confidence and content matrices built,
`algorithm.train` called, the vectors indexed for nearest neighbours, and the model published
as a new version (store.publish), so the server picks it up without a restart."""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import scipy.sparse

from cadenza.ports.recommendations import TasteSignals, TrackFeatures
from cadenza.recs import store
from cadenza.recs.algorithm import TasteVectors, train

PLAY_WEIGHT = 3.0  # confidence 1 + PLAY_WEIGHT * ln(1 + counted plays): more plays, more sure
LIKE = 3.0
SAVED_RELEASE = 1.0
PLAYLIST_ADD = 2.0
FOLLOWED_ARTIST = 0.5
EARLY_SKIP = 1.0  # each skip before 30 s takes this much away
LOUDNESS_STEP = 3.0  # LUFS per loudness feature bucket
TEMPO_STEPS_PER_OCTAVE = 8  # tempo buckets: 120 and 130 BPM apart, 120 and 125 often together
YEARS_PER_ERA = 5

Progress = Callable[[str, int, int], None]  # (phase, done, total)
# (history, content, progress (done, total)) -> taste vectors: ALS here (algorithm.train) or
# on a cluster engine (batch/als.py)
Fit = Callable[
    [scipy.sparse.csr_matrix, scipy.sparse.csr_matrix, Callable[[int, int], None]], TasteVectors
]


class NothingToLearn(Exception):
    """No listener has played, liked or saved anything yet."""


@dataclass(frozen=True)
class Trained:
    version: str
    folder: Path
    listeners: int
    tracks: int
    counted_plays: int
    seconds: float


def build_model(
    signals: Callable[[], AbstractContextManager[TasteSignals]],
    root: Path,
    now: datetime,
    progress: Progress | None = None,
    use_gpu: bool | None = None,
    fit: Fit | None = None,
) -> Trained:
    say = progress or (lambda phase, done, total: None)
    started = time.monotonic()
    version = store.new_version(now)
    draft = store.start_draft(root, version)
    say("reading", 0, 1)
    with signals() as read:
        features = list(read.track_features())
        confidence: dict[tuple[int, int], float] = defaultdict(float)
        counted = 0
        played: dict[tuple[int, int], int] = defaultdict(int)
        for user, track, plays in read.counted_plays():
            played[user, track] += plays
            counted += plays
        for user, track, plays in read.imported_plays():  # history brought from elsewhere
            played[user, track] += plays
        for (user, track), plays in played.items():
            confidence[user, track] += 1.0 + PLAY_WEIGHT * math.log1p(plays)
        for weight, pairs in (
            (LIKE, read.liked()),
            (SAVED_RELEASE, read.saved_release_tracks()),
            (PLAYLIST_ADD, read.playlist_adds()),
            (FOLLOWED_ARTIST, read.followed_artist_tracks()),
        ):
            for user, track in pairs:
                confidence[user, track] += weight
        for user, track, skips in read.early_skips():
            confidence[user, track] -= EARLY_SKIP * skips
    say("reading", 1, 1)

    track_ids = [f.track_id for f in features]
    column = {t: i for i, t in enumerate(track_ids)}
    kept = [(u, column[t], c) for (u, t), c in confidence.items() if c > 0 and t in column]
    listener_ids = sorted({u for u, _, _ in kept})
    if not listener_ids or not track_ids:
        draft.rmdir()
        raise NothingToLearn("nothing to learn from yet: no listening, likes or saves")
    row = {u: i for i, u in enumerate(listener_ids)}
    history = scipy.sparse.csr_matrix(
        (
            np.asarray([c for _, _, c in kept], dtype=np.float32),
            ([row[u] for u, _, _ in kept], [i for _, i, _ in kept]),
        ),
        shape=(len(listener_ids), len(track_ids)),
    )

    def steps(done: int, total: int) -> None:
        say("training", done, total)

    if fit is None:
        vectors = train(history, _content(features), progress=steps, use_gpu=use_gpu)
    else:
        vectors = fit(history, _content(features), steps)

    say("indexing", 0, 1)
    vectors.save(draft)
    _index(vectors.items, track_ids, draft / "items.voy")
    (draft / "ids.json").write_text(json.dumps({"tracks": track_ids, "listeners": listener_ids}))
    say("indexing", 1, 1)
    seconds = round(time.monotonic() - started, 3)
    manifest: dict[str, object] = {
        "version": version,
        "trained_at": now.isoformat(),
        "listeners": len(listener_ids),
        "tracks": len(track_ids),
        "counted_plays": counted,
        "signals": len(kept),
        "factors": int(vectors.items.shape[1]),
        "train_s": seconds,
    }
    folder = store.publish(root, draft, version, manifest)
    return Trained(version, folder, len(listener_ids), len(track_ids), counted, seconds)


def _content(features: list[TrackFeatures]) -> scipy.sparse.csr_matrix:
    """Items x features, one-hot: each artist, genre, era (5 years), loudness step and tempo
    (in steps of an eighth of an octave; half and double a tempo are not put together)."""
    names: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, f in enumerate(features):
        marks = [f"artist:{a}" for a in f.artist_ids] + [f"genre:{g}" for g in f.genres]
        if f.year is not None:
            marks.append(f"era:{f.year // YEARS_PER_ERA}")
        if f.loudness_lufs is not None:
            marks.append(f"loud:{round(f.loudness_lufs / LOUDNESS_STEP)}")
        if f.tempo_bpm is not None and f.tempo_bpm > 0:
            marks.append(f"tempo:{round(TEMPO_STEPS_PER_OCTAVE * math.log2(f.tempo_bpm))}")
        for mark in marks:
            rows.append(i)
            cols.append(names.setdefault(mark, len(names)))
    return scipy.sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(features), max(1, len(names))),
    )


def _index(items: np.ndarray, track_ids: list[int], path: Path) -> None:
    from voyager import Index, Space

    index = Index(Space.Cosine, num_dimensions=int(items.shape[1]), random_seed=0)
    norms = np.linalg.norm(items, axis=1)
    keep = np.flatnonzero(norms > 1e-9)
    if len(keep):
        index.add_items(np.asarray(items[keep], dtype=np.float32), [track_ids[i] for i in keep])
    index.save(str(path))
