"""Cover art: square JPEGs in every catalog size; unusable images refused with a reason."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from cadenza.adapters.audio.covers import PillowCoverArt
from cadenza.domain.catalog import COVER_SIZES, MIN_DELIVERY_COVER_PX
from cadenza.domain.errors import InvalidDelivery
from tests.fixtures.audio import make_cover


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(("size", "fmt"), [((800, 800), "JPEG"), ((3000, 2000), "PNG")])
def test_every_catalog_size_is_a_square_rgb_jpeg(size: tuple[int, int], fmt: str) -> None:
    prepared = PillowCoverArt().prepare(make_cover(size, fmt), min_px=MIN_DELIVERY_COVER_PX)
    assert (prepared.width, prepared.height) == size
    assert sorted(prepared.sizes) == sorted(COVER_SIZES)
    for px, data in prepared.sizes.items():
        image = opened(data)
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (px, px))


def test_a_wide_cover_is_cropped_to_its_centre() -> None:
    # make_cover's red channel runs 0 -> 255 left to right: a centre crop of a 3:2 image
    # starts a sixth of the way across, so its left edge is not black.
    prepared = PillowCoverArt().prepare(make_cover((1200, 800)), min_px=640)
    red_left, _, _ = opened(prepared.sizes[640]).getpixel((2, 320))  # type: ignore[misc]
    red_right, _, _ = opened(prepared.sizes[640]).getpixel((637, 320))  # type: ignore[misc]
    assert 30 < red_left < 60
    assert 195 < red_right < 225


def test_a_cover_below_the_minimum_is_refused_saying_both_sizes() -> None:
    with pytest.raises(InvalidDelivery) as refused:
        PillowCoverArt().prepare(make_cover((500, 300)), min_px=640)
    assert refused.value.code == "cover_too_small"
    assert "500x300" in refused.value.message
    assert "640" in refused.value.message


def test_library_ingest_accepts_small_covers_and_scales_them_up() -> None:
    prepared = PillowCoverArt().prepare(make_cover((200, 200), "PNG"), min_px=1)
    assert opened(prepared.sizes[640]).size == (640, 640)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "WEBP", "TIFF"])
def test_formats_other_than_jpeg_and_png_are_refused(fmt: str) -> None:
    with pytest.raises(InvalidDelivery) as refused:
        PillowCoverArt().prepare(make_cover((700, 700), fmt), min_px=1)
    assert refused.value.code == "cover_unreadable"


@pytest.mark.parametrize("data", [b"", b"not an image at all", make_cover((700, 700))[:3000]])
def test_bytes_that_are_not_a_whole_image_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidDelivery) as refused:
        PillowCoverArt().prepare(data, min_px=1)
    assert refused.value.code == "cover_unreadable"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG whose header declares a huge size while its pixel data is tiny."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [12_000, 40_000])  # over our 100 MP limit; over Pillow's too
def test_a_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    # Decoding a 40,000-pixel square would need gigabytes: a refusal at all means the header
    # alone decided.
    with pytest.raises(InvalidDelivery) as refused:
        PillowCoverArt().prepare(png_claiming(side, side), min_px=1)
    assert refused.value.code == "cover_too_large"


def test_transparency_is_flattened_onto_white() -> None:
    image = Image.new("RGBA", (700, 700), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    prepared = PillowCoverArt().prepare(buffer.getvalue(), min_px=640)
    assert opened(prepared.sizes[300]).getpixel((150, 150)) == (255, 255, 255)


def test_placeholders_are_deterministic_and_differ_by_release() -> None:
    covers = PillowCoverArt()
    first = covers.placeholder("Blue Train", "John Coltrane")
    assert first == covers.placeholder("Blue Train", "John Coltrane")
    assert first != covers.placeholder("Giant Steps", "John Coltrane")
    image = opened(first)
    assert (image.format, image.size) == ("JPEG", (640, 640))
    assert image.getpixel((5, 5)) != image.getpixel((634, 634))  # a gradient, not a flat fill
    assert covers.prepare(first, min_px=640).width == 640  # usable as a delivery cover
