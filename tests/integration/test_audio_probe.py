"""The probe accepts every delivery format and refuses broken files with a code naming the file."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from cadenza.adapters.audio.probe import PyAvProbe
from cadenza.domain.errors import InvalidDelivery
from tests.fixtures.audio import (
    AUDIO_FORMATS,
    EXTENSIONS,
    LOSSLESS_FORMATS,
    make_audio,
    make_corrupt,
    make_long_flac,
)

CODECS = {
    "mp3": "mp3", "flac": "flac", "ogg": "vorbis", "opus": "opus", "m4a": "aac",
    "alac": "alac", "wav": "pcm_s16le", "aiff": "pcm_s16be",
}  # fmt: skip


def file_for(tmp_path: Path, fmt: str, stem: str = "track") -> Path:
    return tmp_path / f"{stem}.{EXTENSIONS.get(fmt, fmt)}"


@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
@pytest.mark.parametrize("channels", [1, 2])
def test_every_delivery_format_probes(tmp_path: Path, fmt: str, channels: int) -> None:
    if fmt == "ogg" and channels == 1:
        channels = 2  # FFmpeg's own Vorbis encoder writes stereo only
    path = make_audio(file_for(tmp_path, fmt), fmt, seconds=1.5, channels=channels)
    info = PyAvProbe().probe(path)
    assert info.codec == CODECS[fmt]
    assert info.channels == channels
    assert info.sample_rate == (48000 if fmt == "opus" else 44100)
    assert abs(info.duration_s - 1.5) < 0.05
    assert info.lossless is (fmt in LOSSLESS_FORMATS)
    assert info.bits_per_sample == (16 if fmt in LOSSLESS_FORMATS else None)


@pytest.mark.parametrize("fmt", LOSSLESS_FORMATS)
def test_hi_res_24_bit_96_khz_is_lossless_24_bit(tmp_path: Path, fmt: str) -> None:
    path = make_audio(file_for(tmp_path, fmt), fmt, seconds=1.0, sample_rate=96000, bits=24)
    info = PyAvProbe().probe(path)
    assert (info.sample_rate, info.bits_per_sample, info.lossless) == (96000, 24, True)


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [
        ("cut.flac", "truncated", "audio_truncated"),
        ("cut.m4a", "truncated", "audio_truncated"),
        ("cut.wav", "truncated", "audio_truncated"),
        ("cut.mp3", "truncated", "audio_truncated"),
        ("damaged.flac", "damaged", "audio_corrupt"),
        ("damaged.m4a", "damaged", "audio_corrupt"),
        ("noise.mp3", "garbage", "not_audio"),
        ("noise.flac", "garbage", "not_audio"),
        ("noise.m4a", "garbage", "not_audio"),
        ("list.mp3", "text", "not_audio"),
        ("photo.mp3", "image", "not_audio"),
        ("nothing.flac", "empty", "empty_file"),
    ],
)
def test_broken_files_are_refused_naming_the_file(
    tmp_path: Path, name: str, kind: str, code: str
) -> None:
    path = make_corrupt(tmp_path / name, kind)
    with pytest.raises(InvalidDelivery) as refused:
        PyAvProbe().probe(path)
    assert refused.value.code == code
    assert refused.value.file == name
    assert name in str(refused.value)


def test_an_m4a_cut_before_its_index_is_truncated(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "late-index.m4a", "m4a", seconds=2.0, faststart=False)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InvalidDelivery) as refused:
        PyAvProbe().probe(path)
    assert refused.value.code == "audio_truncated"


def test_a_four_hour_file_is_refused_from_its_header_without_decoding(tmp_path: Path) -> None:
    path = make_long_flac(tmp_path / "long.flac", hours=4)
    with pytest.raises(InvalidDelivery) as refused:
        PyAvProbe().probe(path)
    assert refused.value.code == "too_long"
    assert "240 min" in refused.value.message


def test_the_length_limit_applies_to_what_decodes(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "song.ogg", "ogg", seconds=2.0)
    with pytest.raises(InvalidDelivery) as refused:
        PyAvProbe(max_duration_s=1.0).probe(path)
    assert refused.value.code == "too_long"
    assert PyAvProbe(max_duration_s=3.0).probe(path).duration_s == pytest.approx(2.0, abs=0.01)


def write_pcm_wav(path: Path, codec: str, sample_fmt: str, rate: int, layout: str) -> Path:
    channels = av.AudioLayout(layout).nb_channels
    dtype = {"flt": np.float32, "u8": np.uint8, "s32": np.int32, "s16": np.int16}[sample_fmt]
    samples = np.zeros((1, rate // 2 * channels), dtype=dtype)
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(samples, format=sample_fmt, layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, 0, Fraction(1, rate)
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.mark.parametrize(
    ("codec", "sample_fmt", "rate", "layout", "reason"),
    [
        ("pcm_f32le", "flt", 44100, "stereo", "32-bit floating-point"),
        ("pcm_u8", "u8", 44100, "stereo", "8-bit unsigned"),
        ("pcm_s32le", "s32", 44100, "stereo", "32-bit"),
        ("pcm_s16le", "s16", 44100, "5.1", "6 channels"),
        ("pcm_s16le", "s16", 6000, "mono", "6000 Hz"),
    ],
)
def test_formats_outside_the_supported_range_are_refused(
    tmp_path: Path, codec: str, sample_fmt: str, rate: int, layout: str, reason: str
) -> None:
    path = write_pcm_wav(tmp_path / "odd.wav", codec, sample_fmt, rate, layout)
    with pytest.raises(InvalidDelivery) as refused:
        PyAvProbe().probe(path)
    assert refused.value.code == "unsupported_format"
    assert reason in refused.value.message


@pytest.mark.parametrize("rate", [8000, 192000])
def test_the_extremes_of_the_sample_rate_range_pass(tmp_path: Path, rate: int) -> None:
    path = make_audio(tmp_path / "edge.flac", "flac", seconds=0.5, sample_rate=rate, channels=1)
    assert PyAvProbe().probe(path).sample_rate == rate
