"""Ids and URIs as the Web API names objects: `id` is the object's number as a string, `uri` is
`cadenza:KIND:ID`. Clients written for Spotify send `spotify:KIND:ID`; both are understood."""

from __future__ import annotations

from cadenza.domain.errors import InvalidRequest

URI_SCHEMES = ("cadenza", "spotify")
MAX_ID = 2_147_483_647
MAX_IDS = 50  # ids in one request (`/tracks?ids=`, `/me/tracks?ids=`), as Spotify allows


def uri(kind: str, object_id: int | str) -> str:
    return f"cadenza:{kind}:{object_id}"


def parse_id(raw: str, kind: str) -> int:
    """An object's number from its id or URI (400 `invalid_id` for anything else)."""
    text = raw.strip()
    parts = text.split(":")
    if len(parts) == 3 and parts[0] in URI_SCHEMES:
        if parts[1] != kind:
            raise InvalidRequest(f"{excerpt(text)} is not a {kind}", code="invalid_id")
        text = parts[2]
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise InvalidRequest(f"invalid {kind} id {excerpt(text)!r}", code="invalid_id")
    return int(text)


def parse_ids(raw: str, kind: str, limit: int = MAX_IDS) -> list[int]:
    """A comma-separated list of ids (or URIs), at most `limit`."""
    found = [parse_id(part, kind) for part in raw.split(",") if part.strip()]
    if not found:
        raise InvalidRequest("ids names nothing", code="invalid_id")
    if len(found) > limit:
        raise InvalidRequest(f"at most {limit} ids at a time", code="too_many_ids")
    return found


def parse_uri(raw: str) -> tuple[str, int]:
    """(kind, number) of `cadenza:KIND:ID` or `spotify:KIND:ID`."""
    parts = raw.strip().split(":")
    if len(parts) != 3 or parts[0] not in URI_SCHEMES:
        raise InvalidRequest(f"invalid uri {excerpt(raw)!r}", code="invalid_uri")
    return parts[1], parse_id(parts[2], parts[1])


def excerpt(text: str, limit: int = 60) -> str:
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return cut.encode("utf-8", "backslashreplace").decode("utf-8")
