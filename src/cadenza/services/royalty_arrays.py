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
            # the `left` largest remainders, ties to the earlier position: everything above the
            # left-th largest value, then the first of those equal to it (no full sort)
            kth = -np.partition(-remainders, left - 1)[left - 1]
            above = np.flatnonzero(remainders > kth)
            ties = np.flatnonzero(remainders == kth)[: left - len(above)]
            floors[above] += 1
            floors[ties] += 1
        return floors
    # beyond int64: Python's integers, the domain's own function (slower, never wrong)
    from cadenza.domain.royalties import split_cents

    return np.asarray(split_cents(pool_cents, [int(x) for x in w]), dtype=np.int64)


def pro_rata_market(
    pool_cents: int, streams: npt.ArrayLike, eligible: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """One market: cents per track index from its unflagged streams per track (an array over
    the whole catalog) and the eligible tracks: a boolean array of the same length, or the
    eligible indices in increasing order (cheaper when few are, for many markets)."""
    import numpy as np

    s = np.asarray(streams, dtype=np.int64)
    chosen = np.asarray(eligible)
    candidates = np.flatnonzero(chosen) if chosen.dtype == bool else chosen.astype(np.int64)
    weights = s[candidates]
    # tracks without weight never get a cent (each remainder is under the total, so more
    # tracks have one than there are cents left): split among the others only
    played = candidates[weights > 0]
    cents = np.zeros(len(s), dtype=np.int64)
    cents[played] = split_cents_array(pool_cents, weights[weights > 0])
    return cents
