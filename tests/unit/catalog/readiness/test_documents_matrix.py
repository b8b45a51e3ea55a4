"""R37 certification documents and R39 variations (a matrix parent and its children)."""

from __future__ import annotations

from decimal import Decimal

from services.catalog.readiness import (
    CertificationFacts,
    Context,
    DocumentFacts,
    MediaFacts,
    ProductFacts,
    Readiness,
    check_product,
)
from tests.unit.catalog.readiness.factories import (
    SHOP_ID,
    VALID_EAN13,
    VALID_UPC,
    codes,
    context,
    good_image,
    product,
    shop,
    the,
)

CPC = CertificationFacts(id="8647", name="Children's Product Certificate", required=True)
FCC = CertificationFacts(id="8650", name="FCC Declaration", required=False)


def pdf(source: str = "docs/cpc.pdf", error: str | None = None) -> MediaFacts:
    return MediaFacts(source=source, kind="document", size_bytes=1000, content_type="application/pdf", error=error)


def test_a_required_certification_needs_a_document() -> None:
    result = check_product(product(documents=[]), context(certifications=[CPC, FCC]))
    p = the(result, "certification_missing")
    assert (p.rule, p.field) == ("R37", "documents")
    assert "Children's Product Certificate" in p.message
    assert codes(result) == ["certification_missing"]  # FCC is optional


def test_a_document_tagged_by_name_or_id_fulfils_the_requirement() -> None:
    ctx = context(certifications=[CPC])
    by_name = [DocumentFacts(requirement="children's product certificate", media=pdf())]
    by_id = [DocumentFacts(requirement="8647", media=pdf())]
    assert check_product(product(documents=by_name), ctx).ready
    assert check_product(product(documents=by_id), ctx).ready
    image_doc = [DocumentFacts(requirement="8647", media=good_image("docs/cpc.jpg"))]
    assert check_product(product(documents=image_doc), ctx).ready


def test_a_document_tagged_with_an_unknown_requirement() -> None:
    documents = [DocumentFacts("Children's Product Certificate", pdf()), DocumentFacts("CE mark", pdf("ce.pdf"))]
    result = check_product(product(documents=documents), context(certifications=[CPC]))
    p = the(result, "document_requirement_unknown")
    assert (p.field, p.value) == ("documents[1]", "CE mark")
    assert "Children's Product Certificate" in p.fix
    assert codes(result) == ["document_requirement_unknown"]


def test_an_unreadable_or_wrong_document_is_reported() -> None:
    documents = [DocumentFacts(CPC.name, pdf(error="HTTP 404")),
                 DocumentFacts(CPC.name, MediaFacts("docs/cpc.docx", "document", content_type=None))]
    result = check_product(product(documents=documents), context(certifications=[CPC]))
    assert codes(result) == ["document_unreadable", "document_format_unsupported"]
    assert "HTTP 404" in the(result, "document_unreadable").message


# R39 ---------------------------------------------------------------------------------------------------------

def child(sku: str, **sales: str) -> ProductFacts:
    return product(seller_sku=sku, parent_sku="TEE", sales_attributes=sales, identifiers={})


def parent(**overrides: object) -> ProductFacts:
    """A parent carries no price, weight, dimensions or identifier of its own."""
    fields: dict[str, object] = {
        "seller_sku": "TEE", "price": None, "currency": None, "weight": None, "weight_unit": None,
        "length": None, "width": None, "height": None, "dimension_unit": None, "identifiers": {},
    }
    fields.update(overrides)
    return product(**fields)


def judged(children: list[ProductFacts], ctx: Context) -> list[tuple[ProductFacts, Readiness]]:
    return [(c, check_product(c, ctx)) for c in children]


def test_a_matrix_parent_with_ready_children_is_ready_without_price_or_weight() -> None:
    ctx = context()
    kids = judged([child("TEE-RED-M", Color="Red", Size="M"), child("TEE-BLUE-M", Color="Blue", Size="M")], ctx)
    result = check_product(parent(), ctx, kids)
    assert result.ready and result.identifier is None
    alone = check_product(parent(), ctx)  # the same product without children is a simple product
    assert {"price_missing", "weight_missing", "dimension_missing"} <= set(codes(alone))


