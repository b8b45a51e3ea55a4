"""The audit trail names who asked (issue 15): each admin API caller has its own credential (an operator
signed in to the console presents theirs), and the entries their requests write say ``by`` whom."""

from __future__ import annotations

import httpx
import pytest

from services.auth.app import build_app
from services.auth.settings import AuthSettings
from tests.support.servers import serve_app
from tests.support.stack import sandbox, shared_settings

pytestmark = pytest.mark.integration


async def test_each_audit_entry_an_admin_caller_caused_names_them(pg_dsn, kafka_bootstrap, sandbox_url, internal_token,
                                                                   encryption_key, unique):
    ann, bob = f"ann-{unique}-0123456789abcdef", f"bob-{unique}-0123456789abcdef"
    settings = AuthSettings(
        **shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                          internal_token=internal_token),
        encryption_keys=encryption_key, port=0, admin_api_credentials=f"ann={ann},bob={bob}",
    )
    async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        seller = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={"name": f"Audit {unique}"})
        as_ann, as_bob = ({"Authorization": f"Bearer {ann}"}, {"Authorization": f"Bearer {bob}"})
        connected = await http.post(f"{auth}/shops/connect", headers=as_ann,
                                    json={"auth_code": seller["auth_code"], "tax_id": f"TAX{unique}"})
        assert connected.status_code == 201, connected.text
        shop_id = seller["shop_id"]
        changed = await http.patch(f"{auth}/shops/{shop_id}/settings", headers=as_bob, json={"auto_post": True})
        assert changed.status_code == 200, changed.text
        trail = (await http.get(f"{auth}/shops/{shop_id}", headers=as_ann)).json()["audit"]
    by_action = {(entry["action"], entry["detail"].get("by")) for entry in trail}
    assert ("connect", "ann") in by_action and ("settings", "bob") in by_action
    settings_entry = next(e for e in trail if e["action"] == "settings")
    assert settings_entry["detail"]["changed"] and ann not in str(trail) and bob not in str(trail)
