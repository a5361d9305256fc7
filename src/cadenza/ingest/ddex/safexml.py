"""XML from outside, parsed safely: no DTD, no entities (no billion laughs, no external files),
no network, bounded size and depth."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cadenza.ingest.ddex.model import MessageError, MessageRefused

if TYPE_CHECKING:
    from lxml import etree

MAX_MESSAGE_BYTES = 32 * 1024 * 1024  # the biggest real ERN (a 100-track box set) is ~5 MB


def parse_xml(data: bytes, file: str, max_bytes: int = MAX_MESSAGE_BYTES) -> etree._Element:
    """The root element, or MessageRefused naming the file and what is wrong with it."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET
    from lxml import etree

    if len(data) > max_bytes:
        raise _refused(file, f"the message is {len(data)} bytes; at most {max_bytes} are accepted")
    try:  # defusedxml refuses any DTD, entity declaration or external reference
        SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _refused(file, f"forbidden XML construct ({type(exc).__name__}): {exc}") from exc
    except SafeET.ParseError as exc:
        raise _refused(file, f"not well-formed XML: {exc}") from exc
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _refused(file, f"not well-formed XML: {exc}") from exc


def _refused(file: str, message: str) -> MessageRefused:
    return MessageRefused([MessageError(file, "/", message)])
