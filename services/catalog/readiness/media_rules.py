"""R32 (images present), R33 (images) and R34 (video), judged on the facts of the real bytes. No decoding here:
the bytes were measured once at upload by :mod:`services.catalog.readiness.media`."""

from __future__ import annotations

from collections.abc import Iterator

from services.catalog.readiness.domain import MediaFacts, Problem, ProductFacts

MAX_IMAGES = 9  # main + gallery
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MIN_SIDE_PX = 600
MAX_SIDE_PX = 20000
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_VIDEO_BYTES = 5 * 1024 * 1024


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_images(product: ProductFacts) -> Iterator[Problem]:
    main, gallery = product.main_image, product.gallery
    if main is None and gallery:
        first = gallery[0].source
        yield Problem(
            rule="R33", code="main_image_not_set", field="main_image", value=None,
            message=f"main image missing; the first gallery image could be the main ({first})",
            fix=f"set main_image to {first} (and take it out of images), or add a main image",
        )
    elif main is None:
        yield Problem(
            rule="R32", code="main_image_missing", field="main_image", value=None,
            message="no main image",
            fix="set main_image to the path or URL of a square JPEG, PNG or WEBP image, at least 600x600 px",
        )
    if not gallery:
        yield Problem(
            rule="R32", code="gallery_missing", field="images", value=None,
            message="no gallery images: a listing needs a main image and at least one more",
            fix="add one or more image paths or URLs to images, separated by |",
        )
    total = (main is not None) + len(gallery)
    if total > MAX_IMAGES:
        yield Problem(
            rule="R33", code="too_many_images", field="images", value=str(total),
            message=f"{total} images (main + gallery); TikTok takes at most {MAX_IMAGES} including the main",
            fix=f"remove {total - MAX_IMAGES} image(s) from images",
        )
    if main is not None:
        yield from _check_image(main, "main_image", "main image")
    for index, media in enumerate(gallery):
        yield from _check_image(media, f"images[{index}]", f"gallery image {index + 1}")


def _check_image(media: MediaFacts, field: str, label: str) -> Iterator[Problem]:
    where = f"{label} {media.source}"
    if media.error is not None:
        yield Problem(
            rule="R33", code="image_unreadable", field=field, value=media.source,
            message=f"{where} could not be read: {media.error}",
            fix="check that the path exists or the URL answers, then load the product file again",
        )
        return
    facts = media.image
    if facts is None:
        yield Problem(
            rule="R33", code="image_not_inspected", field=field, value=media.source,
            message=f"{where} has not been inspected, so its size and format are unknown",
            fix="load the product file again so the image bytes are checked",
        )
        return
    if facts.size_bytes > MAX_IMAGE_BYTES:
        yield Problem(
            rule="R33", code="image_file_too_big", field=field, value=str(facts.size_bytes),
            message=f"{where} is {megabytes(facts.size_bytes)}; at most 5 MB",
            fix="compress it (or save it as JPEG or WEBP) to below 5 MB",
        )
    if facts.error is not None:
        yield Problem(
            rule="R33", code="image_undecodable", field=field, value=facts.format,
            message=f"{where} is not a usable image: {facts.error}",
            fix="replace it with a valid JPEG, PNG or WEBP file",
        )
        return
    if facts.format not in IMAGE_FORMATS:
        yield Problem(
            rule="R33", code="image_format_unsupported", field=field, value=facts.format,
            message=f"{where} is {facts.format or 'of an unknown format'} (judged on its bytes, not its name); "
                    "TikTok takes JPEG, PNG or WEBP",
            fix="convert it to JPEG, PNG or WEBP",
        )
    width, height = facts.width, facts.height
    if width is None or height is None:
        return
    size = f"{width}x{height}"
    if width != height:
        yield Problem(
            rule="R33", code="image_not_square", field=field, value=size,
            message=f"{where} is {size} px, not square (1:1)",
            fix="crop or pad it to a square, at least 600x600 px",
        )
    if min(width, height) < MIN_SIDE_PX:
        yield Problem(
            rule="R33", code="image_too_small", field=field, value=size,
            message=f"{where} is {size} px; each side must be at least {MIN_SIDE_PX} px",
            fix="use a larger original, at least 600x600 px",
        )
    if max(width, height) > MAX_SIDE_PX:
        yield Problem(
            rule="R33", code="image_too_large", field=field, value=size,
            message=f"{where} is {size} px; each side must be at most {MAX_SIDE_PX} px",
            fix="resize it to at most 20000x20000 px",
        )


def check_video(video: MediaFacts | None) -> Iterator[Problem]:
    """R34: the product holds at most one video by construction; it must be a video of at most 5 MB."""
    if video is None:
        return
    where = f"video {video.source}"
    if video.error is not None:
        yield Problem(
            rule="R34", code="video_unreadable", field="video", value=video.source,
            message=f"{where} could not be read: {video.error}",
            fix="check that the path exists or the URL answers, then load the product file again",
        )
        return
    content_type = video.content_type
    if content_type is None or not content_type.startswith("video/"):
        yield Problem(
            rule="R34", code="video_format_unsupported", field="video", value=content_type,
            message=f"{where} is {content_type or 'not a recognised file type'} (judged on its bytes), not a video",
            fix="use an MP4 or MOV video",
        )
    if video.size_bytes is not None and video.size_bytes > MAX_VIDEO_BYTES:
        yield Problem(
            rule="R34", code="video_too_big", field="video", value=str(video.size_bytes),
            message=f"{where} is {megabytes(video.size_bytes)}; at most 5 MB",
            fix="shorten or compress the video to below 5 MB",
        )
