"""Media, the pure part: what the store knows of a blob (from its real bytes, never its name), and
the limits on what is accepted. No I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from services.catalog.readiness.domain import ImageFacts
from services.catalog.readiness.media import inspect_image, sniff_content_type

#: The largest file the store takes (TikTok's own image limit is 10 MB; R33/R34 allow 5 MB, so a
#: larger file is stored and reported by the readiness check, up to this cap).
MAX_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    size_bytes: int
    content_type: str | None
    image_format: str | None = None
    width: int | None = None
    height: int | None = None
    error: str | None = None

    @property
    def is_image(self) -> bool:
        return (self.content_type or "").startswith("image/") or self.image_format is not None

    def image_facts(self) -> ImageFacts:
        return ImageFacts(sha256=self.sha256, size_bytes=self.size_bytes, format=self.image_format,
                          width=self.width, height=self.height, error=self.error)


def measure(data: bytes) -> StoredMedia:
    """The facts of ``data``: content type from the magic bytes; images decoded (header only) with Pillow."""
    content_type = sniff_content_type(data)
    sha = hashlib.sha256(data).hexdigest()
    if content_type is None or content_type.startswith("image/"):
        image = inspect_image(data)
        if image.error is None or content_type is not None:
            return StoredMedia(sha, len(data), content_type or f"image/{(image.format or '').lower()}",
                               image.format, image.width, image.height, image.error)
        return StoredMedia(sha, len(data), None, None, None, None,
                           "not a known file type (expected JPEG, PNG or WEBP images, MP4 video or PDF documents)")
    return StoredMedia(sha, len(data), content_type)
