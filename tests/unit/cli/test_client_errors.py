"""How admin-API failures reach the operator: message, code and exit status."""

from __future__ import annotations

import json
import os
import stat

import httpx
from typer.testing import CliRunner

from libs.cli.client import CliState
from libs.cli.devenv import dev_env_path, read_dev_env, service_url, write_dev_env
from libs.cli.infra import free_port
from libs.cli.main import app

from .conftest import FakeApi, flat, invoke


def test_api_error_body_is_shown_as_message_and_code() -> None:
    api = FakeApi(
        lambda r: httpx.Response(404, json={"error": {"code": "SHOP_NOT_FOUND", "message": "no shop S9"}})
    )
    result = invoke(["shops", "show", "S9"], api)
    assert result.exit_code == 1
    assert "Error: no shop S9 (SHOP_NOT_FOUND)" in flat(result.stderr)
    assert result.stdout == ""


def test_error_without_the_error_body_still_names_the_status() -> None:
    api = FakeApi(lambda r: httpx.Response(502, text="<html>bad gateway</html>"))
    result = invoke(["orders", "list"], api)
    assert result.exit_code == 1
    assert "orders service: <html>bad gateway</html> (HTTP 502)" in flat(result.stderr)


def test_connection_refused_says_which_service_and_where() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = invoke(["shops", "list"], env={"AUTH_URL": url})
    assert result.exit_code == 1  # failed (2 is for usage errors)
    assert f"Error: auth service not reachable at {url} — is `ttshop dev` running?" in flat(result.stderr)


def test_json_flag_prints_the_raw_body() -> None:
    body = [{"shop_id": "S1", "name": "Mugs", "settings": {"allow_order_download": True}}]
    result = invoke(["--json", "shops", "list"], FakeApi(lambda r: httpx.Response(200, json=body)))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == body


def test_shops_list_table_shows_switches_that_are_on() -> None:
    body = {"shops": [{"shop_id": "S1", "name": "Mugs", "region": "US", "status": "ACTIVE",
                       "settings": {"allow_order_download": True, "allow_price_upload": False}}]}
    result = invoke(["shops", "list"], FakeApi(lambda r: httpx.Response(200, json=body)))
    out = flat(result.stdout)
    assert result.exit_code == 0
    assert "1 shop(s)" in out and "allow_order_download" in out and "allow_price_upload" not in out


def test_shops_test_lists_problems_and_fails() -> None:
    body = {"ok": False, "problems": [{"code": "TAX_ID_MISMATCH", "message": "tax id differs from TikTok"}]}
    result = invoke(["shops", "test", "S1"], FakeApi(lambda r: httpx.Response(200, json=body)))
    assert result.exit_code == 1
    assert "tax id differs from TikTok (TAX_ID_MISMATCH)" in flat(result.stdout)


def test_admin_token_from_dev_env_is_sent_but_never_printed() -> None:
    write_dev_env({"AUTH_URL": "http://auth.test:9", "ADMIN_API_TOKEN": "s3cret-token"})
    api = FakeApi(lambda r: httpx.Response(401, json={"error": {"code": "UNAUTHORIZED", "message": "bad token"}}))
    result = CliRunner().invoke(app, ["shops", "list"], obj=CliState(transport=httpx.MockTransport(api)))
    assert api.requests[0].url.host == "auth.test"
    assert api.requests[0].headers["authorization"] == "Bearer s3cret-token"
    assert "s3cret-token" not in result.output


def test_dev_env_is_private_and_environment_wins() -> None:
    path = write_dev_env({"ORDERS_URL": "http://127.0.0.1:9103/", "ADMIN_API_TOKEN": "t"})
    assert path == dev_env_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_dev_env()["ORDERS_URL"] == "http://127.0.0.1:9103/"
    assert service_url("orders", env={}) == "http://127.0.0.1:9103"
    assert service_url("orders", env={"ORDERS_URL": "http://x:1"}) == "http://x:1"
    assert service_url("fulfillment", env={}) == "http://127.0.0.1:8104"


def test_orders_list_passes_only_the_given_filters() -> None:
    api = FakeApi(lambda r: httpx.Response(200, json={"orders": []}))
    result = invoke(["orders", "list", "--shop", "S1", "--channel", "TikTok Shop", "--limit", "5"], api)
    assert result.exit_code == 0, result.output
    assert dict(api.requests[0].url.params) == {"shop": "S1", "channel": "TikTok Shop", "limit": "5"}


def test_orders_show_lists_lines_with_quantities_and_line_item_ids() -> None:
    order = {
        "order_id": "O1", "shop_id": "S1", "status": "AWAITING_SHIPMENT", "channel": "TikTok Shop",
        "lines": [{"seller_sku": "TEE-M", "sku_id": "K1", "quantity": 3, "unit_price": "19.99",
                   "line_item_ids": ["L1", "L2", "L3"]}],
        "totals": {"total_amount": "59.97"}, "notes": ["gift wrap"], "recipient": {"name": "Ann", "city": "Austin"},
    }
    result = invoke(["orders", "show", "O1"], FakeApi(lambda r: httpx.Response(200, json=order)))
    out = flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert "TEE-M K1 3 19.99 L1, L2, L3" in out
    assert "59.97" in out and "gift wrap" in out and "Austin" in out


def test_shipments_list_asks_fulfillment_for_the_order() -> None:
    body = [{"shipment_id": "W1", "carrier": "USPS", "tracking_number": "9400", "status": "uploaded"}]
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["shipments", "list", "--order", "O1"], api, env={"FULFILLMENT_URL": "http://ful.test"})
    assert result.exit_code == 0, result.output
    assert (api.requests[0].url.host, api.requests[0].url.path) == ("ful.test", "/shipments")
    assert api.requests[0].url.params["order_id"] == "O1"
    assert "W1 USPS 9400 uploaded" in flat(result.stdout)


def test_connect_shows_every_shop_the_authorization_covered() -> None:
    body = {"shops": [{"shop_id": "S1", "name": "Mugs US"}, {"shop_id": "S2", "name": "Mugs UK"}]}
    api = FakeApi(lambda r: httpx.Response(201, json=body))
    result = invoke(["shops", "connect", "--auth-code", "AC1", "--tax-id", "T-9", "--name", "Mugs"], api)
    assert result.exit_code == 0, result.output
    assert api.bodies() == [{"auth_code": "AC1", "tax_id": "T-9", "name": "Mugs"}]
    assert "Connected shop S1 Mugs US" in flat(result.stdout) and "Connected shop S2 Mugs UK" in flat(result.stdout)


def test_local_secrets_are_generated_once_kept_private_and_overridable() -> None:
    from libs.cli.devenv import local_secrets

    first = local_secrets(env={})
    assert local_secrets(env={}) == first  # the same key on the next run: stored tokens stay readable
    path = dev_env_path().with_name("secrets.env")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert local_secrets(env={"AUTH_ENCRYPTION_KEYS": "k1,k2"})["AUTH_ENCRYPTION_KEYS"] == "k1,k2"
