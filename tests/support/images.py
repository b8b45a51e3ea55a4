"""Image bytes made in the test (Pillow), so every readiness rule is checked on real bytes."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(width: int = 800, height: int = 800, fmt: str = "JPEG", color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=fmt)
    return out.getvalue()
