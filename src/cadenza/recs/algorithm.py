"""Taste vectors: every listener and every item as a point in one space, learned from listening.

The model is implicit-feedback ALS (Hu, Koren and Volinsky 2008, through the `implicit` library)
over an augmented matrix: below the listeners' rows sit one row per content feature (an artist,
a genre or tag, a decade, a loudness or tempo bin), each "played" the items that carry it. An
item's vector is then shaped both by who listens to it and by what it is, so an item nobody has
played yet (cold start) still gets a vector beside the items sharing its artist and genre.

What a listener is recommended: items ranked by listener · item. Similar items: cosine of item
vectors. A listener the model was not trained on (or with new plays) is folded in with one least
squares solve against the item vectors (`TasteVectors.listener_from_history`).

Confidence: a listener's raw signal x (plays, likes...) becomes 1 + alpha * log(1 + x / scale);
zeros are "unknown" and dropped. Item vectors are finally tilted against popularity
(`norm_tilt`): ALS gives popular items long vectors, so each item vector is divided by its
length ** tilt, which lifts the long tail into people's top tens without a re-rank (cosine
similarity between items is unchanged), and the served path stays "vectors only".

The settings were chosen on HetRec 2011 Last.fm (bench/recs_eval.py): more regularization than
implicit's default, a low alpha on log plays, and content rows weighted strongly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse

FORMAT = 1
ITEMS_FILE = "items.npy"
LISTENERS_FILE = "listeners.npy"
GRAM_FILE = "item_gram.npy"
META_FILE = "taste_vectors.json"
# Above this many items the default is fewer factors: training time and the nearest-neighbour
# index grow with them, and a million tracks is not where the last point of NDCG is won.
BIG_CATALOG = 200_000
BIG_CATALOG_FACTORS = 64


@dataclass(frozen=True)
class Settings:
    """What training learned with; kept beside the vectors because folding a listener in needs it."""

    factors: int = 128
    regularization: float = 50.0
    alpha: float = 2.0
    scale: float = 1.0
    iterations: int = 15
    content_weight: float = 30.0
    norm_tilt: float = 0.1

    def confidence(self, raw: np.ndarray) -> np.ndarray:
        weight = 1.0 + self.alpha * np.log1p(np.maximum(raw, 0.0) / self.scale)
        return np.asarray(weight, dtype=np.float32)


@dataclass(frozen=True)
class TasteVectors:
    items: np.ndarray  # (n_items, d) float32: row i = column i of the history matrix
    listeners: np.ndarray  # (n_listeners, d) float32: row u = row u of the history matrix
    settings: Settings = field(default_factory=Settings)
    # the factors ALS solved for, before the popularity tilt: (n_items, d); None = same as items
    item_factors: np.ndarray | None = None
    # Gram matrix of item_factors (d, d), cached for fold-in
    item_gram: np.ndarray | None = None

    @property
    def dimensions(self) -> int:
        return int(self.items.shape[1])

    def _factors(self) -> np.ndarray:
        return self.items if self.item_factors is None else self.item_factors

    def _gram(self) -> np.ndarray:
        if self.item_gram is not None:
            return self.item_gram
        factors = self._factors()
        return np.asarray(factors.T @ factors, dtype=np.float64)

    def listener_from_history(self, history_row: scipy.sparse.csr_matrix) -> np.ndarray:
        """(d,) taste of a listener from one row of history (same columns and units as training)."""
        row = scipy.sparse.csr_matrix(history_row)
        row.eliminate_zeros()
        columns = row.indices
        if len(columns) == 0:
            return np.zeros(self.dimensions, dtype=np.float32)
        confidence = self.settings.confidence(row.data.astype(np.float32)).astype(np.float64)
        factors = self._factors()[columns].astype(np.float64)
        lhs = self._gram() + self.settings.regularization * np.eye(self.dimensions)
        lhs += (factors * (confidence - 1.0)[:, None]).T @ factors
        rhs = factors.T @ confidence
        taste = np.linalg.solve(lhs, rhs)
        # the listener's vector meets the served item vectors as the trained listeners' do
        return taste.astype(np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / ITEMS_FILE, np.ascontiguousarray(self.items, dtype=np.float32))
        np.save(folder / LISTENERS_FILE, np.ascontiguousarray(self.listeners, dtype=np.float32))
        np.save(folder / GRAM_FILE, self._gram())
        has_factors = self.item_factors is not None
        if self.item_factors is not None:
            np.save(folder / "item_factors.npy", self.item_factors.astype(np.float32))
        meta = {
            "format": FORMAT,
            "items": int(self.items.shape[0]),
            "listeners": int(self.listeners.shape[0]),
            "dimensions": self.dimensions,
            "separate_item_factors": has_factors,
            "settings": self.settings.__dict__,
        }
        (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> TasteVectors:
        meta = json.loads((folder / META_FILE).read_text())
        if meta.get("format") != FORMAT:
            raise ValueError(f"taste vectors in {folder} are of format {meta.get('format')}")
        mode: Any = "r" if mmap else None
        factors = (
            np.load(folder / "item_factors.npy", mmap_mode=mode)
            if meta["separate_item_factors"]
            else None
        )
        return cls(
            items=np.load(folder / ITEMS_FILE, mmap_mode=mode),
            listeners=np.load(folder / LISTENERS_FILE, mmap_mode=mode),
            settings=Settings(**meta["settings"]),
            item_factors=factors,
            item_gram=np.load(folder / GRAM_FILE),
        )


def confidence_matrix(
    history: scipy.sparse.csr_matrix, settings: Settings
) -> scipy.sparse.csr_matrix:
    """The history with its raw signals turned into ALS confidences (zeros dropped)."""
    matrix = scipy.sparse.csr_matrix(history, dtype=np.float32, copy=True)
    matrix.eliminate_zeros()
    matrix.data = settings.confidence(matrix.data)
    return matrix


def content_rows(
    content: scipy.sparse.csr_matrix, n_items: int, settings: Settings
) -> scipy.sparse.csr_matrix:
    """One pseudo-listener per content feature, "playing" the items that carry it.

    Each feature's weights are scaled to its own largest (a tag counted 40 times and a one-hot
    artist both reach 1), then weighted like a listener's confidence times content_weight.
    """
    features = scipy.sparse.csr_matrix(content, dtype=np.float32).T.tocsr()
    if features.shape[1] != n_items:
        raise ValueError(f"content has {features.shape[1]} items, history {n_items}")
    features.eliminate_zeros()
    features.data = np.abs(features.data)
    peak = features.max(axis=1).toarray().ravel()
    peak[peak == 0] = 1.0
    counts = np.diff(features.indptr)
    features.data /= np.repeat(peak, counts).astype(np.float32)
    features.data = (1.0 + settings.content_weight * settings.alpha * features.data).astype(
        np.float32
    )
    return features


def train(
    history: scipy.sparse.csr_matrix,
    content: scipy.sparse.csr_matrix | None = None,
    *,
    seed: int = 0,
    factors: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    use_gpu: bool | None = None,
    settings: Settings | None = None,
) -> TasteVectors:
    """Learn taste vectors from a listeners x items confidence matrix (and items' content)."""
    import implicit.als
    import implicit.gpu
    from threadpoolctl import threadpool_limits

    n_listeners, n_items = history.shape
    chosen = chosen_settings(n_items, settings, factors)
    matrix = augmented(history, content, chosen)
    gpu = implicit.gpu.HAS_CUDA if use_gpu is None else use_gpu
    # implicit runs its own threads; BLAS's own pool would fight them
    blas = threadpool_limits(1, "blas")
    model = implicit.als.AlternatingLeastSquares(
        factors=chosen.factors,
        regularization=chosen.regularization,
        alpha=1.0,
        iterations=chosen.iterations,
        use_gpu=gpu,
        random_state=seed,
    )
    steps = chosen.iterations

    def step(iteration: int, _elapsed: float, _loss: float | None) -> None:
        if progress is not None:
            progress(iteration + 1, steps)

    if progress is not None:
        progress(0, steps)
    try:
        model.fit(matrix, show_progress=False, callback=step)
    finally:
        blas.restore_original_limits()
    if gpu:
        model = model.to_cpu()
    return taste_vectors(model.item_factors, model.user_factors[:n_listeners], chosen)


def chosen_settings(n_items: int, settings: Settings | None, factors: int | None) -> Settings:
    """The settings a training uses: those given, else the defaults (fewer factors for a big
    catalog); `factors` replaces theirs."""
    chosen = settings or Settings()
    if factors is None and settings is None and n_items > BIG_CATALOG:
        factors = BIG_CATALOG_FACTORS
    return chosen if factors is None else replace(chosen, factors=factors)


def augmented(
    history: scipy.sparse.csr_matrix, content: scipy.sparse.csr_matrix | None, chosen: Settings
) -> scipy.sparse.csr_matrix:
    """The confidences ALS learns from: the listeners' rows, then the content features'."""
    matrix = confidence_matrix(history, chosen)
    if content is not None and chosen.content_weight > 0:
        matrix = scipy.sparse.vstack(
            [matrix, content_rows(content, history.shape[1], chosen)],
            format="csr",
            dtype=np.float32,
        )
    return matrix


def taste_vectors(item_factors: Any, listener_factors: Any, chosen: Settings) -> TasteVectors:
    """The served vectors from the factors ALS solved for: items tilted against popularity."""
    item_factors = np.ascontiguousarray(item_factors, dtype=np.float32)
    listeners = np.ascontiguousarray(listener_factors, dtype=np.float32)
    gram = (item_factors.T @ item_factors).astype(np.float64)
    if chosen.norm_tilt == 0:
        return TasteVectors(item_factors, listeners, chosen, None, gram)
    norms = np.linalg.norm(item_factors, axis=1)
    norms[norms == 0] = 1.0
    served = item_factors * np.power(norms, -chosen.norm_tilt).astype(np.float32)[:, None]
    return TasteVectors(served, listeners, chosen, item_factors, gram)
