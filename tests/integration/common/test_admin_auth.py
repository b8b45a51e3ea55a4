"""With ADMIN_API_CREDENTIALS set, a service's admin API is open only to its named callers (each with its
own secret); health stays open."""

from __future__ import annotations

import httpx
import pytest

from services.catalog.app import build_app
from services.catalog.settings import CatalogSettings
from tests.support.servers import serve_app
from tests.support.stack import shared_settings

pytestmark = pytest.mark.integration


async def test_admin_api_needs_one_of_its_callers_credentials(pg_dsn, kafka_bootstrap, sandbox_url, internal_token,
                                                              unique):
    cli, console = f"cli-{unique}-0123456789", f"console-{unique}-0123456789"
    settings = CatalogSettings(
        **shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                          internal_token=internal_token),
        admin_api_credentials=f"cli={cli},console={console}", consumer_group=f"g-{unique}", port=0,
    )
    async with serve_app(build_app(settings)) as url, httpx.AsyncClient() as http:
        assert (await http.get(f"{url}/healthz")).status_code == 200
        assert (await http.get(f"{url}/readyz")).status_code == 200
        refused = await http.get(f"{url}/inventory/SKU-1")
        assert refused.status_code == 401 and "ADMIN_API_TOKEN" in refused.json()["error"]["message"]
        wrong = await http.get(f"{url}/inventory/SKU-1", headers={"Authorization": f"Bearer {cli}0"})
        assert wrong.status_code == 401
        for name, secret in (("cli", cli), ("console", console)):
            allowed = await http.get(f"{url}/inventory/SKU-1", headers={"Authorization": f"Bearer {secret}"})
            assert allowed.status_code == 404  # past the gate: nothing received for that SKU yet
            who = await http.get(f"{url}/whoami", headers={"Authorization": f"Bearer {secret}"})
            assert who.json() == {"caller": name, "service": "catalog"}  # how the console checks a sign-in
        assert (await http.get(f"{url}/whoami")).status_code == 401
