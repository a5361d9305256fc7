"""Cheap looks at file headers, to name the problem when FFmpeg only says 'invalid data'."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import cast

_MAGIC = {
    b"fLaC": "FLAC",
    b"OggS": "Ogg",
    b"ID3": "MP3",
    b"RIFF": "WAV",
    b"FORM": "AIFF",
}


def audio_kind(path: Path) -> str | None:
    """'FLAC', 'Ogg', 'MP3' (with an ID3 tag), 'WAV', 'AIFF', 'MP4' or None from the first bytes."""
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp":
        return "MP4"
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


def mp4_has_index(path: Path) -> bool:
    """Whether the top level of an MP4 holds a whole 'moov' box. Encoders write it last, so a file cut
    while copying usually lacks it and cannot be played at all."""
    size = path.stat().st_size
    offset = 0
    with path.open("rb") as handle:
        while offset + 8 <= size:
            handle.seek(offset)
            box_size, box_type = cast(tuple[int, bytes], struct.unpack(">I4s", handle.read(8)))
            if box_size == 1:  # 64-bit size follows the type
                box_size = int(struct.unpack(">Q", handle.read(8))[0])
            if box_size < 8:  # 0 means 'to the end of the file'; smaller is damage
                return False
            if box_type == b"moov":
                return offset + box_size <= size
            offset += box_size
    return False


def missing_bytes(path: Path) -> int:
    """How many bytes a WAV (RIFF) or AIFF (FORM) file lacks compared to what its header declares.

    FFmpeg trims the declared data size to what is on disk, which hides a cut file."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if len(head) < 8 or head[:4] not in (b"RIFF", b"FORM"):
        return 0
    size = int(struct.unpack("<I" if head[:4] == b"RIFF" else ">I", head[4:8])[0])
    if size in (0, 0xFFFFFFFF):  # streaming writers that did not know the length
        return 0
    return max(0, size + 8 - path.stat().st_size)
