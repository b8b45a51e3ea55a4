"""Posting, the pure part (R38, R39, R35-R37, R45): which files go up with which use case, the create body
built from our record (brand only when it is to be sent, the one identifier, each child a SKU with its own
image as sku_img with matrix images on, certifications with their files and images), and the idempotency
key derived from the shop, the SKU and the record's version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.catalog.posting.domain import BodyContext, create_body, hint, idempotency_key, uploads_for
from services.catalog.products.domain import DocumentRef, MediaRef, Product
from services.catalog.readiness.domain import Readiness
from services.catalog.taxonomy.domain import Attribute, Certification

MAIN, BACK, RED, BLUE, PDF, SCAN, VIDEO = (MediaRef(f"img/{n}", n * 8) for n in
                                           ("a", "b", "r", "u", "p", "s", "v"))
COLOR = Attribute("100000", "Color", "SALES_PROPERTY", False, True, False, (("4001", "Red"),))
MATERIAL = Attribute("100392", "Material", "PRODUCT_PROPERTY", True, False, False, (("1001", "Cotton"),))
CPC = Certification("700101", "Children's Product Certificate", True)


def _ready(sku: str, identifier: tuple[str, str] | None = None, brand: str | None = None) -> Readiness:
    return Readiness(sku, "S1", True, (), identifier, brand)


PARENT = Product(seller_sku="TEE", title="Organic tee", description="<p>Soft</p>", category_id="601226",
                 main_image=MAIN, images=[BACK, MAIN], attributes={"Material": ["Cotton"]}, weight=Decimal("0.25"),
                 weight_unit="KILOGRAM", length=Decimal("30.4"), width=Decimal(20), height=Decimal("2.6"),
                 dimension_unit="CENTIMETER", documents=[DocumentRef("Children's Product Certificate", PDF),
                                                         DocumentRef("children's product certificate", SCAN)],
                 video=VIDEO, version=3)
CHILDREN = [Product(seller_sku=f"TEE-{c}", parent_sku="TEE", price=Decimal("19.90"), currency="USD",
                    sales_attributes={"Color": c}, main_image=image)
            for c, image in (("Red", RED), ("Blue", BLUE))]
KINDS = {PDF.sha256 or "": "application/pdf", SCAN.sha256 or "": "image/png"}


def _uris() -> dict[tuple[str, str], str]:
    return {(u.sha256, u.use_case): f"ref-{u.use_case}-{u.sha256[:1]}"
            for u in uploads_for(PARENT, CHILDREN, matrix_images=True, document_kinds=KINDS)}


def _ctx(**overrides: Any) -> BodyContext:
    fields: dict[str, Any] = {
        "category_id": "601226", "category_version": "v2", "warehouse_id": "W1", "attributes": [COLOR, MATERIAL],
        "certifications": [CPC], "readiness": _ready("TEE"), "uris": _uris(), "matrix_images": True,
        "child_readiness": {"TEE-Red": _ready("TEE-Red", ("UPC", "012345678905")), "TEE-Blue": _ready("TEE-Blue")},
        "quantities": {"TEE-Red": 4, "TEE-Blue": 0},
    }
    fields.update(overrides)
    return BodyContext(**fields)


def test_each_file_goes_up_once_with_its_use_case() -> None:
    wanted = uploads_for(PARENT, CHILDREN, matrix_images=True, document_kinds=KINDS)
    assert [(u.sha256[:1], u.use_case) for u in wanted] == [
        ("a", "MAIN_IMAGE"), ("b", "MAIN_IMAGE"),  # the main image once, though the gallery repeats it
        ("r", "ATTRIBUTE_IMAGE"), ("u", "ATTRIBUTE_IMAGE"),
        ("p", "FILE"), ("s", "CERTIFICATION_IMAGE"), ("v", "FILE")]
    assert {u.name for u in wanted if u.use_case == "FILE"} == {"p.pdf", "v.mp4"}  # TikTok wants an extension
    without = uploads_for(PARENT, CHILDREN, matrix_images=False, document_kinds=KINDS)
    assert "ATTRIBUTE_IMAGE" not in {u.use_case for u in without}


def test_a_matrix_is_one_product_with_a_sku_per_child_and_their_images() -> None:
    body = create_body(PARENT, CHILDREN, _ctx())
    assert [s["seller_sku"] for s in body["skus"]] == ["TEE-Red", "TEE-Blue"]
    red, blue = body["skus"]
    assert red["sales_attributes"] == [{"id": "100000", "value_id": "4001", "sku_img": {"uri": "ref-ATTRIBUTE_IMAGE-r"}}]
    assert blue["sales_attributes"][0]["value_name"] == "Blue"  # customizable: the seller's own value
    assert red["identifier_code"] == {"type": "UPC", "code": "012345678905"} and "identifier_code" not in blue
    assert red["inventory"] == [{"warehouse_id": "W1", "quantity": 4}]
    assert red["price"] == {"amount": "19.90", "currency": "USD"}
    assert body["main_images"] == [{"uri": "ref-MAIN_IMAGE-a"}, {"uri": "ref-MAIN_IMAGE-b"}]
    assert body["product_attributes"] == [{"id": "100392", "values": [{"id": "1001"}]}]  # sales ones are per SKU
    assert body["package_dimensions"] == {"length": "30", "width": "20", "height": "3", "unit": "CENTIMETER"}
    assert body["category_version"] == "v2" and body["save_mode"] == "LISTING"
    assert body["video"] == {"id": "ref-FILE-v"}
    no_matrix = create_body(PARENT, CHILDREN, _ctx(matrix_images=False))
    assert "sku_img" not in no_matrix["skus"][0]["sales_attributes"][0]


def test_the_brand_is_sent_only_when_readiness_says_so() -> None:
    assert "brand_id" not in create_body(PARENT, CHILDREN, _ctx())
    assert create_body(PARENT, CHILDREN, _ctx(readiness=_ready("TEE", brand="7082427311584347905")))[
        "brand_id"] == "7082427311584347905"


def test_documents_are_attached_to_the_certification_they_are_tagged_with() -> None:
    body = create_body(PARENT, CHILDREN, _ctx())
    assert body["certifications"] == [{"id": "700101", "images": [{"uri": "ref-CERTIFICATION_IMAGE-s"}],
                                       "files": [{"id": "ref-FILE-p"}]}]
    assert "certifications" not in create_body(PARENT, CHILDREN, _ctx(certifications=[]))


def test_the_idempotency_key_is_the_same_for_a_retry_and_new_for_a_new_version() -> None:
    key = idempotency_key("S1", "TEE", 3)
    assert key == idempotency_key("S1", "TEE", 3) and len(key) <= 128
    assert len({key, idempotency_key("S1", "TEE", 4), idempotency_key("S2", "TEE", 3),
                idempotency_key("S1", "TEE2", 3)}) == 4


def test_every_refusal_has_something_to_do() -> None:
    assert "Seller Center" in hint(12052201) and "split" in hint(12052050)
    assert hint(99999999) == "fix what TikTok names and post again"
