"""The model in service, as the server reads it: the manifest on every question (cheap), the
vectors (memory-mapped) and the nearest-neighbour index only when a recommendation is first
asked, and again when `current` names a newer version. numpy and voyager are imported here,
inside the functions, never when the server starts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cadenza.ports.recommendations import ModelInfo
from cadenza.recs import store

if TYPE_CHECKING:
    import numpy as np

    from cadenza.recs.algorithm import TasteVectors

KMEANS_ROUNDS = 12


@dataclass
class Loaded:
    version: str
    vectors: TasteVectors
    index: Any  # voyager.Index over the item vectors (cosine)
    track_ids: np.ndarray  # row -> track id
    row_of_track: dict[int, int]
    row_of_listener: dict[int, int]


class ServedModel:
    def __init__(self, root: Path, refresh: Callable[[], None] | None = None) -> None:
        self.root = root
        self.refresh = refresh  # fetches a newer shared version first (recs/mirror.py)
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self._info: tuple[str, ModelInfo] | None = None

    def info(self) -> ModelInfo | None:
        if self.refresh is not None:
            self.refresh()
        found = store.current(self.root)
        if found is None:
            return None
        version, folder = found
        if self._info is None or self._info[0] != version:
            try:
                self._info = (version, store.read_info(folder))
            except (OSError, ValueError, KeyError):
                return None
        return self._info[1]

    def _model(self) -> Loaded | None:
        if self.refresh is not None:
            self.refresh()
        found = store.current(self.root)
        if found is None:
            return self._loaded  # the files went away: keep answering from memory
        version, folder = found
        with self._lock:
            if self._loaded is None or self._loaded.version != version:
                self._loaded = _load(version, folder)
            return self._loaded

    def for_listener(
        self, user_id: int, history: dict[int, float], count: int, exclude: set[int]
    ) -> list[tuple[int, float]]:
        import numpy as np
        import scipy.sparse

        m = self._model()
        if m is None:
            return []
        row = m.row_of_listener.get(user_id)
        if row is not None:
            vector = np.asarray(m.vectors.listeners[row], dtype=np.float32)
        else:
            known = [(m.row_of_track[t], c) for t, c in history.items() if t in m.row_of_track]
            if not known:
                return []
            cols, conf = zip(*known, strict=True)
            n = m.vectors.items.shape[0]
            one = scipy.sparse.csr_matrix(
                (np.asarray(conf, dtype=np.float32), ([0] * len(cols), list(cols))), shape=(1, n)
            )
            vector = m.vectors.listener_from_history(one)
        scores = np.asarray(m.vectors.items @ vector)
        skip = [m.row_of_track[t] for t in exclude if t in m.row_of_track]
        scores[skip] = -np.inf
        return _top(m, scores, count)

    def similar(self, track_ids: list[int], count: int) -> list[tuple[int, float]]:
        import numpy as np

        m = self._model()
        if m is None:
            return []
        rows = [m.row_of_track[t] for t in track_ids if t in m.row_of_track]
        if not rows:
            return []
        items = np.asarray(m.vectors.items[rows], dtype=np.float32)
        norms = np.linalg.norm(items, axis=1, keepdims=True)
        seed = (items / np.maximum(norms, 1e-9)).mean(axis=0)
        if not np.any(seed):
            return []
        k = min(count + len(rows), len(m.index))
        if k <= 0:
            return []
        ids, distances = m.index.query(seed, k=k)
        seeds = set(track_ids)
        found = [(int(i), 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]
        return [(t, s) for t, s in found if t not in seeds][:count]

    def closest(self, track_id: int, among: list[int]) -> int | None:
        import numpy as np

        m = self._model()
        if m is None or track_id not in m.row_of_track:
            return None
        rows = [(t, m.row_of_track[t]) for t in among if t in m.row_of_track]
        if not rows:
            return None
        target = _unit(np.asarray(m.vectors.items[m.row_of_track[track_id]]))
        others = np.asarray(m.vectors.items[[r for _, r in rows]])
        sims = (others / np.maximum(np.linalg.norm(others, axis=1, keepdims=True), 1e-9)) @ target
        return rows[int(np.argmax(sims))][0]

    def clusters(self, track_ids: list[int], count: int) -> list[list[int]]:
        import numpy as np

        m = self._model()
        if m is None:
            return []
        known = [t for t in track_ids if t in m.row_of_track]
        if not known:
            return []
        count = min(count, len(known))
        x = np.asarray(m.vectors.items[[m.row_of_track[t] for t in known]], dtype=np.float64)
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
        centres = x[_spread_seeds(x, count)]
        labels = np.zeros(len(known), dtype=int)
        for _ in range(KMEANS_ROUNDS):
            labels = np.argmax(x @ centres.T, axis=1)
            for c in range(count):
                members = x[labels == c]
                if len(members):
                    centres[c] = members.mean(axis=0)
        groups = [
            [t for t, lab in zip(known, labels, strict=True) if lab == c] for c in range(count)
        ]
        return sorted((g for g in groups if g), key=len, reverse=True)


def _spread_seeds(x: np.ndarray, count: int) -> list[int]:
    """Farthest-first starting centres (deterministic: the same tracks give the same mixes)."""
    import numpy as np

    chosen = [0]
    nearest = x @ x[0]
    while len(chosen) < count:
        pick = int(np.argmin(nearest))
        chosen.append(pick)
        nearest = np.maximum(nearest, x @ x[pick])
    return chosen


def _unit(v: np.ndarray) -> np.ndarray:
    import numpy as np

    return v / max(float(np.linalg.norm(v)), 1e-9)


def _top(m: Loaded, scores: np.ndarray, count: int) -> list[tuple[int, float]]:
    import numpy as np

    finite = int(np.isfinite(scores).sum())
    count = min(count, finite)
    if count <= 0:
        return []
    best = np.argpartition(-scores, count - 1)[:count]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(int(m.track_ids[i]), float(scores[i])) for i in best]


def _load(version: str, folder: Path) -> Loaded:
    import numpy as np
    from voyager import Index

    from cadenza.recs.algorithm import TasteVectors

    ids = json.loads((folder / "ids.json").read_text())
    track_ids = np.asarray(ids["tracks"], dtype=np.int64)
    return Loaded(
        version=version,
        vectors=TasteVectors.load(folder, mmap=True),
        index=Index.load(str(folder / "items.voy")),
        track_ids=track_ids,
        row_of_track={int(t): i for i, t in enumerate(ids["tracks"])},
        row_of_listener={int(u): i for i, u in enumerate(ids["listeners"])},
    )
