"""QR codes (segno): as an SVG document served from our origin, or as a data URI inside a PDF or
a printed page. One error-correction level for all: the codes are scanned off phone screens and
paper alike."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str, *, scale: int = 6, title: str = "") -> bytes:
    """The QR code of ``text`` as a standalone SVG document."""
    buffer = io.BytesIO()
    options = {"title": title} if title else {}
    segno.make(text, error="m", micro=False).save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, **options)
    return buffer.getvalue()


def qr_data_uri(text: str, *, scale: int = 4) -> str:
    """The QR code of ``text`` as an SVG data URI (PDFs, print pages)."""
    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=scale, border=2))
