"""Uploaded images and files: what the bytes really are, and what the sandbox remembers of them.

Images are decoded with Pillow (header, ``verify`` and a full ``load``); the format comes from the
bytes, never from the file name. Accepted: JPEG, PNG, WEBP; ≤ :data:`IMAGE_MAX_BYTES`; each side
100–20000 px (and no more pixels than Pillow's decompression-bomb guard allows). Files: the name has
no whitespace and ends in ``.pdf``, ``.mp4`` or ``.mov``; the bytes must agree (``%PDF-``; an ISO-BMFF
``ftyp`` box, major brand ``qt  `` for MOV); PDF ≤ 20 MB, video ≤ 100 MB.

Uploads are remembered per seller (a uri or file id uploaded by another seller is unknown to a
listing). Identical bytes uploaded by the same seller for the same use case give the same uri.

Error codes (TikTok's are not documented to us: all *sandbox choice*):

* :data:`MEDIA_PARAM_INVALID` 12019101 — ``use_case`` missing or unknown, ``data`` missing or not a file;
* :data:`IMAGE_UNDECODABLE` 12019102 — not an image (or a corrupt/truncated one);
* :data:`IMAGE_FORMAT_UNSUPPORTED` 12019103 — an image, but not JPEG/PNG/WEBP (e.g. GIF, BMP);
* :data:`MEDIA_TOO_LARGE` 12019104 — over the size cap for its kind;
* :data:`IMAGE_DIMENSIONS_INVALID` 12019105 — a side under 100 or over 20000 px, or too many pixels;
* :data:`FILE_NAME_INVALID` 12019106 — ``name`` missing, with whitespace, or an unsupported extension;
* :data:`FILE_CONTENT_MISMATCH` 12019107 — the bytes are not what the extension says.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field

from PIL import Image

from libs.sandbox.errors import SandboxError

MEDIA_PARAM_INVALID = 12019101
IMAGE_UNDECODABLE = 12019102
IMAGE_FORMAT_UNSUPPORTED = 12019103
MEDIA_TOO_LARGE = 12019104
IMAGE_DIMENSIONS_INVALID = 12019105
FILE_NAME_INVALID = 12019106
FILE_CONTENT_MISMATCH = 12019107

USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE", "SIZE_CHART_IMAGE")
IMAGE_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}  # Pillow name -> ours (MPO: a camera JPEG)
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIN_SIDE, IMAGE_MAX_SIDE = 100, 20_000
FILE_MAX_BYTES = {"PDF": 20 * 1024 * 1024, "MP4": 100 * 1024 * 1024, "MOV": 100 * 1024 * 1024}
FILE_EXTENSIONS = {".pdf": "PDF", ".mp4": "MP4", ".mov": "MOV"}
CDN = "https://p16-oec-sandbox.tiktokcdn.invalid"
_STILL_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class StoredImage:
    uri: str
    url: str
    width: int
    height: int
    format: str
    size: int
    use_case: str
    seller_id: str

    def to_wire(self) -> dict[str, object]:
        return {"uri": self.uri, "url": self.url, "width": self.width, "height": self.height, "use_case": self.use_case}


@dataclass(frozen=True)
class StoredFile:
    id: str
    name: str
    url: str
    format: str
    size: int
    seller_id: str

    def to_wire(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "url": self.url, "format": self.format}


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _sides_ok(width: int, height: int) -> bool:
    return IMAGE_MIN_SIDE <= min(width, height) and max(width, height) <= IMAGE_MAX_SIDE


def inspect_image(data: bytes) -> ImageInfo:
    """What the bytes are (pure; may take a while on big images: call it off the event loop)."""
    if len(data) > IMAGE_MAX_BYTES:
        raise SandboxError(MEDIA_TOO_LARGE, f"image is {len(data)} bytes; the limit is {_mb(IMAGE_MAX_BYTES)}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                pillow_format, (width, height) = img.format or "", img.size
                img.verify()
            if pillow_format in IMAGE_FORMATS and _sides_ok(width, height):
                with Image.open(io.BytesIO(data)) as img:
                    img.load()
    except Image.DecompressionBombError:
        raise SandboxError(IMAGE_DIMENSIONS_INVALID, "image has too many pixels to be decoded safely") from None
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: Pillow raises many kinds; all mean "not an image"
        raise SandboxError(
            IMAGE_UNDECODABLE, f"data is not a decodable image ({type(exc).__name__}); send JPEG, PNG or WEBP bytes"
        ) from None
    if pillow_format not in IMAGE_FORMATS:
        raise SandboxError(
            IMAGE_FORMAT_UNSUPPORTED, f"image format {pillow_format or 'unknown'} is not supported; use JPEG, PNG or WEBP"
        )
    if not _sides_ok(width, height):
        raise SandboxError(
            IMAGE_DIMENSIONS_INVALID,
            f"image is {width}x{height} px; each side must be {IMAGE_MIN_SIDE} to {IMAGE_MAX_SIDE} px",
        )
    return ImageInfo(IMAGE_FORMATS[pillow_format], width, height)


def file_format(name: str | None, data: bytes) -> str:
    """``PDF`` / ``MP4`` / ``MOV`` once the name and the bytes agree."""
    if not name or re.search(r"\s", name):
        raise SandboxError(FILE_NAME_INVALID, f"name {name!r} must be given and contain no spaces, e.g. cert.pdf")
    extension = name[name.rfind("."):].lower() if "." in name.strip(".") else ""
    expected = FILE_EXTENSIONS.get(extension)
    if expected is None:
        raise SandboxError(
            FILE_NAME_INVALID, f"name {name!r} must end in one of {', '.join(FILE_EXTENSIONS)} (the file type)"
        )
    if len(data) > FILE_MAX_BYTES[expected]:
        raise SandboxError(
            MEDIA_TOO_LARGE, f"{expected} file is {len(data)} bytes; the limit is {_mb(FILE_MAX_BYTES[expected])}"
        )
    actual = _sniff(data)
    if actual != expected:
        found = f"the bytes are {actual}" if actual else "the bytes are not a PDF, MP4 or MOV file"
        raise SandboxError(FILE_CONTENT_MISMATCH, f"name {name!r} says {expected} but {found}")
    return expected


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "PDF"
    if len(data) >= 16 and data[4:8] == b"ftyp" and int.from_bytes(data[:4], "big") >= 16:
        brand = data[8:12]
        if brand in _STILL_IMAGE_BRANDS:
            return "HEIF/AVIF image"  # same container as MP4, but a still image
        return "MOV" if brand == b"qt  " else "MP4"
    return None


@dataclass
class MediaStore:
    """Everything uploaded, by uri / url / file id. Mutations are synchronous (atomic on the loop)."""

    images: dict[str, StoredImage] = field(default_factory=dict)
    image_urls: dict[str, str] = field(default_factory=dict)  # url -> uri
    files: dict[str, StoredFile] = field(default_factory=dict)

    def add_image(self, seller_id: str, use_case: str, data: bytes, info: ImageInfo) -> StoredImage:
        digest = hashlib.sha256(b"%s\0%s\0%s" % (seller_id.encode(), use_case.encode(), data)).hexdigest()
        uri = f"tos-sandbox-i-{digest[:10]}/{digest[10:42]}"
        extension = info.format.lower()
        stored = StoredImage(
            uri=uri, url=f"{CDN}/obj/{uri}~tplv-origin-{extension}.{extension}", width=info.width,
            height=info.height, format=info.format, size=len(data), use_case=use_case, seller_id=seller_id,
        )
        self.images[uri] = stored
        self.image_urls[stored.url] = uri
        return stored

    def add_file(self, seller_id: str, name: str, fmt: str, data: bytes) -> StoredFile:
        digest = hashlib.sha256(b"%s\0%s\0%s" % (seller_id.encode(), name.encode(), data)).hexdigest()
        prefix = "f" if fmt == "PDF" else "v"
        file_id = f"{prefix}10{digest[:29]}"
        stored = StoredFile(
            id=file_id, name=name, url=f"{CDN}/file/{file_id}/{name}", format=fmt, size=len(data), seller_id=seller_id
        )
        self.files[file_id] = stored
        return stored

    def image(self, seller_id: str, uri: str) -> StoredImage | None:
        stored = self.images.get(uri)
        return stored if stored is not None and stored.seller_id == seller_id else None

    def image_by_url(self, seller_id: str, url: str) -> StoredImage | None:
        return self.image(seller_id, self.image_urls.get(url, ""))

    def file(self, seller_id: str, file_id: str) -> StoredFile | None:
        stored = self.files.get(file_id)
        return stored if stored is not None and stored.seller_id == seller_id else None
