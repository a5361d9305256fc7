"""QR codes for provisioning URIs, as SVG (segno, pure Python)."""

from __future__ import annotations

import io

import segno


def qr_svg(data: str, *, scale: int = 4) -> str:
    """A standalone SVG document (with its namespace, no XML declaration) of the QR code."""
    qr = segno.make_qr(data, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, title="QR code")
    return out.getvalue().decode("utf-8")
