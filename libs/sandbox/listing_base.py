"""What the create-body checks share: the :class:`Failure` they report, the :class:`ListingCheck` they
fill, small readers of untrusted JSON, and the error codes TikTok's documents do not give us.

Codes used by the checks (TikTok's, see TIKTOK_API.md): 12052023/12052024/12052217/12052230/
12052220/12052223/12052226 (``taxonomy.py``), 12052026/12052201 (``brands.py``), 12052028 main image
missing, 12052300–12052305 main images, 12052104 attributes, 12052105 certifications, 12052050 too many
SKUs; and ``products.py``'s 12019003 (warehouse) / 12019004 (price). *Sandbox choice* (here):

* :data:`MEDIA_REFERENCE_INVALID` 12019110 — a sku_img / certification image or file / size chart /
  video / description ``<img>`` that this seller did not upload, or uploaded for another use;
* :data:`TITLE_INVALID` 12019120, :data:`DESCRIPTION_INVALID` 12019121;
* :data:`PACKAGE_INVALID` 12019122 — package weight or dimensions missing, not positive, wrong unit;
* :data:`SKU_INVALID` 12019123 — no SKUs, seller_sku / inventory problems;
* :data:`SALES_ATTRIBUTES_INVALID` 12019124 — variation dimensions inconsistent, unknown, repeated;
* :data:`IDENTIFIER_CODE_INVALID` 12019125 — GTIN/EAN/UPC/ISBN malformed or used twice;
* :data:`SIZE_CHART_MISSING` 12019126 — the category's rules require a size chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from libs.sandbox.models import Shop
from libs.sandbox.state import SandboxState
from libs.sandbox.taxonomy import Category

MAIN_IMAGE_MISSING = 12052028
MAIN_IMAGE_UNKNOWN = 12052300
MAIN_IMAGE_SIZE = 12052301
MAIN_IMAGE_FORMAT = 12052302
MAIN_IMAGE_RATIO = 12052303
MAIN_IMAGE_COUNT = 12052304
MAIN_IMAGE_DUPLICATE = 12052305
ATTRIBUTE_INVALID = 12052104
CERTIFICATION_MISSING = 12052105
TOO_MANY_SKUS = 12052050

MEDIA_REFERENCE_INVALID = 12019110
TITLE_INVALID = 12019120
DESCRIPTION_INVALID = 12019121
PACKAGE_INVALID = 12019122
SKU_INVALID = 12019123
SALES_ATTRIBUTES_INVALID = 12019124
IDENTIFIER_CODE_INVALID = 12019125
SIZE_CHART_MISSING = 12019126


@dataclass(frozen=True)
class Failure:
    code: int
    message: str

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass
class ListingCheck:
    """One run of the checks over ``body`` for ``shop``; checks append to ``failures`` / ``warnings``."""

    body: dict[str, Any]
    shop: Shop
    state: SandboxState
    category: Category | None = None
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def seller_id(self) -> str:
        return self.shop.seller_id

    def fail(self, code: int, message: str) -> None:
        self.failures.append(Failure(code, message))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def objects(self, value: Any, where: str, code: int) -> list[dict[str, Any]]:
        """``value`` as a list of objects; anything else is a failure (and an empty list)."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(code, f"{where} must be a list of objects")
            return []
        return value

    def uploaded_image(self, entry: dict[str, Any] | None, use_case: str, where: str) -> None:
        """``entry{uri}`` must name an image this seller uploaded with ``use_case``."""
        uri = text((entry or {}).get("uri")) or ""
        image = self.state.media.image(self.seller_id, uri)
        if image is None:
            self.fail(MEDIA_REFERENCE_INVALID, f"{where}: image uri {uri!r} was not uploaded by this seller")
        elif image.use_case != use_case:
            self.fail(MEDIA_REFERENCE_INVALID, f"{where}: image {uri} was uploaded as {image.use_case}, needs {use_case}")

    def object(self, value: Any, where: str, code: int) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(code, f"{where} must be an object")
            return None
        return value


def text(value: Any) -> str | None:
    """A JSON string or number as text (ids come both ways), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        return str(value)
    return None


def decimal(value: Any) -> Decimal | None:
    """A finite decimal from a JSON string or number, else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
