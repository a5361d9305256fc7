"""Uploaded files' names: only a plain last part a file system takes is ever used on disk."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

MAX_NAME_BYTES = 255  # ext4, XFS, APFS, NTFS (in UTF-16 units, fewer than these bytes)


def plain_file_name(raw: str | None) -> str | None:
    """The name's last part, or None when it is empty, hidden, too long for a file system, or
    holds control characters (a NUL among them) or text that is not valid Unicode."""
    name = PurePath((raw or "").replace("\\", "/")).name
    if not name or name.startswith("."):
        return None
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        return None
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return None
    return name
