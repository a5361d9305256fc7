"""BS.1770-4 loudness and true peak, on arrays and through a real transcode."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from cadenza.adapters.audio.loudness import FLOOR_LUFS, LoudnessMeter, k_weighting
from cadenza.adapters.audio.transcode import PyAvTranscoder
from cadenza.domain.audio import Loudness, Quality
from tests.fixtures.audio import make_audio, sine


def measure(signal: NDArray[np.float64], rate: int, chunk: int = 4096) -> Loudness:
    meter = LoudnessMeter(rate, signal.shape[0])
    for start in range(0, signal.shape[1], chunk):
        meter.add(np.ascontiguousarray(signal[:, start : start + chunk], dtype=np.float32))
    return meter.result()


def test_k_weighting_at_48_khz_matches_the_standard_table() -> None:
    shelf, highpass = k_weighting(48000)
    assert shelf == pytest.approx([1.53512485958697, -2.69169618940638, 1.19839281085285,
                                   1.0, -1.69065929318241, 0.73248077421585], abs=1e-9)  # fmt: skip
    assert highpass == pytest.approx([1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621],
                                     abs=1e-9)  # fmt: skip


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_a_full_scale_997_hz_sine_in_one_channel_reads_minus_3_01_lufs(rate: int) -> None:
    tone = sine(5.0, rate, 1, 997.0, 1.0)[0]
    result = measure(np.stack([tone, np.zeros_like(tone)]), rate)
    assert result.integrated_lufs == pytest.approx(-3.01, abs=0.05)


def test_a_minus_20_dbfs_stereo_sine_reads_minus_20_lufs_and_dbtp() -> None:
    result = measure(sine(5.0, 48000, 2, 997.0, 0.1), 48000)
    assert result.integrated_lufs == pytest.approx(-20.0, abs=0.05)
    assert result.true_peak_dbtp == pytest.approx(-20.0, abs=0.05)


def test_silence_gives_the_floor_not_nan() -> None:
    result = measure(np.zeros((2, 44100 * 3)), 44100)
    assert result.integrated_lufs == FLOOR_LUFS
    assert math.isfinite(result.true_peak_dbtp)
    assert result.true_peak_dbtp < -100


def test_silence_between_songs_does_not_lower_the_loudness() -> None:
    tone = sine(5.0, 44100, 2, 997.0, 0.1)
    result = measure(np.concatenate([tone, np.zeros((2, 44100 * 5))], axis=1), 44100)
    # Ungated, 10 s with sound in half would read -23.01. Gated, only the 47 blocks inside the
    # tone and the 3 straddling its end (3/4, 1/2, 1/4 full) count: 10*log10(48.5/50) = -0.13 dB.
    assert result.integrated_lufs == pytest.approx(-20.13, abs=0.02)


def test_quiet_passages_are_gated_relative_to_the_loud_ones() -> None:
    loud, quiet = sine(5.0, 44100, 2, 997.0, 0.1), sine(5.0, 44100, 2, 997.0, 0.01)
    result = measure(np.concatenate([loud, quiet], axis=1), 44100)
    ungated = 10 * math.log10((10 ** (-20 / 10) + 10 ** (-40 / 10)) / 2)  # about -23 LUFS
    assert result.integrated_lufs == pytest.approx(-20.0, abs=0.2)
    assert result.integrated_lufs > ungated + 2


def test_true_peak_finds_the_peak_between_samples() -> None:
    n = np.arange(44100 * 2)
    fade_in = np.minimum(1.0, n / 441)  # no click at the start to overshoot on
    tone = 0.5 * np.sin(np.pi / 2 * n + np.pi / 4) * fade_in  # fs/4: samples miss the crest by 45°
    result = measure(tone[None, :], 44100)
    sample_peak_db = 20 * math.log10(np.abs(tone).max())
    assert sample_peak_db == pytest.approx(-9.03, abs=0.01)
    assert result.true_peak_dbtp == pytest.approx(-6.02, abs=0.1)


def test_the_result_does_not_depend_on_how_the_audio_is_chunked() -> None:
    rng = np.random.default_rng(3)
    signal = 0.2 * rng.standard_normal((2, 44100 * 4)) + sine(4.0, 44100, 2, 440.0, 0.3)
    results = {measure(signal, 44100, chunk) for chunk in (1000, 4096, 44100, 300_000)}
    assert len(results) == 1


def test_a_clip_shorter_than_one_block_is_still_measured() -> None:
    result = measure(sine(0.3, 48000, 2, 997.0, 0.1), 48000)
    assert result.integrated_lufs == pytest.approx(-20.0, abs=0.2)


@pytest.mark.parametrize(("fmt", "channels"), [("flac", 2), ("wav", 1), ("alac", 2)])
def test_transcoding_measures_the_source(tmp_path: Path, fmt: str, channels: int) -> None:
    source = make_audio(
        tmp_path / f"tone.{'m4a' if fmt == 'alac' else fmt}",
        fmt,
        seconds=3.0,
        channels=channels,
        freq=997.0,
        amplitude=0.1,
        bits=24,
    )
    result = PyAvTranscoder().transcode(source, [Quality.LOW], tmp_path / "out")
    expected = -20.0 if channels == 2 else -23.01  # one channel carries half the energy
    assert result.loudness.integrated_lufs == pytest.approx(expected, abs=0.2)
    assert result.loudness.true_peak_dbtp == pytest.approx(-20.0, abs=0.2)
