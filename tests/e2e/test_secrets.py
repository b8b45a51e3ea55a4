"""No secret ever leaves in a log line or an event (issue 12): the e2e flow (`ttshop demo`: a shop
connected, orders, tracking, a listing posted and its stock pushed) plus a token refresh and refused
credentials run on `ttshop dev`; then every log file of the stack and every record (value and headers)
on every topic are searched for every access token, refresh token and auth code TikTok handed out,
the app secret, every admin and service credential, the token-encryption key and the database
passwords the processes were started with; so is every page of the operator console, signed in with the
admin credential. None appears. And every line the services log is JSON
(FastStream's, aiokafka's and uvicorn's lines go through the same structlog pipeline and redaction)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from libs.cli.devenv import read_dev_env
from libs.common.settings import SANDBOX_APP_SECRET
from tests.support.devstack import Stack
from tests.support.stack import sandbox
from tests.support.topics import read_topic, topic_names

pytestmark = pytest.mark.e2e

SERVICES = ("auth", "catalog", "orders", "fulfillment")
#: environment variables whose values (or the parts of a `name=secret,…` list) are secrets
SECRET_NAME = re.compile(r"TOKEN|SECRET|CREDENTIALS|PASSWORD|ENCRYPTION_KEYS")
MIN_SECRET = 12
#: lines `ttshop dev`'s supervisor writes into a child's log between runs of it
SUPERVISOR_MARK = "--- "


def _parts(value: str) -> set[str]:
    """A secret setting's secrets: the value, or each secret of a `name=secret,…` or `k1,k2` list."""
    parts = {value}
    for item in value.split(","):
        parts.add(item.strip().rpartition("=")[2] if re.match(r"^[a-z][a-z0-9_-]*=", item.strip()) else item.strip())
    return {p for p in parts if len(p) >= MIN_SECRET}


def _process_secrets(stack: Stack) -> dict[str, str]:
    """secret → where it came from, read from the environment of every process `ttshop dev` started."""
    found: dict[str, str] = {}
    pids = stack.state_dir / "dev.pids"
    for line in pids.read_text().splitlines():
        pid = line.split("\t", 1)[0]
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for entry in environ:
            name, _, value = entry.decode(errors="replace").partition("=")
            if SECRET_NAME.search(name) and value:
                for part in _parts(value):
                    found.setdefault(part, f"{name} of pid {pid}")
    return found


async def _records(bootstrap: str) -> list[tuple[str, bytes]]:
    """(topic, key + value + headers) of every record on every topic."""
    out = []
    for topic in await topic_names(bootstrap):
        for record in await read_topic(bootstrap, topic):
            headers = b"".join(k.encode() + b"=" + (v or b"") for k, v in record.headers)
            out.append((topic, (record.key or b"") + b"\n" + (record.value or b"") + b"\n" + headers))
    return out


async def _console_pages(stack: Stack, credential: str, shop_id: str) -> dict[str, bytes]:
    """Every page of the operator console, signed in with the admin credential (issue 15), and a refused
    sign-in: place -> the HTML (and headers) it answered."""
    base = stack.url("console")
    pages: dict[str, bytes] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers={"origin": base}) as console:
        refused = await console.post("/signin", data={"credential": "not-the-secret-0"})
        assert refused.status_code == 401
        signed = await console.post("/signin", data={"credential": credential, "next": "/shops"})
        assert signed.status_code == 303, signed.text
        pages["the console's sign-in answer"] = str(signed.headers).encode()
        for path in ("/shops", f"/shops/{shop_id}", "/orders", "/listings", "/sync", "/jobs", "/dead-letters"):
            answer = await console.get(path)
            assert answer.status_code == 200 and "signed in as cli" in answer.text, path
            pages[f"console page {path}"] = answer.content + str(answer.headers).encode()
    return pages


async def test_no_secret_appears_in_any_log_line_or_event(stack: Stack) -> None:
    demo = stack.ttshop("demo", "--timeout", "60", check=False, timeout=240)
    assert demo.returncode == 0, f"{demo.stdout}\n{demo.stderr}"
    shop_id = re.search(r"sandbox shop (\d+)", demo.stdout)
    assert shop_id, demo.stdout
    stack.ttshop("shops", "refresh", shop_id.group(1))  # a second generation of tokens, refresh token used
    cli_secret = read_dev_env(stack.state_dir / "dev.env")["ADMIN_API_TOKEN"]
    async with httpx.AsyncClient(timeout=30) as http:
        for name in SERVICES:  # refused credentials are logged (without what was presented)
            refused = await http.get(f"{stack.url(name)}/shops", headers={"Authorization": "Bearer not-the-secret-0"})
            assert refused.status_code == 401
        internal = await http.get(f"{stack.url('auth')}/internal/shops/{shop_id.group(1)}/token",
                                  headers={"Authorization": f"Bearer {cli_secret}"})
        assert internal.status_code == 401  # the CLI's admin credential is not a service credential
        issued = await sandbox(http, "GET", f"{stack.url('sandbox')}/sandbox/tokens/issued")
        pages = await _console_pages(stack, cli_secret, shop_id.group(1))

    secrets = _process_secrets(stack)
    assert any("AUTH_INTERNAL_CREDENTIALS" in where for where in secrets.values())  # the search is not empty
    secrets.setdefault(cli_secret, "ADMIN_API_TOKEN in dev.env")
    for name, value in read_dev_env(stack.state_dir / "secrets.env").items():
        for part in _parts(value):
            secrets.setdefault(part, f"{name} in secrets.env")
    secrets.setdefault(SANDBOX_APP_SECRET, "the app secret")
    for kind in ("access_tokens", "refresh_tokens", "auth_codes"):
        assert kind == "auth_codes" or len(issued[kind]) >= 2, issued  # the demo's shop, then its refresh
        for value in issued[kind]:
            secrets.setdefault(value, f"a TikTok {kind[:-1].replace('_', ' ')}")

    logs = sorted((stack.state_dir / "logs").glob("*.log")) + [stack.state_dir / "pgdata" / "log"]
    texts = {str(path.relative_to(stack.state_dir)): path.read_bytes() for path in logs if path.exists()}
    assert {f"logs/{name}.log" for name in (*SERVICES, "console")} <= set(texts), sorted(texts)
    records = await _records(stack.bootstrap)
    assert {"orders.downloaded", "shops.changed", "shipments.created", "inventory.changed"} <= {t for t, _ in records}

    leaks = [f"{where} in {place}" for secret, where in secrets.items()
             for place, blob in [*texts.items(), *((f"topic {t}", v) for t, v in records), *pages.items()]
             if secret.encode() in blob]
    assert not leaks, "\n".join(sorted(set(leaks)))

    refusals, plain = 0, []
    for name in (*SERVICES, "console"):
        for number, line in enumerate(texts[f"logs/{name}.log"].decode().splitlines(), start=1):
            if not line.strip() or line.startswith(SUPERVISOR_MARK):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                plain.append(f"logs/{name}.log line {number}: {line[:160]}")
                continue
            refusals += entry.get("event") == "credential.refused"
    assert not plain, "lines that are not JSON:\n" + "\n".join(plain[:20])
    assert refusals >= len(SERVICES) + 1  # every refusal above was logged, none with the secret (checked above)
