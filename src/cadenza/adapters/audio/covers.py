"""CoverArt with Pillow: square JPEGs in every catalog size, and generated placeholders.

Only JPEG and PNG are opened (Pillow's other decoders are attack surface a cover does not need);
the pixel count is checked from the header, before anything is decoded.
"""

from __future__ import annotations

import hashlib
import io
import warnings

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

from cadenza.domain.catalog import COVER_SIZES
from cadenza.domain.errors import InvalidDelivery
from cadenza.ports.audio import CoverImages

MAX_PIXELS = 100_000_000
JPEG_QUALITY = 88
PLACEHOLDER_PX = 640


class PillowCoverArt:
    def __init__(self, max_pixels: int = MAX_PIXELS, quality: int = JPEG_QUALITY) -> None:
        self._max_pixels = max_pixels
        self._quality = quality

    def prepare(self, image: bytes, *, min_px: int) -> CoverImages:
        picture = self._open(image)
        width, height = picture.size
        if min(width, height) < min_px:
            raise InvalidDelivery(
                f"the cover is {width}x{height} px; at least {min_px}x{min_px} px is required",
                code="cover_too_small",
            )
        largest = max(COVER_SIZES)
        if picture.format == "JPEG":  # let libjpeg decode at 1/2, 1/4, 1/8 scale when that suffices
            picture.draft("RGB", (largest, largest))
        square = _square(_decoded(picture), largest)
        sizes = {size: self._jpeg(_resized(square, size)) for size in COVER_SIZES}
        return CoverImages(width=width, height=height, sizes=sizes)

    def _open(self, data: bytes) -> Image.Image:
        try:
            with warnings.catch_warnings():  # our own pixel limit below replaces Pillow's warning
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                picture = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"])
        except Image.DecompressionBombError as error:  # Pillow's own, far higher limit
            raise self._too_large() from error
        except (OSError, ValueError) as error:
            raise InvalidDelivery(
                "the cover is not a readable JPEG or PNG image", code="cover_unreadable"
            ) from error
        width, height = picture.size
        if width * height > self._max_pixels:
            raise self._too_large(f"{width}x{height} px, ")
        return picture

    def _too_large(self, size: str = "") -> InvalidDelivery:
        return InvalidDelivery(
            f"the cover is {size}over {self._max_pixels // 1_000_000} megapixels",
            code="cover_too_large",
        )

    def _jpeg(self, picture: Image.Image) -> bytes:
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=self._quality, optimize=True)
        return buffer.getvalue()

    def placeholder(self, title: str, artist: str) -> bytes:
        """A 640x640 JPEG: a diagonal gradient between two colours from a hash of title and
        artist, with the title's initials. The same names always give the same bytes."""
        digest = hashlib.sha256(f"{title}\x00{artist}".encode()).digest()
        # Channels in 30-180: saturated enough to tell covers apart, dark enough for white text.
        start, end = (30 + np.array(list(digest[i : i + 3])) * 150 / 255 for i in (0, 3))
        steps = np.arange(PLACEHOLDER_PX)
        ramp = np.add.outer(steps, steps)[..., None] / (2 * (PLACEHOLDER_PX - 1))
        picture = Image.fromarray((start + (end - start) * ramp).astype(np.uint8), "RGB")
        _draw_initials(picture, title or artist)
        return self._jpeg(picture)


def _decoded(picture: Image.Image) -> Image.Image:
    """Fully decoded RGB, upright (EXIF orientation applied), transparency over white."""
    try:
        picture.load()
        upright = ImageOps.exif_transpose(picture) or picture
    except (OSError, ValueError, SyntaxError) as error:
        raise InvalidDelivery("the cover image is damaged", code="cover_unreadable") from error
    if upright.mode in ("RGBA", "LA", "P", "PA"):
        rgba = upright.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return upright.convert("RGB")


def _square(picture: Image.Image, largest: int) -> Image.Image:
    """Center crop to the short side; big images are first reduced (cheaply, in one step) to
    twice the largest size we serve, which keeps the final Lanczos pass small."""
    side = min(picture.size)
    left, top = (picture.width - side) // 2, (picture.height - side) // 2
    square = picture.crop((left, top, left + side, top + side))
    if side > 2 * largest:
        square = square.reduce(side // (2 * largest))
    return square


def _resized(picture: Image.Image, size: int) -> Image.Image:
    if picture.size == (size, size):
        return picture
    return picture.resize((size, size), Image.Resampling.LANCZOS)


def _draw_initials(picture: Image.Image, name: str) -> None:
    words = [w for w in name.split() if w[:1].isalnum()] or ["?"]
    initials = "".join(w[0] for w in words[:2]).upper()
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=PLACEHOLDER_PX // 3)
    center = (PLACEHOLDER_PX / 2, PLACEHOLDER_PX / 2)
    draw.text(center, initials, fill=(255, 255, 255), font=font, anchor="mm")
