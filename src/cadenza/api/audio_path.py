"""Which requests the granted-audio fast path answers (api/granted_audio.py), told without
importing it: the grants' and the rip watch's services come with the first audio request, not
with the server's start."""

from __future__ import annotations

from starlette.types import Scope

PREFIX = "/api/v1/audio/"  # services/stream_grants.AUDIO_PATH (api/granted_audio.py checks)
MAX_NAME_CHARS = 80


def takes(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    if not path.startswith(PREFIX) or scope["type"] != "http":
        return False
    name = path[len(PREFIX) :]
    return (
        scope["method"] in ("GET", "HEAD")
        and bool(name)
        and "/" not in name
        and len(name) <= MAX_NAME_CHARS
    )
