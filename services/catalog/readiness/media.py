"""Facts about uploaded bytes, measured once at upload time (R33, R34, R37). Pure: bytes in, facts out.

The file name or URL a seller gave is never trusted: a PNG named ``.jpg`` is a PNG.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image

from services.catalog.readiness.domain import ImageFacts

# Pillow reports a camera JPEG with an embedded preview (multi-picture format) as "MPO"; it is a JPEG file.
_FORMAT_ALIASES = {"MPO": "JPEG"}

# ISO base media files all start with an `ftyp` box; its major brand says what is inside.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def inspect_image(data: bytes) -> ImageFacts:
    """Decode the header of ``data`` and measure it, without decoding the pixels.

    ``verify()`` checks the file's structure; the image is then reopened (Pillow requires it) to read
    its size. Images Pillow considers decompression bombs are reported as errors, never decoded.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    size = len(data)

    def failed(error: str, fmt: str | None = None) -> ImageFacts:
        return ImageFacts(sha256=sha256, size_bytes=size, format=fmt, width=None, height=None, error=error)

    if not data:
        return failed("the file is empty")
    fmt: str | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return failed(f"too many pixels to be safe to decode (decompression bomb guard): {exc}", fmt)
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any parser failure means "not usable"
        reason = str(exc) or type(exc).__name__
        return failed(f"not a readable image: {reason}", fmt)
    if fmt is not None:
        fmt = _FORMAT_ALIASES.get(fmt, fmt)
    return ImageFacts(sha256=sha256, size_bytes=size, format=fmt, width=width, height=height, error=None)


def sniff_content_type(data: bytes) -> str | None:
    """The content type the magic bytes announce (PDF, MP4/MOV, JPEG, PNG, WEBP, GIF), or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in _HEIF_BRANDS:
            return "image/heic"  # same container as MP4, but a still image
        if brand in _AVIF_BRANDS:
            return "image/avif"
        return "video/mp4"
    return None
