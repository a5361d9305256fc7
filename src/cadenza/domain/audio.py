"""The audio quality ladder and loudness normalisation rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

TARGET_LUFS = -14.0


class Quality(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    VERY_HIGH = "very_high"
    LOSSLESS = "lossless"

    @property
    def bitrate_kbps(self) -> int | None:
        return _OPUS_KBPS.get(self)

    @property
    def media_type(self) -> str:
        return "audio/flac" if self is Quality.LOSSLESS else "audio/ogg"

    @property
    def extension(self) -> str:
        return "flac" if self is Quality.LOSSLESS else "opus"


_OPUS_KBPS = {Quality.LOW: 24, Quality.NORMAL: 96, Quality.HIGH: 160, Quality.VERY_HIGH: 320}
LOSSY_LADDER: tuple[Quality, ...] = (Quality.LOW, Quality.NORMAL, Quality.HIGH, Quality.VERY_HIGH)


def ladder_for(source_is_lossless: bool) -> tuple[Quality, ...]:
    """Every track gets the Opus tiers; FLAC only where the source was lossless (no fake lossless)."""
    return (*LOSSY_LADDER, Quality.LOSSLESS) if source_is_lossless else LOSSY_LADDER


@dataclass(frozen=True)
class Loudness:
    """ITU-R BS.1770 integrated loudness (LUFS) and true peak (dBTP)."""

    integrated_lufs: float
    true_peak_dbtp: float

    def gain_db(self, target_lufs: float = TARGET_LUFS) -> float:
        """Gain that brings the programme to the target, limited so the true peak stays under -1 dBTP."""
        gain = target_lufs - self.integrated_lufs
        headroom = -1.0 - self.true_peak_dbtp
        return round(min(gain, headroom) if gain > 0 else gain, 2)


def release_loudness(tracks: list[tuple[Loudness, float]]) -> Loudness | None:
    """Album loudness: energy-weighted by duration over the tracks, the highest true peak."""
    weighted = [(10 ** (ld.integrated_lufs / 10), dur) for ld, dur in tracks if dur > 0]
    if not weighted:
        return None
    total = sum(d for _, d in weighted)
    energy = sum(e * d for e, d in weighted) / total
    return Loudness(
        integrated_lufs=round(10 * math.log10(energy), 2),
        true_peak_dbtp=max(ld.true_peak_dbtp for ld, _ in tracks),
    )
