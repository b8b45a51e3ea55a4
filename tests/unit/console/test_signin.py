"""Sign-in, sessions and CSRF of the console: no page or action without a live session."""

from __future__ import annotations

import httpx
import pytest

from libs.console.sessions import COOKIE, SessionStore, SignInThrottle
from libs.console.signin.pages import OPEN, WRONG, safe_next
from tests.unit.console.conftest import CREDENTIAL, FakeServices, console_client, signed_in

SHOPS = {"shops": [{"shop_id": "7001", "name": "demo", "region": "US", "status": "active",
                    "access_token_expires_at": "2030-01-01T00:00:00+00:00",
                    "settings": {"allow_order_download": True, "allow_tracking_upload": False}}]}


@pytest.mark.parametrize("path", ["/shops", "/shops/7001", "/shops/table"])
async def test_a_page_without_a_session_goes_to_sign_in(fake: FakeServices, path: str) -> None:
    async with console_client(fake) as client:
        answer = await client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=")
    assert not fake.made("auth", "GET", "/shops")


async def test_an_htmx_request_without_a_session_is_told_where_to_sign_in(fake: FakeServices) -> None:
    async with console_client(fake) as client:
        answer = await client.get("/shops/table", headers={"hx-request": "true"})
    assert answer.status_code == 401 and answer.headers["hx-redirect"].startswith("/signin")


async def test_an_action_without_a_session_does_nothing(fake: FakeServices) -> None:
    fake.answer("auth", "PATCH", "/shops/7001/settings", {})
    async with console_client(fake) as client:
        answer = await client.post("/shops/7001/switch", data={"name": "auto_post", "value": "on", "csrf": "x"})
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    assert not fake.made("auth", "PATCH", "/shops/7001/settings")


async def test_sign_in_sets_a_strict_http_only_cookie_and_calls_as_the_operator(fake: FakeServices) -> None:
    fake.answer("auth", "GET", "/shops", SHOPS)
    async with console_client(fake) as client:
        answer = await client.post("/signin", data={"credential": CREDENTIAL, "next": "/shops"})
        cookie = answer.headers["set-cookie"]
        assert answer.status_code == 303 and answer.headers["location"] == "/shops"
        assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert CREDENTIAL not in cookie
        page = await client.get("/shops")
    assert page.status_code == 200 and "demo" in page.text and "signed in as ops" in page.text
    assert CREDENTIAL not in page.text
    [listed] = fake.made("auth", "GET", "/shops")
    assert listed.authorization == f"Bearer {CREDENTIAL}"


async def test_a_wrong_credential_is_refused_with_what_to_use(fake: FakeServices) -> None:
    async with console_client(fake) as client:
        answer = await client.post("/signin", data={"credential": "not-it", "next": "/shops"})
    assert answer.status_code == 401 and "set-cookie" not in answer.headers
    assert "ADMIN_API_CREDENTIALS" in answer.text and WRONG.split(" (")[0] in answer.text


async def test_an_open_admin_api_signs_no_one_in(fake: FakeServices) -> None:
    fake.answer("auth", "GET", "/whoami", {"caller": None, "service": "auth"})
    async with console_client(fake) as client:
        answer = await client.post("/signin", data={"credential": CREDENTIAL})
    assert answer.status_code == 401 and "set-cookie" not in answer.headers
    assert OPEN.split(",")[0] in answer.text


async def test_an_unreachable_auth_service_is_said_so(fake: FakeServices) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fake.answer("auth", "GET", "/whoami", refuse)
    async with console_client(fake) as client:
        answer = await client.post("/signin", data={"credential": CREDENTIAL})
    assert answer.status_code == 503 and "auth service not reachable at http://auth.test" in answer.text


async def test_failed_sign_ins_are_throttled(fake: FakeServices) -> None:
    async with console_client(fake, sign_in_attempts_per_minute=2) as client:
        for _ in range(2):
            assert (await client.post("/signin", data={"credential": "wrong"})).status_code == 401
        answer = await client.post("/signin", data={"credential": CREDENTIAL})
    assert answer.status_code == 429 and "Too many failed sign-ins" in answer.text
    assert len(fake.made("auth", "GET", "/whoami")) == 2


async def test_an_action_without_the_csrf_token_is_refused(fake: FakeServices) -> None:
    fake.answer("auth", "PATCH", "/shops/7001/settings", {})
    async with signed_in(fake) as client:
        missing = await client.post("/shops/7001/switch", data={"name": "auto_post", "value": "on"})
        wrong = await client.post("/shops/7001/switch", data={"name": "auto_post", "value": "on", "csrf": "nope"})
        other_site = await client.post("/shops/7001/switch", headers={"origin": "http://evil.test"},
                                       data={"name": "auto_post", "value": "on", "csrf": client.csrf})
        right = await client.post("/shops/7001/switch", data={"name": "auto_post", "value": "on", "csrf": client.csrf})
    assert [missing.status_code, wrong.status_code, other_site.status_code] == [403, 403, 403]
    assert right.status_code == 303
    [patched] = fake.made("auth", "PATCH", "/shops/7001/settings")
    assert patched.body == {"auto_post": True}


async def test_the_csrf_header_htmx_sends_is_accepted(fake: FakeServices) -> None:
    fake.answer("auth", "POST", "/shops/7001/test", {"ok": True, "problems": []})
    async with signed_in(fake) as client:
        answer = await client.post("/shops/7001/test", headers={"x-csrf-token": client.csrf})
    assert answer.status_code == 303 and fake.made("auth", "POST", "/shops/7001/test")


async def test_sign_out_ends_the_session(fake: FakeServices) -> None:
    fake.answer("auth", "GET", "/shops", SHOPS)
    async with signed_in(fake) as client:
        out = await client.post("/signout", data={"csrf": client.csrf})
        after = await client.get("/shops")
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert after.status_code == 303 and after.headers["location"].startswith("/signin")


def test_sessions_end_after_idling_and_at_their_limit() -> None:
    now = [0.0]
    store = SessionStore(idle_s=10, max_s=25, clock=lambda: now[0])
    cookie, _ = store.open("secret-credential", "ops")
    now[0] = 9
    assert store.find(cookie) is not None
    now[0] = 18  # 9 s since last seen: still live
    assert store.find(cookie) is not None
    now[0] = 26  # past the absolute limit although seen 8 s ago
    assert store.find(cookie) is None
    idle, _ = store.open("secret-credential", "ops")
    now[0] = 37
    assert store.find(idle) is None
    assert store.find("made-up") is None


def test_the_throttle_forgets_failures_after_a_minute() -> None:
    now = [0.0]
    throttle = SignInThrottle(2, clock=lambda: now[0])
    throttle.failed("a")
    throttle.failed("a")
    assert throttle.wait_s("a") == pytest.approx(60) and throttle.wait_s("b") == 0
    now[0] = 59
    assert throttle.wait_s("a") == pytest.approx(1)
    now[0] = 60
    assert throttle.wait_s("a") == 0


@pytest.mark.parametrize(("target", "expected"), [
    ("/orders?shop=1", "/orders?shop=1"), ("//evil.test/x", "/shops"), ("https://evil.test", "/shops"),
    ("/\\evil.test", "/shops"), ("", "/shops"), (None, "/shops"),
])
def test_after_sign_in_only_this_console_s_pages(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected

