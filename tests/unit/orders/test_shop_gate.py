"""The one gate "may orders be downloaded for this shop now" (jobs, poll, webhooks, settlements) and what a
webhook does with a shop that is only waiting to be authorised again."""

from __future__ import annotations

import pytest

from libs.common.refusals import Conflict
from services.orders.shops.domain import Shop, authorisation_refusal, download_refusal, require_downloads


def shop(*, allow: bool = True, status: str = "active") -> Shop:
    return Shop("S1", allow_order_download=allow, query_order_status_change=True, publish_on_hold_orders=False,
                status=status)


def test_an_active_shop_with_download_on_downloads_orders() -> None:
    assert download_refusal(shop(), "S1") is None and shop().downloads_orders
    assert require_downloads(shop(), "S1") == shop()


@pytest.mark.parametrize(("found", "code", "says"), [
    (None, "shop_unknown", "no ShopConnected event seen"),
    (shop(allow=False), "order_download_off", "turn on allow_order_download"),
    (shop(status="needs_reauthorization"), "shop_not_active", "shop S1 is needs_reauthorization; reconnect it first"),
    (shop(status="disconnected"), "shop_not_active", "shop S1 is disconnected"),
])
def test_every_other_shop_is_refused_saying_why(found: Shop | None, code: str, says: str) -> None:
    refused = download_refusal(found, "S1")
    assert refused is not None and (refused.code, says in refused.message) == (code, True)
    assert found is None or not found.downloads_orders
    with pytest.raises(Conflict) as raised:
        require_downloads(found, "S1")
    assert raised.value.code == code


def test_only_a_shop_that_may_be_authorised_again_is_waited_for() -> None:
    assert shop(status="needs_reauthorization").awaiting_authorization
    assert not shop(status="disconnected").awaiting_authorization
    assert not shop(allow=False, status="needs_reauthorization").awaiting_authorization
    assert not shop().awaiting_authorization


def test_a_cancel_or_refund_needs_an_authorised_shop_naming_the_order() -> None:
    assert authorisation_refusal(shop(allow=False), "S1", of=" of order O1") is None
    refused = authorisation_refusal(None, "S1", of=" of order O1")
    assert refused is not None and refused.message == "shop S1 of order O1 is unknown; reconnect it first"
