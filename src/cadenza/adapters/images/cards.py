"""Your year's share cards painted with Pillow: a two-colour gradient, the title, a headline
and up to six lines, each shortened with an ellipsis to fit the card's width.

Imported on the first request for a card (bootstrap's painter factory), never at start."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from cadenza.ports.cards import Card

TOP = (29, 185, 84)  # Cadenza green
BOTTOM = (18, 18, 18)
MAX_LINES = 6


class PillowCards:
    def paint(self, card: Card, width: int, height: int) -> bytes:
        picture = _gradient(width, height)
        draw = ImageDraw.Draw(picture)
        unit = min(width, height)
        margin = unit // 12
        small = ImageFont.load_default(size=unit // 22)
        big = ImageFont.load_default(size=unit // 12)
        line = ImageFont.load_default(size=unit // 18)
        room = width - 2 * margin
        y = margin
        draw.text(
            (margin, y), _fit(draw, card.title, small, room), font=small, fill=(255, 255, 255)
        )
        y += unit // 10
        draw.text((margin, y), _fit(draw, card.headline, big, room), font=big, fill=(255, 255, 255))
        y += unit // 7
        step = (height - y - margin) // MAX_LINES
        for text in card.lines[:MAX_LINES]:
            draw.text((margin, y), _fit(draw, text, line, room), font=line, fill=(235, 235, 235))
            y += step
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", compress_level=6)
        return buffer.getvalue()


def _gradient(width: int, height: int) -> Image.Image:
    """Top colour to bottom colour, one row at a time."""
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(height - 1, 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True))
        )
    return column.resize((width, height))


def _fit(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    room: int,
) -> str:
    """The text, cut short with an ellipsis where it is wider than `room` pixels."""
    if draw.textlength(text, font=font) <= room:
        return text
    while text and draw.textlength(text + "...", font=font) > room:
        text = text[:-1]
    return text.rstrip() + "..."
