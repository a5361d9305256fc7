"""A stored audio file from a point in time on (OpenSubsonic's transcodeOffset: an app that
seeks in a stream it cannot range asks for the rest of the song from there)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol


class AudioFromOffset(Protocol):
    def from_offset(self, path: Path | BinaryIO, seconds: float) -> bytes:
        """The file's audio from `seconds` on, in the same container and codec (no new
        encoding): a whole file a player can start on."""
        ...
