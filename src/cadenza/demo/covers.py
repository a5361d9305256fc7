"""Abstract cover art per release: a gradient, translucent shapes, the title and artist."""

from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

COVER_PX = 800
# A base hue per style (0..1), so a style's covers share a family of colours.
_HUES = {
    "disco": 0.85, "jazz": 0.08, "ambient": 0.55, "drum and bass": 0.75, "classical": 0.12,
    "techno": 0.66, "hip hop": 0.02, "folk": 0.25, "metal": 0.0, "reggae": 0.33,
}  # fmt: skip


def _colour(hue: float, sat: float, val: float, alpha: int = 255) -> tuple[int, int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, sat, val)
    return round(r * 255), round(g * 255), round(b * 255), alpha


def _gradient(rng: np.random.Generator, hue: float, px: int) -> Image.Image:
    top = np.array(_colour(hue + rng.uniform(-0.05, 0.05), rng.uniform(0.35, 0.8), 0.85)[:3])
    bottom = np.array(_colour(hue + rng.uniform(0.1, 0.4), rng.uniform(0.5, 1.0), 0.25)[:3])
    angle = rng.uniform(0, np.pi)
    y, x = np.mgrid[0:px, 0:px] / (px - 1)
    cos, sin = np.cos(angle), np.sin(angle)
    mix = 0.5 + ((x - 0.5) * cos + (y - 0.5) * sin) / (abs(cos) + abs(sin))
    pixels = top * (1 - mix[..., None]) + bottom * mix[..., None]
    return Image.fromarray(pixels.astype(np.uint8), "RGB").convert("RGBA")


def _shapes(rng: np.random.Generator, hue: float, px: int) -> Image.Image:
    layer = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(4, 12))):
        fill = _colour(hue + rng.uniform(-0.3, 0.3), rng.uniform(0.2, 1), rng.uniform(0.3, 1), 110)
        x0, y0 = (int(v) for v in rng.integers(-px // 4, px, 2))
        size = int(rng.integers(px // 12, px // 2))
        kind = int(rng.integers(4))
        if kind == 0:
            draw.ellipse((x0, y0, x0 + size, y0 + size), fill=fill)
        elif kind == 1:
            draw.rectangle((x0, y0, x0 + size, y0 + size // 2), fill=fill)
        elif kind == 2:
            pts = [(int(a), int(b)) for a, b in rng.integers(0, px, (3, 2))]
            draw.polygon(pts, fill=fill)
        else:
            draw.line((x0, y0, x0 + size, y0 + size), fill=fill, width=int(rng.integers(4, 30)))
    return layer


def _text(image: Image.Image, title: str, artist: str, px: int) -> None:
    band = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    ImageDraw.Draw(band).rectangle((0, int(px * 0.74), px, int(px * 0.95)), fill=(0, 0, 0, 120))
    image.alpha_composite(band)
    draw = ImageDraw.Draw(image)
    size = 56 if len(title) < 22 else 40 if len(title) < 34 else 30
    big = ImageFont.load_default(size=size)
    small = ImageFont.load_default(size=30)
    draw.text((px * 0.05, px * 0.76), title, font=big, fill=(255, 255, 255, 255))
    draw.text((px * 0.05, px * 0.76 + size + 14), artist, font=small, fill=(230, 230, 230, 255))


def draw_cover(path: Path, *, title: str, artist: str, style: str, seed: int) -> None:
    """An 800x800 JPEG, deterministic for the seed, coloured by the release's main style."""
    rng = np.random.default_rng(seed)
    hue = _HUES.get(style, 0.5) + rng.uniform(-0.04, 0.04)
    image = _gradient(rng, hue, COVER_PX)
    image.alpha_composite(_shapes(rng, hue, COVER_PX))
    _text(image, title, artist, COVER_PX)
    tmp = path.with_name(path.name + ".part")
    image.convert("RGB").save(tmp, "JPEG", quality=88)
    tmp.replace(path)
