"""Tempo measured at ingest, from the decoded audio (adapters/audio/tempo.py), and its place
among the recommendations' content signals."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from cadenza.adapters.audio.tempo import TempoMeter
from cadenza.adapters.audio.transcode import PyAvTranscoder
from cadenza.domain.audio import Quality
from cadenza.ports.recommendations import TrackFeatures
from cadenza.recs.build import _content


def clicks(bpm: float, rate: int, seconds: float = 16.0) -> NDArray[np.float32]:
    """(2, n): a decaying noise burst on every beat (the first of four louder) over a quiet
    tone, as a drum machine over a held note."""
    rng = np.random.default_rng(0)
    n = int(seconds * rate)
    out = 0.05 * np.sin(2 * np.pi * 220 * np.arange(n) / rate)
    burst = np.exp(-np.arange(400) / 80.0)
    beat, start = 0, 0.0
    while start < seconds - 0.05:
        at = int(start * rate)
        out[at : at + 400] += (0.8 if beat % 4 == 0 else 0.4) * rng.standard_normal(400) * burst
        beat, start = beat + 1, start + 60.0 / bpm
    return np.tile(out.astype(np.float32), (2, 1))


def measure(samples: NDArray[np.float32], rate: int) -> float | None:
    meter = TempoMeter(rate)
    for start in range(0, samples.shape[1], 4096):
        meter.add(np.ascontiguousarray(samples[:, start : start + 4096]))
    return meter.result()


@pytest.mark.parametrize(("bpm", "rate"), [(90, 44_100), (128, 44_100), (174, 48_000)])
def test_the_beat_of_a_click_track_is_its_tempo(bpm: int, rate: int) -> None:
    assert measure(clicks(bpm, rate), rate) == pytest.approx(bpm, abs=1.5)


def test_a_held_tone_or_a_short_clip_has_no_tempo() -> None:
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16 * 44_100) / 44_100)
    assert measure(tone.astype(np.float32)[None, :], 44_100) is None
    assert measure(clicks(120, 44_100, seconds=5.0), 44_100) is None


def test_transcoding_measures_the_tempo_beside_the_loudness(tmp_path: Path) -> None:
    source = tmp_path / "beat.wav"
    pcm = (np.clip(clicks(120, 44_100), -1, 1) * 32767).astype("<i2")
    with wave.open(str(source), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44_100)
        out.writeframes(pcm.T.tobytes())
    result = PyAvTranscoder().transcode(source, [Quality.LOW], tmp_path / "out")
    assert result.tempo_bpm == pytest.approx(120, abs=1.5)


def test_songs_of_one_tempo_share_a_content_feature_and_others_do_not() -> None:
    def song(track_id: int, bpm: float | None) -> TrackFeatures:
        return TrackFeatures(track_id, (1,), (), None, None, bpm)

    content = _content([song(1, 120.0), song(2, 121.5), song(3, 140.0), song(4, None)]).toarray()
    shared = content[0] * content[1]
    assert shared.sum() == 2  # the artist and the tempo
    assert (content[0] * content[2]).sum() == 1 and content[3].sum() == 1  # the artist only
