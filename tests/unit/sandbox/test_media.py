"""Image and file uploads: bytes decoded and sniffed (never trusting the name), limits, seller scope."""

from __future__ import annotations

from libs.sandbox import media
from libs.sandbox.state import SandboxState
from tests.unit.sandbox.conftest import Sandbox, Shop
from tests.unit.sandbox.listing_helpers import FILES, IMAGES, MP4, PDF, image_bytes


def state(box: Sandbox) -> SandboxState:
    return box.app.state.sandbox  # type: ignore[no-any-return]


async def test_good_jpeg_is_measured_and_remembered(sandbox: Sandbox, shop: Shop) -> None:
    data = image_bytes(800, 800)
    answer = await sandbox.upload(IMAGES, shop, data, filename="shirt.jpg", fields={"use_case": "MAIN_IMAGE"})
    assert answer["code"] == 0, answer
    uploaded = answer["data"]
    assert (uploaded["width"], uploaded["height"], uploaded["use_case"]) == (800, 800, "MAIN_IMAGE")
    assert uploaded["url"].startswith("https://") and uploaded["uri"]
    stored = state(sandbox).media.images[uploaded["uri"]]
    assert (stored.format, stored.size, stored.use_case) == ("JPEG", len(data), "MAIN_IMAGE")
    again = await sandbox.upload(IMAGES, shop, data, filename="copy.jpg", fields={"use_case": "MAIN_IMAGE"})
    assert again["data"]["uri"] == uploaded["uri"]  # identical bytes, same uri
    other_use = await sandbox.upload(IMAGES, shop, data, fields={"use_case": "ATTRIBUTE_IMAGE"})
    assert other_use["data"]["uri"] != uploaded["uri"] and other_use["data"]["use_case"] == "ATTRIBUTE_IMAGE"


async def test_format_comes_from_the_bytes_not_the_name(sandbox: Sandbox, shop: Shop) -> None:
    png = await sandbox.upload(IMAGES, shop, image_bytes(300, 200, "PNG"), filename="photo.jpg",
                               fields={"use_case": "DESCRIPTION_IMAGE"})
    assert png["code"] == 0, png
    assert state(sandbox).media.images[png["data"]["uri"]].format == "PNG"
    webp = await sandbox.upload(IMAGES, shop, image_bytes(300, 300, "WEBP"), filename="x.png")
    assert webp["code"] == 0 and state(sandbox).media.images[webp["data"]["uri"]].format == "WEBP"
    assert webp["data"]["use_case"] == "MAIN_IMAGE"  # TikTok's default
    gif = await sandbox.upload(IMAGES, shop, image_bytes(300, 300, "GIF"), filename="x.jpg")
    assert gif["code"] == media.IMAGE_FORMAT_UNSUPPORTED and "GIF" in gif["message"]


async def test_bad_images_are_refused_with_their_codes(sandbox: Sandbox, shop: Shop) -> None:
    async def code(data: bytes, use_case: str = "MAIN_IMAGE") -> int:
        answer = await sandbox.upload(IMAGES, shop, data, filename="a.jpg", fields={"use_case": use_case})
        return answer["code"]  # type: ignore[no-any-return]

    assert await code(image_bytes(99, 500)) == media.IMAGE_DIMENSIONS_INVALID
    assert await code(image_bytes(100, 100)) == 0  # the edge is allowed
    assert await code(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20) == media.IMAGE_UNDECODABLE
    whole = image_bytes(800, 800)
    assert await code(whole[: len(whole) // 2]) == media.IMAGE_UNDECODABLE  # truncated
    assert await code(b"") == media.IMAGE_UNDECODABLE
    assert await code(b"\x89PNG" + b"\0" * (media.IMAGE_MAX_BYTES + 1)) == media.MEDIA_TOO_LARGE
    assert await code(whole, use_case="PROFILE_PICTURE") == media.MEDIA_PARAM_INVALID
    assert [(i.width, i.height) for i in state(sandbox).media.images.values()] == [(100, 100)]  # refused: not kept


async def test_uploads_must_not_carry_shop_cipher_and_need_the_file(sandbox: Sandbox, shop: Shop) -> None:
    with_cipher = await sandbox.upload(IMAGES, shop, image_bytes(800, 800), with_cipher=True)
    assert with_cipher["code"] == 36009004 and "shop_cipher" in with_cipher["message"]
    file_with_cipher = await sandbox.upload(FILES, shop, PDF, fields={"name": "cert.pdf"}, with_cipher=True)
    assert file_with_cipher["code"] == 36009004
    json_body = await sandbox.call("POST", IMAGES, shop=shop, cipher="", body={"data": "x"})
    assert json_body.json()["code"] == media.MEDIA_PARAM_INVALID
    assert state(sandbox).media.images == {}


async def test_pdf_and_video_files_are_sniffed(sandbox: Sandbox, shop: Shop) -> None:
    pdf = await sandbox.upload(FILES, shop, PDF, filename="whatever", fields={"name": "cpc_2024.pdf"})
    assert pdf["code"] == 0, pdf
    assert pdf["data"]["format"] == "PDF" and pdf["data"]["name"] == "cpc_2024.pdf"
    assert state(sandbox).media.files[pdf["data"]["id"]].size == len(PDF)
    video = await sandbox.upload(FILES, shop, MP4, fields={"name": "demo.MP4"})
    assert video["code"] == 0 and video["data"]["format"] == "MP4"

    async def code(data: bytes, name: str) -> int:
        return (await sandbox.upload(FILES, shop, data, fields={"name": name}))["code"]  # type: ignore[no-any-return]

    assert await code(b"just some text, honestly a PDF", "cert.pdf") == media.FILE_CONTENT_MISMATCH
    assert await code(MP4, "cert.pdf") == media.FILE_CONTENT_MISMATCH
    quicktime = MP4[:8] + b"qt  " + MP4[12:]
    assert await code(quicktime, "clip.mp4") == media.FILE_CONTENT_MISMATCH
    assert await code(quicktime, "clip.mov") == 0
    assert await code(PDF, "my cert.pdf") == media.FILE_NAME_INVALID
    assert await code(PDF, "cert.exe") == media.FILE_NAME_INVALID
    assert await code(PDF, "pdf") == media.FILE_NAME_INVALID
    missing_name = await sandbox.upload(FILES, shop, PDF)
    assert missing_name["code"] == media.FILE_NAME_INVALID
    too_big = b"%PDF-" + b"0" * media.FILE_MAX_BYTES["PDF"]
    assert await code(too_big, "big.pdf") == media.MEDIA_TOO_LARGE
    assert len(state(sandbox).media.files) == 3
