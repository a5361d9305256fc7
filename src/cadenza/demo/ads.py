"""The demo's advertisement: a 20-second synthesised jingle and its companion image."""

from __future__ import annotations

from pathlib import Path

from cadenza.demo.covers import draw_cover
from cadenza.demo.encode import write_audio
from cadenza.demo.synth import render_track

DEMO_AD_SECONDS = 20.0


def write_demo_ad(folder: Path) -> tuple[Path, Path]:
    """spot.flac and companion.jpg in `folder` (made once, deterministic)."""
    folder.mkdir(parents=True, exist_ok=True)
    audio, image = folder / "spot.flac", folder / "companion.jpg"
    if not audio.is_file():
        write_audio(audio, render_track("disco", DEMO_AD_SECONDS, seed=4242), "flac16")
    if not image.is_file():
        draw_cover(image, title="Cadenza Plus", artist="0.99 a month", style="disco", seed=4242)
    return audio, image
