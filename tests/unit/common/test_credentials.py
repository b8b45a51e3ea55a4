"""Named credentials (issue 12): each caller its own secret, compared in constant time, refused
without echoing what was presented."""

from __future__ import annotations

import httpx
import pytest
import structlog
from fastapi import FastAPI, Request
from pydantic import SecretStr, ValidationError

from libs.common.credentials import Credentials, CredentialsInvalid, Refusal
from libs.common.settings import ServiceSettings
from libs.common.web import check_internal_credential, install_error_handlers, protect_admin_api
from services.auth.settings import AuthSettings

CLI = "cli-secret-0123456789abcdef"
CONSOLE = "console-secret-0123456789ab"


def test_each_caller_is_known_by_its_own_secret() -> None:
    creds = Credentials.parse(SecretStr(f"cli={CLI}, console={CONSOLE}"), setting="ADMIN_API_CREDENTIALS")
    assert creds is not None and creds.names == ("cli", "console")
    assert creds.identify(f"Bearer {CLI}") == "cli"
    assert creds.identify(f"Bearer {CONSOLE}") == "console"
    assert creds.identify(f"Bearer {CLI}x") == Refusal("unknown")
    assert creds.identify(f"Bearer {CLI[:-1]}") == Refusal("unknown")
    assert creds.identify(CLI) == Refusal("not_bearer")
    assert creds.identify(None) == Refusal("absent")
    assert creds.identify("") == Refusal("absent")


def test_only_digests_are_kept() -> None:
    creds = Credentials.parse(f"cli={CLI}", setting="X")
    assert creds is not None
    assert CLI not in repr(creds) and CLI.encode() not in b"".join(d for _, d in creds.entries)


@pytest.mark.parametrize(("value", "says"), [
    ("cli", "entry 1 must be name=secret"),
    (f"CLI={CLI}", "entry 1 must be name=secret"),
    (f"cli={CLI},console=short", "'console' is shorter than 16"),
    (f"cli={CLI},cli={CONSOLE}", "'cli' is given twice"),
    (f"cli={CLI},console={CLI}", "share one secret"),
])
def test_unusable_settings_are_refused_without_showing_a_secret(value: str, says: str) -> None:
    with pytest.raises(CredentialsInvalid, match=says) as caught:
        Credentials.parse(value, setting="ADMIN_API_CREDENTIALS")
    assert CLI not in str(caught.value) and CONSOLE not in str(caught.value)


def test_settings_refuse_unusable_credentials_at_start() -> None:
    with pytest.raises(ValidationError, match="ADMIN_API_CREDENTIALS: entry 1"):
        ServiceSettings(admin_api_credentials="just-a-shared-token-without-a-name")
    with pytest.raises(ValidationError, match="AUTH_INTERNAL_CREDENTIALS"):
        AuthSettings(internal_credentials="orders=short")
    assert Credentials.parse(None, setting="X") is None and Credentials.parse(" ", setting="X") is None


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    protect_admin_api(app, Credentials.parse(f"cli={CLI},console={CONSOLE}", setting="ADMIN_API_CREDENTIALS"))
    internal = Credentials.parse(f"orders={CLI}z,catalog={CONSOLE}z", setting="AUTH_INTERNAL_CREDENTIALS")

    @app.get("/shops")
    async def shops(request: Request) -> dict[str, str]:
        return {"caller": request.state.caller}

    @app.get("/internal/token")
    async def token(request: Request) -> dict[str, str]:
        return {"caller": check_internal_credential(internal, request)}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def test_admin_and_internal_gates_name_the_caller_and_log_refusals_without_the_secret() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/shops", headers={"Authorization": f"Bearer {CLI}"})).json() == {"caller": "cli"}
        assert (await http.get("/shops", headers={"Authorization": f"Bearer {CONSOLE}"})).json()["caller"] == "console"
        ok = await http.get("/internal/token", headers={"Authorization": f"Bearer {CONSOLE}z"})
        assert ok.json() == {"caller": "catalog"}
        with structlog.testing.capture_logs() as logs:
            presented = "Bearer guessed-secret-value-123456"
            refused = await http.get("/shops", headers={"Authorization": presented})
            # the admin secret is not a service credential: the internal endpoint has its own callers
            crossed = await http.get("/internal/token", headers={"Authorization": f"Bearer {CLI}"})
            absent = await http.get("/shops")
    assert refused.status_code == crossed.status_code == absent.status_code == 401
    refusals = [e for e in logs if e["event"] == "credential.refused"]
    assert [(e["reason"], e["path"], e["setting"]) for e in refusals] == [
        ("unknown", "/shops", "ADMIN_API_CREDENTIALS"),
        ("unknown", "/internal/token", "AUTH_INTERNAL_CREDENTIALS"),
        ("absent", "/shops", "ADMIN_API_CREDENTIALS"),
    ]
    text = repr(logs) + refused.text + crossed.text
    assert "guessed-secret-value" not in text and CLI not in text


async def test_no_internal_credentials_configured_answers_503() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/internal/token")
    async def token(request: Request) -> dict[str, str]:
        return {"caller": check_internal_credential(None, request)}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as http:
        answer = await http.get("/internal/token", headers={"Authorization": f"Bearer {CLI}"})
    assert answer.status_code == 503 and "AUTH_INTERNAL_CREDENTIALS" in answer.text
