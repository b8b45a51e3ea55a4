"""``GET /media/{sha256}``: a product image for the console's thumbnails, proxied from the catalog's
``GET /media/{sha256}`` as the signed-in operator (the browser never calls an admin API itself)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse, Response

from ..client import ServiceError, decoded
from ..web import Operator, operator
from .views import is_sha256

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]

#: What the console shows as an image: raster formats only (an SVG could carry script; a PDF or a video is
#: no thumbnail).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
#: An image is addressed by the hash of its bytes: what one address answers never changes, so the browser
#: keeps it (for a year, without asking again); ``private``: only the signed-in operator's browser, no shared
#: cache. Errors are not cached (the console's middleware answers them ``no-store``).
IMAGE_CACHE = "private, max-age=31536000, immutable"


def image_type(content_type: str | None) -> str | None:
    """The image type of a ``content-type`` header (parameters dropped), or None when it is no image we show."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind if kind in IMAGE_TYPES else None


@router.get("/media/{sha256}")
async def media_file(sha256: str, signed: Signed) -> Response:
    sha = sha256.lower()
    if not is_sha256(sha):
        return PlainTextResponse("Not a media key: a SHA-256 is 64 hexadecimal characters.", status_code=404)
    try:
        answer = await signed.api.raw("catalog", f"/media/{sha}")
        if not answer.is_success:
            decoded("catalog", answer)  # raises the catalog's own error (media_not_found, …)
    except ServiceError as exc:
        return PlainTextResponse(f"Error: {exc.shown}", status_code=exc.status if exc.status >= 400 else 502)
    kind = image_type(answer.headers.get("content-type"))
    if kind is None:
        return PlainTextResponse(f"The stored file {sha} is not an image the console shows "
                                 f"({answer.headers.get('content-type') or 'no content type'}).", status_code=415)
    return Response(answer.content, media_type=kind, headers={"Cache-Control": IMAGE_CACHE})
