"""ProfileImages with Pillow: an artist's avatar (square) and header (wide), as JPEGs.

Only JPEG and PNG are opened, and the pixel count is checked from the header before anything is
decoded (as covers are)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from cadenza.domain.artists import AVATAR_PX, HEADER_SIZE, MAX_IMAGE_BYTES
from cadenza.domain.errors import InvalidRequest

MAX_PIXELS = 40_000_000
JPEG_QUALITY = 86


class PillowProfileImages:
    def avatar(self, image: bytes) -> bytes:
        return self._fitted(image, (AVATAR_PX, AVATAR_PX))

    def header(self, image: bytes) -> bytes:
        return self._fitted(image, HEADER_SIZE)

    def _fitted(self, data: bytes, size: tuple[int, int]) -> bytes:
        if len(data) > MAX_IMAGE_BYTES:
            raise InvalidRequest(
                f"the image is over {MAX_IMAGE_BYTES // (1024 * 1024)} MiB", code="image_too_large"
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                picture = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"])
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            raise InvalidRequest(
                "the image is not a readable JPEG or PNG", code="image_unreadable"
            ) from error
        width, height = picture.size
        if width * height > MAX_PIXELS:
            raise InvalidRequest(
                f"the image is {width}x{height} px; at most {MAX_PIXELS // 1_000_000} megapixels",
                code="image_too_large",
            )
        if width < size[0] // 2 or height < size[1] // 2:
            raise InvalidRequest(
                f"the image is {width}x{height} px; at least {size[0] // 2}x{size[1] // 2} px",
                code="image_too_small",
            )
        try:
            if picture.format == "JPEG":
                picture.draft("RGB", (size[0] * 2, size[1] * 2))
            picture.load()
            upright = ImageOps.exif_transpose(picture) or picture
            if upright.mode in ("RGBA", "LA", "P", "PA"):
                rgba = upright.convert("RGBA")
                background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                upright = Image.alpha_composite(background, rgba)
            fitted = ImageOps.fit(upright.convert("RGB"), size, Image.Resampling.LANCZOS)
        except (OSError, ValueError, SyntaxError) as error:
            raise InvalidRequest("the image is damaged", code="image_unreadable") from error
        out = io.BytesIO()
        fitted.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        return out.getvalue()
