"""Subsonic answers in XML (the default) or JSON (`f=json`), from one tree of plain values.

A node is a dict: scalar values are attributes (XML) or fields (JSON); a dict value is one
child element; a list value is repeated child elements (an array in JSON); the key `value`
is the element's text in XML (lyrics lines)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from fastapi.responses import Response

from cadenza import __version__

API_VERSION = "1.16.1"
XMLNS = "http://subsonic.org/restapi"
Node = dict[str, Any]


class SubsonicError(Exception):
    """An answer with `status="failed"` and one of the protocol's codes."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def envelope(status: str) -> Node:
    return {
        "status": status,
        "version": API_VERSION,
        "type": "cadenza",
        "serverVersion": __version__,
        "openSubsonic": True,
    }


def answer(body: Node | None, fmt: str, headers: dict[str, str] | None = None) -> Response:
    return render(envelope("ok") | (body or {}), fmt, headers)


def failure(error: SubsonicError, fmt: str, headers: dict[str, str] | None = None) -> Response:
    tree = envelope("failed") | {"error": {"code": error.code, "message": error.message}}
    return render(tree, fmt, headers)


def render(tree: Node, fmt: str, headers: dict[str, str] | None = None) -> Response:
    if fmt == "json":
        tree = {"subsonic-response": _json(tree)}
        try:
            body = json.dumps(tree, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate: escaped, still valid JSON
            body = json.dumps(tree).encode()
        return Response(body, media_type="application/json", headers=headers)
    root = _element("subsonic-response", tree, f" xmlns={quoteattr(XMLNS)}")
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + root
    return Response(xml, media_type="application/xml", headers=headers)


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value


def _json(node: Node) -> Node:
    out: Node = {}
    for key, value in node.items():
        if value is None:
            continue
        if isinstance(value, dict):
            out[key] = _json(value)
        elif isinstance(value, list):
            out[key] = [_json(v) if isinstance(v, dict) else _scalar(v) for v in value]
        else:
            out[key] = _scalar(value)
    return out


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_value(value: Any) -> str:
    value = _scalar(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))  # characters XML 1.0 cannot carry


def _element(name: str, node: Node, extra: str = "") -> str:
    attrs, children, text = [], [], ""
    for key, value in node.items():
        if value is None:
            continue
        if key == "value" and not isinstance(value, dict | list):
            text = escape(_xml_value(value))
        elif isinstance(value, dict):
            children.append(_element(key, value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    children.append(_element(key, item))
                else:
                    children.append(f"<{key}>{escape(_xml_value(item))}</{key}>")
        else:
            attrs.append(f" {key}={quoteattr(_xml_value(value))}")
    inner = text + "".join(children)
    head = f"<{name}{extra}{''.join(attrs)}"
    return f"{head}>{inner}</{name}>" if inner else f"{head}/>"
