"""Loudness after ITU-R BS.1770: K-weighting and mean square (no gating: "LUFS-ish")."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import signal

from cadenza.demo.dsp import Audio


@lru_cache(maxsize=8)
def _k_weighting(sr: int) -> npt.NDArray[np.float64]:
    """BS.1770 pre-filter (high shelf) then RLB high-pass as second-order sections, any rate."""
    shelf_f, shelf_db, shelf_q = 1681.974, 3.99984, 0.70718
    k = np.tan(np.pi * shelf_f / sr)
    vh, vb = 10 ** (shelf_db / 20), 10 ** (shelf_db / 40)
    a0 = 1 + k / shelf_q + k * k
    b1 = [vh + vb * k / shelf_q + k * k, 2 * (k * k - vh), vh - vb * k / shelf_q + k * k]
    a1 = [a0, 2 * (k * k - 1), 1 - k / shelf_q + k * k]
    k2 = np.tan(np.pi * 38.135 / sr)
    q2 = 0.50033
    a02 = 1 + k2 / q2 + k2 * k2
    a2 = [1.0, 2 * (k2 * k2 - 1) / a02, (1 - k2 / q2 + k2 * k2) / a02]
    return np.array([[*(np.array(b1) / a0), *(np.array(a1) / a0)], [1.0, -2.0, 1.0, *a2]])


def mean_square_k(x: Audio, sr: int) -> float:
    """K-weighted mean square of a stereo (2, n) signal (no gating): the core of BS.1770.

    Measured on the mid channel (times two) to halve the work; close for music mixed near mono."""
    y = signal.sosfilt(_k_weighting(sr), x[0] + x[1])
    warm = min(y.size // 4, sr // 20)
    return float(0.5 * np.mean(np.square(y[warm:])))


def lufs(mean_square: float) -> float:
    return -0.691 + 10.0 * float(np.log10(max(mean_square, 1e-12)))
