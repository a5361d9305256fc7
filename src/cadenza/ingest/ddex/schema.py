"""ERN 4.3 messages validated against DDEX's own schema, shipped in `xsd/` (see its README)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cadenza.ingest.ddex.model import MessageError

if TYPE_CHECKING:
    from lxml import etree

XSD_DIR = Path(__file__).parent / "xsd"
ERN43_XSD = XSD_DIR / "ernv43" / "release-notification.xsd"
_lock = threading.Lock()  # an lxml XMLSchema is not safe to share between threads


@cache
def _ern43() -> etree.XMLSchema:
    from lxml import etree

    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(ERN43_XSD), parser))


def validate_ern43(root: etree._Element, file: str, max_errors: int = 50) -> list[MessageError]:
    """Every schema error of the message (at most `max_errors`), with its XPath."""
    with _lock:
        schema = _ern43()
        if schema.validate(root):
            return []
        entries: Iterable[Any] = cast("Iterable[Any]", schema.error_log)
        log = [e for _, e in zip(range(max_errors), entries, strict=False)]
    return [MessageError(file, e.path or "/", e.message) for e in log]
