"""Tempo (beats per minute) from the decoded audio, streaming, beside the loudness meter.

Each hop of about 11.6 ms (512 samples at 44.1 kHz) of the mono mix gets a windowed spectrum;
its spectral flux (how much the log-compressed magnitudes rose since the hop before, summed over
frequencies) is the onset strength. At the end, the onset strength's autocorrelation, over lags
of 60 to 200 BPM and weighted by a log-normal preference around 120 BPM (a tempo and its double
correlate alike: the weight picks the one a listener would tap), gives the tempo, refined between
lags by a parabola. Held: one float per hop (86 a second) and the last spectrum. Music without a
pulse (a steady tone, silence) has no clear peak and gets none.
"""

from __future__ import annotations

from array import array

import numpy as np
from numpy.typing import NDArray

HOP_SECONDS = 512 / 44_100
SLOWEST_BPM, FASTEST_BPM = 60.0, 200.0
PREFERRED_BPM = 120.0
PREFERENCE_OCTAVES = 1.0  # deviation of the log-normal weight, in octaves
MIN_SECONDS = 8.0  # shorter than this: no tempo
MAX_SECONDS = 600.0  # only the first ten minutes are looked at
MIN_PEAK = 0.1  # the best lag's autocorrelation, of the zero lag's, below which there is no pulse
COMPRESSION = 1000.0  # log(1 + C |X|): loud partials do not drown the onsets
MIN_FLUX = 0.05  # mean rise per frequency bin and hop below which nothing changes: a steady
# tone or chord (about 0.005 to 0.04) rather than played notes (a click track: 0.16)


class TempoMeter:
    def __init__(self, sample_rate: int) -> None:
        self._rate = sample_rate
        self._hop = max(64, round(sample_rate * HOP_SECONDS))
        self._window = np.hanning(self._hop).astype(np.float32)
        self._left = np.zeros(0, dtype=np.float32)  # samples of an unfinished hop
        self._previous: NDArray[np.float32] | None = None
        self._flux = array("d")
        self._max_hops = int(MAX_SECONDS * sample_rate / self._hop)

    def add(self, samples: NDArray[np.float32]) -> None:
        """The next (channels, n) chunk, full scale +-1.0."""
        if len(self._flux) >= self._max_hops:
            return
        mono = np.concatenate([self._left, samples.mean(axis=0, dtype=np.float32)])
        hops = mono.shape[0] // self._hop
        self._left = mono[hops * self._hop :]
        if hops == 0:
            return
        frames = mono[: hops * self._hop].reshape(hops, self._hop) * self._window
        spectra = np.log1p(COMPRESSION * np.abs(np.fft.rfft(frames, axis=1))).astype(np.float32)
        before = spectra[:1] if self._previous is None else self._previous[None, :]
        rises = np.diff(np.concatenate([before, spectra]), axis=0)
        self._flux.extend(np.maximum(rises, 0.0).sum(axis=1).tolist())
        self._previous = spectra[-1]

    def result(self) -> float | None:
        """Beats per minute, to 0.1; None when the audio is too short or has no clear pulse."""
        flux = np.frombuffer(self._flux, dtype=np.float64)
        hops_per_s = self._rate / self._hop
        if flux.size < MIN_SECONDS * hops_per_s:
            return None
        if flux.mean() / (self._hop // 2 + 1) < MIN_FLUX:
            return None
        onset = flux - flux.mean()
        size = 1 << int(np.ceil(np.log2(2 * onset.size)))
        power = np.abs(np.fft.rfft(onset, size)) ** 2
        correlation = np.fft.irfft(power, size)[: onset.size]
        if correlation[0] <= 0:
            return None
        correlation /= correlation[0]
        shortest = int(np.floor(60.0 * hops_per_s / FASTEST_BPM))
        longest = int(np.ceil(60.0 * hops_per_s / SLOWEST_BPM))
        lags = np.arange(max(shortest, 1), min(longest, onset.size - 2) + 1)
        if lags.size < 3:
            return None
        bpm = 60.0 * hops_per_s / lags
        weight = np.exp(-0.5 * (np.log2(bpm / PREFERRED_BPM) / PREFERENCE_OCTAVES) ** 2)
        best = int(np.argmax(correlation[lags] * weight))
        lag = float(lags[best])
        if correlation[lags[best]] < MIN_PEAK:
            return None
        if 0 < best < lags.size - 1:  # a parabola through the peak and its neighbours
            left, middle, right = correlation[lags[best] - 1 : lags[best] + 2]
            bend = left - 2 * middle + right
            if bend < 0:
                lag += 0.5 * (left - right) / bend
        return round(60.0 * hops_per_s / lag, 1)
