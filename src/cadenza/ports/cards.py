"""Shareable cards: a few lines of text painted as a PNG image (Your year's share images)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Card:
    title: str  # "My 2026 on Cadenza"
    headline: str  # "Top artists", "12,345 minutes listened"
    lines: tuple[str, ...]


class CardPainter(Protocol):
    def paint(self, card: Card, width: int, height: int) -> bytes:
        """The card as a PNG of exactly width x height pixels."""
        ...
