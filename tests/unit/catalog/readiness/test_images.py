"""R33 images and R34 video, judged on the facts of the real bytes."""

from __future__ import annotations

import io
import os

from PIL import Image

from services.catalog.readiness import ImageFacts, MediaFacts, check_product
from tests.unit.catalog.readiness.factories import (
    codes,
    context,
    good_image,
    image_bytes,
    image_media,
    product,
    the,
    video,
)


def test_main_image_and_a_gallery_image_are_required() -> None:
    result = check_product(product(main_image=None, gallery=[]), context())
    assert codes(result) == ["main_image_missing", "gallery_missing"]
    assert {p.rule for p in result.problems} == {"R32"}


def test_missing_main_image_suggests_the_first_gallery_image() -> None:
    gallery = [good_image("img/side.jpg"), good_image("img/back.jpg")]
    result = check_product(product(main_image=None, gallery=gallery), context())
    p = the(result, "main_image_not_set")
    assert (p.rule, p.field) == ("R33", "main_image")
    assert p.message == "main image missing; the first gallery image could be the main (img/side.jpg)"


def test_at_most_nine_images_including_the_main() -> None:
    nine = check_product(product(gallery=[good_image(f"img/{i}.jpg") for i in range(8)]), context())
    assert nine.ready
    ten = check_product(product(gallery=[good_image(f"img/{i}.jpg") for i in range(9)]), context())
    p = the(ten, "too_many_images")
    assert (p.rule, p.value) == ("R33", "10")
    assert codes(ten) == ["too_many_images"]


def test_a_square_jpeg_of_800_px_is_fine() -> None:
    assert check_product(product(main_image=image_media("a.jpg", image_bytes(800, 800))), context()).ready


def test_599_by_600_is_too_small_and_not_square() -> None:
    result = check_product(product(main_image=image_media("small.jpg", image_bytes(599, 600))), context())
    assert codes(result) == ["image_not_square", "image_too_small"]
    assert {(p.rule, p.field, p.value) for p in result.problems} == {("R33", "main_image", "599x600")}


def test_1200_by_800_is_not_square() -> None:
    media = image_media("wide.jpg", image_bytes(1200, 800))
    result = check_product(product(gallery=[good_image(), media]), context())
    p = the(result, "image_not_square")
    assert (p.field, p.value) == ("images[1]", "1200x800")
    assert "wide.jpg" in p.message and codes(result) == ["image_not_square"]


def test_a_side_over_20000_px_is_too_large() -> None:
    facts = ImageFacts(sha256="x", size_bytes=1000, format="PNG", width=20001, height=20001, error=None)
    media = MediaFacts(source="huge.png", kind="image", size_bytes=1000, image=facts)
    assert codes(check_product(product(main_image=media), context())) == ["image_too_large"]


def test_a_file_over_5_mb_is_refused() -> None:
    noise = Image.frombytes("RGB", (2000, 2000), os.urandom(2000 * 2000 * 3))
    noisy = image_media("noise.png", _png(noise))  # random noise does not compress: about 12 MB
    assert noisy.image is not None and noisy.image.size_bytes > 11 * 1024 * 1024
    result = check_product(product(main_image=noisy), context())
    assert codes(result) == ["image_file_too_big"]
    assert the(result, "image_file_too_big").rule == "R33"


def test_exactly_5_mb_is_allowed() -> None:
    limit = 5 * 1024 * 1024
    def sized(size: int) -> MediaFacts:
        facts = ImageFacts(sha256="x", size_bytes=size, format="JPEG", width=800, height=800, error=None)
        return MediaFacts(source="a.jpg", kind="image", size_bytes=size, image=facts)
    assert check_product(product(main_image=sized(limit)), context()).ready
    assert codes(check_product(product(main_image=sized(limit + 1)), context())) == ["image_file_too_big"]


def test_corrupt_bytes_are_undecodable() -> None:
    result = check_product(product(main_image=image_media("broken.jpg", b"\xff\xd8\xffgarbage")), context())
    assert codes(result) == ["image_undecodable"]
    assert "broken.jpg" in the(result, "image_undecodable").message


def test_a_png_named_jpg_is_judged_as_png() -> None:
    media = image_media("img/photo.jpg", image_bytes(800, 800, fmt="PNG"))
    assert media.image is not None and media.image.format == "PNG"
    assert check_product(product(main_image=media), context()).ready


def test_a_gif_named_jpg_is_refused_as_gif() -> None:
    media = image_media("img/photo.jpg", image_bytes(800, 800, fmt="GIF", mode="P"))
    p = the(check_product(product(main_image=media), context()), "image_format_unsupported")
    assert (p.value, p.field) == ("GIF", "main_image")


def test_an_image_that_could_not_be_fetched_names_source_and_error() -> None:
    missing = MediaFacts(source="https://cdn.example.com/x.jpg", kind="image", error="HTTP 404")
    result = check_product(product(gallery=[missing]), context())
    p = the(result, "image_unreadable")
    assert "https://cdn.example.com/x.jpg" in p.message and "HTTP 404" in p.message
    assert codes(result) == ["image_unreadable"]


def test_a_video_up_to_5_mb_is_fine() -> None:
    assert check_product(product(video=video(size_bytes=5 * 1024 * 1024)), context()).ready


def test_a_video_over_5_mb_is_refused() -> None:
    result = check_product(product(video=video(size_bytes=6 * 1024 * 1024)), context())
    p = the(result, "video_too_big")
    assert (p.rule, p.field, p.value) == ("R34", "video", str(6 * 1024 * 1024))


def test_a_video_must_be_a_video() -> None:
    result = check_product(product(video=video(source="vid/tee.mp4", content_type="application/pdf")), context())
    assert codes(result) == ["video_format_unsupported"]
    assert codes(check_product(product(video=video(error="timeout")), context())) == ["video_unreadable"]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
