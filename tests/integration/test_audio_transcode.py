"""Transcoding: every rung plays back with the right codec, bitrate, channels and duration."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np
import pytest
from mutagen.flac import FLAC
from numpy.typing import NDArray

from cadenza.adapters.audio.encoders import encode_pcm_ladder, frames_from_array
from cadenza.adapters.audio.transcode import PyAvTranscoder
from cadenza.domain.audio import LOSSY_LADDER, Quality, ladder_for
from cadenza.domain.errors import InvalidDelivery
from tests.fixtures.audio import make_audio, make_corrupt, sine


def music_like(seconds: float, rate: int, channels: int) -> NDArray[np.float64]:
    """Noise plus tones: hard enough to encode that VBR Opus spends its whole budget."""
    rng = np.random.default_rng(5)
    tones = sine(seconds, rate, channels, 330.0, 0.3) + sine(seconds, rate, channels, 2500.0, 0.1)
    return np.clip(tones + 0.15 * rng.standard_normal(tones.shape), -1, 1)


def decoded(path: Path) -> tuple[str, int, int, NDArray[np.generic]]:
    """(codec, sample rate, channels, samples as (channels, n)) of a file, decoded with PyAV."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = []
        for frame in container.decode(stream):
            array = frame.to_ndarray()
            if not frame.format.is_planar:
                array = array.reshape(-1, len(frame.layout.channels)).T
            chunks.append(array)
        context = stream.codec_context
        return context.name, context.sample_rate, context.channels, np.concatenate(chunks, axis=1)


def ogg_opus_duration(path: Path) -> float:
    """What a browser shows: (last page's granule position - pre-skip) / 48 kHz."""
    data = path.read_bytes()
    last_page = data.rfind(b"OggS")
    granule = struct.unpack("<q", data[last_page + 6 : last_page + 14])[0]
    head = data.find(b"OpusHead")
    pre_skip = struct.unpack("<H", data[head + 10 : head + 12])[0]
    return float((granule - pre_skip) / 48000)


def test_a_lossless_source_gets_every_rung(tmp_path: Path) -> None:
    source = make_audio(tmp_path / "in.flac", "flac", signal=music_like(3.0, 44100, 2))
    result = PyAvTranscoder().transcode(source, ladder_for(True), tmp_path / "out")
    assert [f.quality for f in result.files] == list(ladder_for(True))
    assert result.duration_s == pytest.approx(3.0, abs=1e-6)
    sizes = []
    for encoded in result.files:
        quality = encoded.quality
        assert encoded.path == tmp_path / "out" / f"{quality.value}.{quality.extension}"
        codec, rate, channels, samples = decoded(encoded.path)
        assert channels == 2
        assert samples.shape[1] / rate == pytest.approx(3.0, abs=0.05)
        if encoded.quality is Quality.LOSSLESS:
            assert (codec, rate, encoded.bitrate_kbps) == ("flac", 44100, None)
            assert FLAC(encoded.path).info.total_samples == 3 * 44100  # players see the length
            continue
        assert (codec, rate) == ("opus", 48000)
        target = encoded.quality.bitrate_kbps
        assert target is not None
        assert encoded.bitrate_kbps == target
        assert ogg_opus_duration(encoded.path) == pytest.approx(3.0, abs=0.001)
        kbps = encoded.path.stat().st_size * 8 / 3.0 / 1000
        assert 0.75 * target < kbps < 1.25 * target
        sizes.append(kbps)
    assert sizes == sorted(sizes)


@pytest.mark.parametrize("fmt", ["mp3", "wav", "m4a"])
def test_mono_stays_mono(tmp_path: Path, fmt: str) -> None:
    source = make_audio(tmp_path / f"in.{fmt}", fmt, seconds=1.0, channels=1)
    qualities = (*LOSSY_LADDER, Quality.LOSSLESS) if fmt == "wav" else LOSSY_LADDER
    result = PyAvTranscoder().transcode(source, qualities, tmp_path / "out")
    for encoded in result.files:
        assert decoded(encoded.path)[2] == 1
    very_high = next(f for f in result.files if f.quality is Quality.VERY_HIGH)
    assert very_high.bitrate_kbps == 256  # libopus's ceiling for one channel


@pytest.mark.parametrize(("fmt", "bits", "rate"), [("flac", 24, 96000), ("alac", 16, 44100)])
def test_lossless_output_is_bit_exact_at_the_source_rate_and_depth(
    tmp_path: Path, fmt: str, bits: int, rate: int
) -> None:
    signal = music_like(1.0, rate, 2)
    source = make_audio(tmp_path / "in.m4a", fmt, signal=signal, sample_rate=rate, bits=bits)
    result = PyAvTranscoder().transcode(source, [Quality.LOW, Quality.LOSSLESS], tmp_path / "out")
    opus, output = (f.path for f in result.files)
    assert decoded(opus)[3].shape[1] == pytest.approx(48000, abs=50)  # resampled, same length
    assert FLAC(output).info.bits_per_sample == bits
    assert FLAC(output).info.sample_rate == rate
    original, copy = decoded(source)[3], decoded(output)[3]
    assert copy.shape == original.shape
    assert np.array_equal(copy.astype(np.int64), original.astype(np.int64))


def test_a_source_that_fails_to_decode_is_refused_and_leaves_no_files(tmp_path: Path) -> None:
    source = make_corrupt(tmp_path / "broken.m4a", "damaged")
    out = tmp_path / "out"
    with pytest.raises(InvalidDelivery) as refused:
        PyAvTranscoder().transcode(source, ladder_for(False), out)
    assert refused.value.code == "audio_corrupt"
    assert refused.value.file == "broken.m4a"
    assert list(out.iterdir()) == []


def test_the_encoders_alone_take_pcm_arrays(tmp_path: Path) -> None:
    pcm = np.round(music_like(1.0, 44100, 2) * 32767).astype(np.int16)
    files = encode_pcm_ladder(frames_from_array(pcm, 44100), ladder_for(True), tmp_path)
    assert {f.quality for f in files} == set(Quality)
    lossless = next(f for f in files if f.quality is Quality.LOSSLESS)
    assert np.array_equal(decoded(lossless.path)[3], pcm)


def test_a_lower_opus_complexity_still_gives_playable_files(tmp_path: Path) -> None:
    source = make_audio(tmp_path / "in.ogg", "ogg", seconds=1.0)
    result = PyAvTranscoder(opus_complexity=0).transcode(source, [Quality.LOW], tmp_path / "out")
    assert decoded(result.files[0].path)[0] == "opus"
    with pytest.raises(ValueError, match="0 to 10"):
        PyAvTranscoder(opus_complexity=11)
