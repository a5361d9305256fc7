"""Taste vectors from implicit feedback: alternating least squares (the `implicit` library) on
the listeners x items confidence matrix, with content vectors for items nobody has played.

The training code the server and the benchmarks share; pure: matrices in, vectors out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse

REGULARIZATION = 0.05
ITERATIONS = 15
ALPHA = 1.0  # the confidences given are used as they are


@dataclass(frozen=True)
class TasteVectors:
    items: np.ndarray  # (n_items, d) float32: row i = column i of the history matrix
    listeners: np.ndarray  # (n_listeners, d) float32

    @cached_property
    def _gram(self) -> np.ndarray:
        y = np.asarray(self.items, dtype=np.float64)
        return y.T @ y

    def listener_from_history(self, history_row: scipy.sparse.csr_matrix) -> np.ndarray:
        """A listener's vector from their history alone (one row, confidences), as ALS would
        solve it with the item vectors held fixed: for listeners who came after training."""
        row = scipy.sparse.csr_matrix(history_row)
        cols, conf = row.indices, row.data.astype(np.float64)
        d = self.items.shape[1]
        if len(cols) == 0:
            return np.zeros(d, dtype=np.float32)
        y = np.asarray(self.items[cols], dtype=np.float64)
        a = self._gram + (y.T * (conf - 1.0)) @ y + REGULARIZATION * np.eye(d)
        b = (y * conf[:, None]).sum(axis=0)
        return np.linalg.solve(a, b).astype(np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "items.npy", np.ascontiguousarray(self.items, dtype=np.float32))
        np.save(folder / "listeners.npy", np.ascontiguousarray(self.listeners, dtype=np.float32))

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> TasteVectors:
        if mmap:
            return cls(
                items=np.load(folder / "items.npy", mmap_mode="r"),
                listeners=np.load(folder / "listeners.npy", mmap_mode="r"),
            )
        return cls(items=np.load(folder / "items.npy"), listeners=np.load(folder / "listeners.npy"))


def train(
    history: scipy.sparse.csr_matrix,
    content: scipy.sparse.csr_matrix | None = None,
    *,
    seed: int = 0,
    factors: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    use_gpu: bool | None = None,
) -> TasteVectors:
    """ALS on `history` (listeners x items, confidence > 0). Items with no listening get the
    average vector of the content features (`content`: items x features) they share with
    items that have some."""
    import implicit.gpu
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    history = scipy.sparse.csr_matrix(history, dtype=np.float32)
    n_items = history.shape[1]
    d = factors or (64 if n_items >= 5000 else 32)
    gpu = implicit.gpu.HAS_CUDA if use_gpu is None else use_gpu

    def each(iteration: int, _elapsed: float, _loss: float) -> None:
        if progress is not None:
            progress(iteration + 1, ITERATIONS)

    with threadpool_limits(1, "blas"):  # implicit runs its own threads
        model = AlternatingLeastSquares(
            factors=d,
            regularization=REGULARIZATION,
            alpha=ALPHA,
            iterations=ITERATIONS,
            random_state=seed,
            use_gpu=gpu,
            calculate_training_loss=False,
        )
        model.fit(history, show_progress=False, callback=each)
    if gpu:
        model = model.to_cpu()
    items = np.asarray(model.item_factors, dtype=np.float32)[:, :d]
    listeners = np.asarray(model.user_factors, dtype=np.float32)[:, :d]
    if content is not None and content.shape[0] == n_items:
        items = _content_fill(items, history, scipy.sparse.csr_matrix(content))
    return TasteVectors(items=items, listeners=listeners)


def _content_fill(
    items: np.ndarray, history: scipy.sparse.csr_matrix, content: scipy.sparse.csr_matrix
) -> np.ndarray:
    """Items nobody played: the mean vector of the played items of each of their features,
    averaged over their features."""
    played = np.asarray((history > 0).sum(axis=0)).ravel() > 0
    if played.all() or not played.any():
        return items
    binary = (content > 0).astype(np.float32)
    seen = scipy.sparse.diags(played.astype(np.float32)) @ binary  # features of played items
    counts = np.asarray(seen.sum(axis=0)).ravel()
    features = np.asarray(seen.T @ items) / np.maximum(counts, 1.0)[:, None]  # (F, d)
    known = (counts > 0).astype(np.float32)
    cold = np.flatnonzero(~played)
    rows = binary[cold].multiply(known[None, :]).tocsr()
    per_item = np.asarray(rows.sum(axis=1)).ravel()
    filled = np.asarray(rows @ features) / np.maximum(per_item, 1.0)[:, None]
    out = items.copy()
    out[cold] = filled.astype(np.float32)
    return out