def test_a_parent_ignores_its_own_identifiers() -> None:
    ctx = context()
    kids = judged([child("TEE-RED-M", Color="Red", Size="M")], ctx)
    result = check_product(parent(identifiers={"UPC": "123"}), ctx, kids)
    assert result.ready and result.identifier is None


def test_more_children_than_the_setting_allows() -> None:
    ctx = context(max_children=3)
    kids = judged([child(f"TEE-{i}", Color=f"C{i}", Size="M") for i in range(4)], ctx)
    result = check_product(parent(), ctx, kids)
    p = the(result, "too_many_children")
    assert (p.rule, p.value) == ("R39", "4")
    assert codes(result) == ["too_many_children"]
    assert check_product(parent(), ctx, kids[:3]).ready


def test_a_child_that_is_not_ready_is_named_with_its_problems() -> None:
    ctx = context()
    broken = product(seller_sku="TEE-RED-M", parent_sku="TEE", sales_attributes={"Color": "Red", "Size": "M"},
                     price=None, weight=Decimal(0), identifiers={"UPC": VALID_UPC[:-1] + "0"})
    ok = child("TEE-BLUE-M", Color="Blue", Size="M")
    result = check_product(parent(), ctx, judged([broken, ok], ctx))
    p = the(result, "child_not_ready")
    assert (p.rule, p.child_sku, p.value) == ("R39", "TEE-RED-M", "TEE-RED-M")
    assert "price_missing, weight_not_positive, identifier_check_digit_invalid" in p.message


def test_every_child_needs_each_sales_attribute_the_matrix_varies_by() -> None:
    ctx = context()
    kids = judged([child("TEE-RED-M", Color="Red", Size="M"), child("TEE-BLUE", Color="Blue")], ctx)
    result = check_product(parent(), ctx, kids)
    p = the(result, "child_sales_attribute_missing")
    assert (p.child_sku, p.field) == ("TEE-BLUE", "sales_attributes.Size")
    assert codes(result) == ["child_sales_attribute_missing"]


def test_a_matrix_may_vary_by_fewer_sales_attributes_than_the_category_lists() -> None:
    ctx = context()  # the category lists Color and Size
    kids = judged([child("TEE-RED", Color="Red"), child("TEE-BLUE", Color="Blue")], ctx)
    assert check_product(parent(), ctx, kids).ready


def test_variations_without_any_sales_attribute_cannot_be_told_apart() -> None:
    ctx = context()
    kids = judged([child("TEE-A"), child("TEE-B")], ctx)
    result = check_product(parent(), ctx, kids)
    assert (the(result, "matrix_without_sales_attributes").rule, result.ready) == ("R39", False)


def test_two_children_with_the_same_combination() -> None:
    ctx = context()
    kids = judged([child("TEE-RED-M", Color="Red", Size="M"), child("TEE-RED-M2", color="red", size="5002"),
                   child("TEE-BLUE-M", Color="Blue", Size="M")], ctx)
    result = check_product(parent(), ctx, kids)
    p = the(result, "child_sales_combination_duplicate")
    assert "TEE-RED-M, TEE-RED-M2" in p.message
    assert codes(result) == ["child_sales_combination_duplicate"]


def test_with_matrix_images_each_child_needs_its_own_main_image() -> None:
    ctx = context(shop=shop(send_matrix_image=True))
    no_image = product(seller_sku="TEE-RED-M", parent_sku="TEE", sales_attributes={"Color": "Red", "Size": "M"},
                       main_image=None, gallery=[good_image()], identifiers={"EAN": VALID_EAN13})
    kids = [(no_image, Readiness("TEE-RED-M", SHOP_ID, True, (), None, None))]
    result = check_product(parent(), ctx, kids)
    p = the(result, "child_main_image_missing")
    assert (p.rule, p.child_sku) == ("R39", "TEE-RED-M")
    assert check_product(parent(), context(), kids).ready  # matrix images off: not required
