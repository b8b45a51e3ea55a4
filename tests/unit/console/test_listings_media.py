"""The console's image proxy ``GET /media/{sha256}`` in process, the catalog faked: only a SHA-256 is asked for,
only an image is served, the catalog's errors are said, and the browser keeps an image (it is addressed by
its content's hash) while it never keeps a page."""

from __future__ import annotations

import httpx
import pytest

from tests.unit.console.conftest import FakeServices, signed_in
from tests.unit.console.test_listings_pages import SHA, listing

__all__ = ["listing"]  # the fixture: the listings pages' fake services


async def test_an_image_is_proxied_with_its_type(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", f"/media/{SHA}", httpx.Response(
        200, content=b"\xff\xd8jpeg", headers={"content-type": "image/jpeg"}))
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{SHA.upper()}")
    assert answer.status_code == 200 and answer.content == b"\xff\xd8jpeg"
    assert answer.headers["content-type"] == "image/jpeg"
    [call] = listing.made("catalog", "GET", f"/media/{SHA}")
    assert call.authorization is not None


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab" * 31, "zz" * 32])
async def test_only_a_sha256_is_asked_for(listing: FakeServices, key: str) -> None:
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{key}")
    assert answer.status_code == 404
    assert not [c for c in listing.calls if c.path.startswith("/media")]


async def test_a_file_that_is_no_image_is_not_served(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", f"/media/{SHA}", httpx.Response(
        200, content=b"<svg onload=alert(1)>", headers={"content-type": "image/svg+xml"}))
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{SHA}")
    assert answer.status_code == 415 and b"<svg" not in answer.content


async def test_a_missing_image_says_the_catalogs_error(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", f"/media/{SHA}", (404, {"error": {"code": "media_not_found", "message": "no file"}}))
    async with signed_in(listing) as client:
        answer = await client.get(f"/media/{SHA}")
    assert answer.status_code == 404 and answer.text == "Error: no file (media_not_found)"


async def test_an_image_is_kept_by_the_browser_and_a_page_never(listing: FakeServices) -> None:
    listing.answer("catalog", "GET", f"/media/{SHA}", httpx.Response(
        200, content=b"\x89PNG", headers={"content-type": "image/png", "cache-control": "public, max-age=60"}))
    async with signed_in(listing) as client:
        image = await client.get(f"/media/{SHA}")
        listed = await client.get("/listings")
        part = await client.get("/listings/table")
        product_page = await client.get("/listings/TEE", params={"shop": "7001"})
        refused = await client.get(f"/media/{'zz' * 32}")
        listing.answer("catalog", "GET", f"/media/{SHA}", (404, {"error": {"code": "media_not_found", "message": "gone"}}))
        missing = await client.get(f"/media/{SHA}")
    # addressed by its content's hash: the same address is the same bytes, for this operator's browser only
    assert image.status_code == 200 and image.headers["cache-control"] == "private, max-age=31536000, immutable"
    for answer in (listed, part, product_page, refused, missing):  # pages and errors: never stored
        assert answer.headers["cache-control"] == "no-store", (answer.url, answer.status_code)
    assert (refused.status_code, missing.status_code) == (404, 404)
