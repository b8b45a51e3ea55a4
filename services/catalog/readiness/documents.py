"""R37 restricted categories: every certification the category's rules require has a document tagged with it
(by the requirement's name, case-insensitively, or its id); no document is tagged with a requirement the category
does not know; every document is readable and a PDF or an image."""

from __future__ import annotations

from collections.abc import Iterator

from services.catalog.readiness.domain import (
    CertificationFacts,
    Context,
    MediaFacts,
    Problem,
    ProductFacts,
    key,
)
from services.catalog.readiness.media_rules import IMAGE_FORMATS

DOCUMENT_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def _document_format_ok(media: MediaFacts) -> bool:
    if media.content_type == "application/pdf":
        return True
    if media.image is not None:
        return media.image.error is None and media.image.format in IMAGE_FORMATS
    return media.content_type in DOCUMENT_IMAGE_TYPES


def check_documents(product: ProductFacts, ctx: Context) -> Iterator[Problem]:
    """R37: each certification the category requires has a document tagged with it; no stray tags."""
    by_key: dict[str, CertificationFacts] = {}
    for cert in ctx.certifications:
        by_key.setdefault(key(cert.name), cert)
        by_key[key(cert.id)] = cert
    known = ", ".join(c.name for c in ctx.certifications) or "none: this category asks for no documents"
    fulfilled: set[str] = set()
    for index, document in enumerate(product.documents):
        field, source, requirement = f"documents[{index}]", document.media.source, document.requirement.strip()
        certification = by_key.get(key(requirement)) if requirement else None
        if certification is not None:
            fulfilled.add(certification.id)
        elif not requirement:
            yield Problem(
                rule="R37", code="document_untagged", field=field, value=source,
                message=f"document {source} is not tagged with the requirement it fulfils",
                fix=f"give it as Requirement=path in documents; requirements of this category: {known}",
            )
        else:
            yield Problem(
                rule="R37", code="document_requirement_unknown", field=field, value=requirement,
                message=f"document {source} is tagged {requirement!r}, which category {product.category_id} "
                        "does not ask for",
                fix=f"tag it with one of the category's requirements ({known}), or remove it",
            )
        if document.media.error is not None:
            yield Problem(
                rule="R37", code="document_unreadable", field=field, value=source,
                message=f"document {source} could not be read: {document.media.error}",
                fix="check that the path exists or the URL answers, then load the product file again",
            )
        elif not _document_format_ok(document.media):
            found = document.media.content_type or (document.media.image and document.media.image.format)
            yield Problem(
                rule="R37", code="document_format_unsupported", field=field, value=found or None,
                message=f"document {source} is {found or 'not a recognised file type'} (judged on its bytes)",
                fix="give the document as a PDF, or as a JPEG, PNG or WEBP image",
            )
    for certification in ctx.certifications:
        if certification.required and certification.id not in fulfilled:
            yield Problem(
                rule="R37", code="certification_missing", field="documents", value=None,
                message=f"category {product.category_id} requires {certification.name}, and no document "
                        "is tagged with it; TikTok refuses the product without it",
                fix=f"add {certification.name}=path/to/file.pdf to documents",
            )
