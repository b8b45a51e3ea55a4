"""R1 tax-ID limit, R5 switch validation, R6 encryption at rest: pure rules."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from libs.common.events.shops import ShopSwitches
from services.auth.domain import DomainError, Shop, TaxIdLimitReached, apply_settings, check_tax_id_capacity
from services.auth.secrets_box import SecretBox, SecretBoxError


def _shops(n: int) -> list[Shop]:
    return [Shop(shop_id=f"S{i}", name=f"shop {i}", tax_id="T1") for i in range(n)]


def test_fifth_shop_allowed_sixth_refused_with_names():
    check_tax_id_capacity("T1", _shops(4), ["S-new"], 5)
    with pytest.raises(TaxIdLimitReached) as err:
        check_tax_id_capacity("T1", _shops(5), ["S-new"], 5)
    assert "T1" in err.value.message and "shop 0 (S0)" in err.value.message and "shop 4 (S4)" in err.value.message


def test_reconnecting_a_shop_already_on_the_tax_id_is_not_a_new_shop():
    check_tax_id_capacity("T1", _shops(5), ["S3"], 5)


def test_switches_default_off_except_brand_info():
    s = ShopSwitches()
    assert not s.allow_order_download and not s.allow_tracking_upload and s.send_brand_info
    assert s.identifier_priority == ["UPC", "EAN", "GTIN", "ISBN"]


def test_apply_settings_changes_only_given_switches():
    new = apply_settings(ShopSwitches(), {"allow_order_download": True, "identifier_priority": ["GTIN", "UPC"]})
    assert new.allow_order_download and not new.allow_tracking_upload
    assert new.identifier_priority == ["GTIN", "UPC"]


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({}, "no setting given"),
        ({"allow_everything": True}, "unknown setting"),
        ({"allow_order_download": "yes"}, "must be true or false"),
        ({"identifier_priority": ["UPC", "UPC"]}, "must not repeat"),
        ({"identifier_priority": ["SKU"]}, "identifier_priority"),
    ],
)
def test_apply_settings_rejects_bad_input_with_a_clear_message(patch, needle):
    with pytest.raises(DomainError) as err:
        apply_settings(ShopSwitches(), patch)
    assert needle in err.value.message


def test_secret_box_round_trip_rotation_and_no_plaintext():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    blob = SecretBox(SecretStr(old)).encrypt(SecretStr("tok-123456"))
    assert b"tok-123456" not in blob
    rotated_box = SecretBox(SecretStr(f"{new},{old}"))
    assert rotated_box.decrypt(blob).get_secret_value() == "tok-123456"
    rotated = rotated_box.rotate(blob)
    assert SecretBox(SecretStr(new)).decrypt(rotated).get_secret_value() == "tok-123456"
    with pytest.raises(SecretBoxError):
        SecretBox(SecretStr(new)).decrypt(blob)
    with pytest.raises(SecretBoxError, match="AUTH_ENCRYPTION_KEYS"):
        SecretBox(None)
    assert "tok" not in repr(rotated_box)


def test_the_inventory_buffer_and_threshold_are_settings_with_their_ranges() -> None:
    """R46: N units or P% (0-100); the threshold a whole number; anything else names the setting."""
    current = ShopSwitches()
    changed = apply_settings(current, {"inventory_buffer": "10%", "out_of_stock_threshold": 2})
    assert (changed.inventory_buffer, changed.out_of_stock_threshold) == ("10%", 2)
    assert apply_settings(current, {"inventory_buffer": "5"}).inventory_buffer == "5"
    for bad in ("101%", "abc", "-1", "1.5"):
        with pytest.raises(DomainError) as err:
            apply_settings(current, {"inventory_buffer": bad})
        assert "inventory_buffer" in str(err.value.message)
    with pytest.raises(DomainError):
        apply_settings(current, {"out_of_stock_threshold": -1})
