"""Image and file facts come from the real bytes, never from a file name (R33, R34, R37)."""

from __future__ import annotations

import hashlib
import struct
import zlib

from services.catalog.readiness import inspect_image, sniff_content_type
from tests.unit.catalog.readiness.factories import image_bytes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A structurally valid PNG whose header claims ``width`` x ``height`` pixels, with almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"")) + _chunk(b"IEND", b"")


def test_a_jpeg_is_measured() -> None:
    data = image_bytes(800, 800)
    facts = inspect_image(data)
    assert (facts.format, facts.width, facts.height, facts.error) == ("JPEG", 800, 800, None)
    assert facts.size_bytes == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()


def test_the_bytes_decide_the_format_not_the_name() -> None:
    png = image_bytes(700, 700, fmt="PNG")
    assert inspect_image(png).format == "PNG"
    assert sniff_content_type(png) == "image/png"
    gif = image_bytes(700, 700, fmt="GIF", mode="P")
    assert inspect_image(gif).format == "GIF"


def test_webp_is_measured() -> None:
    facts = inspect_image(image_bytes(640, 480, fmt="WEBP"))
    assert (facts.format, facts.width, facts.height, facts.error) == ("WEBP", 640, 480, None)


def test_corrupt_bytes_are_an_error_not_an_exception() -> None:
    facts = inspect_image(b"this is not an image at all")
    assert facts.error is not None and "not a readable image" in facts.error
    assert (facts.format, facts.width, facts.height) == (None, None, None)
    assert facts.size_bytes == len(b"this is not an image at all")


def test_a_damaged_png_fails_verification() -> None:
    png = bytearray(image_bytes(600, 600, fmt="PNG"))
    idat = png.index(b"IDAT")
    png[idat + 10] ^= 0xFF  # the chunk's CRC no longer matches
    facts = inspect_image(bytes(png))
    assert facts.error is not None
    assert facts.width is None


def test_empty_file_is_an_error() -> None:
    assert inspect_image(b"").error == "the file is empty"


def test_decompression_bombs_are_reported_not_decoded() -> None:
    huge = inspect_image(png_claiming(30000, 30000))  # over twice Pillow's pixel limit: DecompressionBombError
    assert huge.error is not None and "decompression bomb" in huge.error
    large = inspect_image(png_claiming(10000, 10000))  # over the limit: DecompressionBombWarning
    assert large.error is not None and "decompression bomb" in large.error
    normal = inspect_image(png_claiming(1000, 1000))  # the same construction below the limit is measured
    assert (normal.error, normal.width, normal.height) == (None, 1000, 1000)


def test_content_types_from_magic_bytes() -> None:
    assert sniff_content_type(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff_content_type(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00") == "video/mp4"
    assert sniff_content_type(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00") == "video/quicktime"
    assert sniff_content_type(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "image/heic"
    assert sniff_content_type(image_bytes(10, 10)) == "image/jpeg"
    assert sniff_content_type(image_bytes(10, 10, fmt="WEBP")) == "image/webp"
    assert sniff_content_type(b"GIF89a\x01\x00") == "image/gif"
    assert sniff_content_type(b"PK\x03\x04 a zip") is None
    assert sniff_content_type(b"") is None
