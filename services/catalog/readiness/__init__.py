"""Product readiness for TikTok Shop (R32-R37, R39): pure rules over facts, no I/O.

``media.inspect_image`` / ``media.sniff_content_type`` measure bytes once at upload; ``check_product`` judges a
product on those facts; ``summarise`` counts a catalogue's results.
"""

from services.catalog.readiness.domain import (
    AttributeFacts,
    BrandFacts,
    CategoryFacts,
    CertificationFacts,
    CodeCount,
    Context,
    DocumentFacts,
    ImageFacts,
    MediaFacts,
    Problem,
    ProductFacts,
    Readiness,
    Rule,
    ShopFacts,
    Summary,
)
from services.catalog.readiness.media import inspect_image, sniff_content_type
from services.catalog.readiness.rules import check_product, summarise

__all__ = [
    "AttributeFacts",
    "BrandFacts",
    "CategoryFacts",
    "CertificationFacts",
    "CodeCount",
    "Context",
    "DocumentFacts",
    "ImageFacts",
    "MediaFacts",
    "Problem",
    "ProductFacts",
    "Readiness",
    "Rule",
    "ShopFacts",
    "Summary",
    "check_product",
    "inspect_image",
    "sniff_content_type",
    "summarise",
]
