"""R3 warnings before the authorisation ends, the webhook address registered at connect, R6 rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from services.auth.domain import expiry_warning
from services.auth.secrets_box import SecretBox, SecretBoxError
from services.auth.settings import AuthSettings

NOW = datetime(2025, 1, 1, tzinfo=UTC)
WEEK = 7 * 86_400


def test_no_warning_while_the_refresh_token_outlives_the_window():
    assert expiry_warning(NOW + timedelta(days=8), now=NOW, window_s=WEEK) is None
    assert expiry_warning(None, now=NOW, window_s=WEEK) is None


def test_warning_inside_the_window_says_when_and_what_to_do():
    warning = expiry_warning(NOW + timedelta(days=2), now=NOW, window_s=WEEK)
    assert warning is not None
    assert "2025-01-03T00:00:00+00:00" in warning and "in 2.0 days" in warning and "ttshop shops connect" in warning


def test_webhook_address_defaults_to_the_service_port_and_can_be_turned_off():
    assert AuthSettings(port=8101).webhook_address() == "http://127.0.0.1:8101/webhooks/tiktok"
    assert AuthSettings(port=0).webhook_address() is None  # no fixed port: nothing sensible to register
    assert AuthSettings(port=8101, public_webhook_url="").webhook_address() is None
    assert AuthSettings(public_webhook_url="https://hooks.example/tt").webhook_address() == "https://hooks.example/tt"


def test_rotate_re_encrypts_with_the_first_key_only():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    blob = SecretBox(SecretStr(old)).encrypt(SecretStr("TTP_secret"))
    rotated = SecretBox(SecretStr(f"{new},{old}")).rotate(blob)
    assert SecretBox(SecretStr(new)).decrypt(rotated).get_secret_value() == "TTP_secret"
    with pytest.raises(SecretBoxError):
        SecretBox(SecretStr(old)).decrypt(rotated)
    with pytest.raises(SecretBoxError):  # a key list without the old key cannot rotate: clear error
        SecretBox(SecretStr(new)).rotate(blob)
