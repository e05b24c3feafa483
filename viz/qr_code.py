"""A QR code of a link, as an SVG image the browser can show (``segno``, a well-kept QR encoder: nothing hand-made).

Medium error correction (15 % of the code may be unreadable: a projector's glare, a low-resolution phone camera
at the back of a room) and a quiet zone of 4 modules, as the QR standard asks. An SVG scales to any size without
blur; the caller sets the size on screen.
"""

from __future__ import annotations

import segno


def qr_svg_data_uri(text: str) -> str:
    """The QR code of ``text`` as a ``data:image/svg+xml`` URI (black on white, one unit per module)."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=1, border=4, dark="#000", light="#fff", omitsize=True)


def qr_modules(text: str) -> list[list[bool]]:
    """The code's modules, row by row (True = dark), quiet zone excluded: what a decoder reads."""
    return [[bool(cell) for cell in row] for row in segno.make_qr(text, error="m").matrix]
