"""The pro-rata split of domain/royalties.py over numpy arrays: the same rule (floors, then the
largest remainders, ties to the earlier position), for markets of a million tracks (the bench).
numpy is imported by the functions that use it, never at start."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def split_cents_array(pool_cents: int, weights: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """domain.royalties.split_cents for an int64 array of weights."""
    import numpy as np

    w = np.asarray(weights, dtype=np.int64)
    total = int(w.sum())
    if pool_cents < 0 or bool((w < 0).any()):
        raise ValueError("a pool and its weights are never negative")
    if total == 0 or pool_cents == 0:
        return np.zeros(len(w), dtype=np.int64)
    if pool_cents * int(w.max(initial=0)) < 2**63:
        product = w * np.int64(pool_cents)
        floors, remainders = product // total, product % total
        left = pool_cents - int(floors.sum())
        if left:
            # the largest remainders first, ties to the earlier position (a stable sort)
            order = np.argsort(-remainders, kind="stable")
            floors[order[:left]] += 1
        return floors
    # beyond int64: Python's integers, the domain's own function (slower, never wrong)
    from cadenza.domain.royalties import split_cents

    return np.asarray(split_cents(pool_cents, [int(x) for x in w]), dtype=np.int64)


def pro_rata_market(
    pool_cents: int, streams: npt.ArrayLike, eligible: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """One market: cents per track index from its unflagged streams per track (an array over
    the whole catalog) and which tracks are eligible (a boolean array of the same length)."""
    import numpy as np

    s = np.asarray(streams, dtype=np.int64)
    weights = np.where(np.asarray(eligible, dtype=bool), s, 0)
    return split_cents_array(pool_cents, weights)
