"""`ttshop demo`: the events it publishes honour the contract, the product file it builds reads as a product
the catalog can post (a valid UPC, required attributes, images that pass R33), and a failure names its step."""

from __future__ import annotations

import io
import json
import uuid

import pytest

from libs.cli.demo import SHIPMENTS_TOPIC, DemoFailed, shipment_created_event
from libs.cli.demo_listing import (
    INVENTORY_TOPIC,
    demo_upc,
    gs1_check_digit,
    inventory_changed_event,
    pick_leaf,
    product_file,
    quantities,
    required_documents,
    required_values,
    square_image,
    tiktok_sku,
    wait_for,
)
from libs.cli.infra import free_port
from libs.common.events import TYPES_BY_TOPIC, InventoryChanged, ShipmentCreated, parse_event
from libs.common.product_file import read_rows

from .conftest import flat, invoke


def test_demo_shipment_event_is_a_valid_shipment_created() -> None:
    event = shipment_created_event("7494049642642441621", "576486316948490001", "9400111", ["li-1", "li-2"])
    envelope, data = parse_event(json.dumps(event).encode(), expected_types=TYPES_BY_TOPIC[SHIPMENTS_TOPIC])
    assert isinstance(data, ShipmentCreated)
    assert (data.order_id, data.tracking_number, data.carrier) == ("576486316948490001", "9400111", "USPS")
    assert data.line_item_ids == ["li-1", "li-2"]
    assert envelope.subject == "576486316948490001" and envelope.shopid == "7494049642642441621"
    # a fresh id per event: consumers deduplicate on it
    assert shipment_created_event("s", "o", "t", [])["id"] != event["id"]


def test_demo_names_the_failing_step_when_the_stack_is_not_running(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("SANDBOX_URL", url)
    result = invoke(["demo", "--timeout", "2"])
    out = flat(result.output)
    assert result.exit_code == 1, out  # failed: not reachable (2 is for usage errors)
    assert "step 'create a seller on the TikTok sandbox' failed" in out
    assert f"sandbox service not reachable at {url}" in out


# --- the listing act (demo_listing.py) ------------------------------------------------------------------

LEAF_ATTRIBUTES = [
    {"name": "Color", "type": "SALES_PROPERTY", "required": False, "values": [{"id": "1", "name": "Black"}]},
    {"name": "Material", "type": "PRODUCT_PROPERTY", "required": True,
     "values": [{"id": "2", "name": "Cotton"}, {"id": "3", "name": "Glass"}]},
    {"name": "Warranty period", "type": "PRODUCT_PROPERTY", "required": True,
     "values": [{"id": "4", "name": "No warranty"}]},
    {"name": "Author", "type": "PRODUCT_PROPERTY", "required": True, "values": []},
    {"name": "Room", "type": "PRODUCT_PROPERTY", "required": False, "values": [{"id": "5", "name": "Bedroom"}]},
]


def test_demo_upc_has_twelve_digits_and_the_gs1_check_digit_the_catalog_expects() -> None:
    assert gs1_check_digit("03600029145") == 2  # UPC-A 036000291452
    assert gs1_check_digit("00000000000") == 0
    for seed in (0, 7, 123456789, uuid.uuid4().int):
        upc = demo_upc(seed)
        assert len(upc) == 12 and upc.isdigit()
        assert int(upc[-1]) == gs1_check_digit(upc[:-1])
    assert demo_upc(1) != demo_upc(2)


def test_the_demo_picks_an_available_leaf_and_a_value_for_each_required_product_attribute() -> None:
    tree = [{"id": "1", "is_leaf": False, "permission": "AVAILABLE"},
            {"id": "2", "is_leaf": True, "permission": "INVITE_ONLY"},
            {"id": "3", "is_leaf": True, "permission": "AVAILABLE"}]
    assert pick_leaf(tree) == tree[2] and pick_leaf(tree[:2]) is None
    assert required_values(LEAF_ATTRIBUTES) == {
        "Material": ["Glass"], "Warranty period": ["No warranty"], "Author": ["Custom"]}
    details = {"certifications": [{"name": "FCC", "is_required": True}, {"name": "UL", "is_required": False}]}
    assert required_documents(details) == ["FCC"] and required_documents({"certifications": []}) == []


def test_the_demo_product_file_reads_as_one_ready_looking_product_with_its_images() -> None:
    from services.catalog.products.sheet import parse_row

    sku, upc = "DEMO-CANDLE-0A1B2C3D", demo_upc(42)
    name, data, media = product_file(sku, "1000178", {"Material": ["Glass"]}, upc)
    assert name.endswith(".csv")
    sheet = read_rows(data, name)
    assert not sheet.problems and len(sheet.rows) == 1
    change, problems = parse_row(sheet.rows[0])
    assert not problems and change is not None and change.seller_sku == sku
    values = change.values
    for needed in ("title", "description", "price", "currency", "enabled", "category_id", "weight", "weight_unit",
                   "length", "width", "height", "dimension_unit", "main_image", "images", "attributes"):
        assert values.get(needed) not in (None, "", [], {}), needed
    assert values["enabled"] is True and values["category_id"] == "1000178" and values["currency"] == "USD"
    assert len(values["title"]) >= 25  # TikTok warns below that
    assert values["identifiers"] == {"UPC": upc}
    assert values["attributes"] == {"Material": ["Glass"]}
    assert (values["weight_unit"], values["dimension_unit"]) == ("KILOGRAM", "CENTIMETER")
    named = {values["main_image"].source, *(i.source for i in values["images"])}
    assert named == set(media) and len(media) == 2  # every path the file names is sent, nothing else
    assert len(set(media.values())) == 2  # two different images (main + gallery)


def test_the_demo_images_pass_the_image_rules() -> None:
    from PIL import Image

    data = square_image((10, 20, 30))
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.width == image.height >= 600  # R33: square, 600 px or more
    assert len(data) < 5 * 1024 * 1024


def test_demo_inventory_event_is_a_valid_inventory_changed_for_the_default_warehouse() -> None:
    event = inventory_changed_event("7494049642642441621", "DEMO-CANDLE-1", 37)
    envelope, data = parse_event(json.dumps(event).encode(), expected_types=TYPES_BY_TOPIC[INVENTORY_TOPIC])
    assert isinstance(data, InventoryChanged)
    assert (data.seller_sku, data.available, data.shop_id) == ("DEMO-CANDLE-1", 37, "7494049642642441621")
    assert data.warehouse_id is None  # the shop's default warehouse
    assert envelope.subject == "DEMO-CANDLE-1" and envelope.shopid == "7494049642642441621"
    assert inventory_changed_event("s", "k", 1)["id"] != event["id"]


def test_the_demo_finds_a_sku_and_its_quantity_per_warehouse_in_the_sandbox_view() -> None:
    products = [{"id": "p1", "skus": [{"seller_sku": "A", "inventory": []}]},
                {"id": "p2", "skus": [{"seller_sku": "B", "inventory": [{"warehouse_id": "w1", "quantity": 5}]}]}]
    found = tiktok_sku(products, "B")
    assert found is not None and found[0]["id"] == "p2" and quantities(found[1]) == {"w1": 5}
    assert tiktok_sku(products, "C") is None and quantities(products[0]["skus"][0]) == {}


async def test_waiting_in_the_demo_fails_naming_what_did_not_happen() -> None:
    async def fetch() -> dict[str, str]:
        return {"status": "running"}

    with pytest.raises(DemoFailed, match=r"job j1 did not finish within 0s \(last seen: .*running"):
        await wait_for(fetch, lambda j: j["status"] == "done", 0.0, "job j1 did not finish", every_s=0.001)
