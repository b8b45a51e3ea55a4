"""Container health probe: ``python /app/healthcheck.py [/healthz|/readyz]`` exits 0 when the service
in this container answers 200 on that path, 1 otherwise.

Why Python: python:3.11-slim has no curl or wget. The service is taken from ``SERVICE`` or, when
that is unset, from PID 1's command line (``python -m services.orders``); host and port come from
that service's own settings class, read from the same environment the service reads, so
``ORDERS_PORT=9000`` moves the probe with the service. Nothing secret is printed.
"""

from __future__ import annotations

import importlib
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

#: service name -> (settings module, settings class)
SETTINGS: dict[str, tuple[str, str]] = {
    "auth": ("services.auth.settings", "AuthSettings"),
    "catalog": ("services.catalog.settings", "CatalogSettings"),
    "orders": ("services.orders.settings", "OrdersSettings"),
    "fulfillment": ("services.fulfillment.settings", "FulfillmentSettings"),
    "sandbox": ("libs.sandbox.settings", "SandboxSettings"),
    "console": ("libs.console.settings", "ConsoleSettings"),
}
#: ``python -m`` module -> service name
MODULES: dict[str, str] = {
    "services.auth": "auth",
    "services.catalog": "catalog",
    "services.orders": "orders",
    "services.fulfillment": "fulfillment",
    "libs.sandbox": "sandbox",
    "libs.console": "console",
}
_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


def service_from_cmdline(argv: Sequence[str]) -> str | None:
    """The service a ``... python -m <module>`` command line runs (an init wrapper in front is fine)."""
    for index, arg in enumerate(argv[:-1]):
        if arg == "-m":
            return MODULES.get(argv[index + 1])
    return None


def pid1_cmdline() -> list[str]:
    try:
        raw = Path("/proc/1/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def current_service(environ: Mapping[str, str], cmdline: Sequence[str]) -> str:
    service = environ.get("SERVICE") or service_from_cmdline(cmdline)
    if service not in SETTINGS:
        raise SystemExit(f"healthcheck: cannot tell the service (SERVICE={service!r}); one of {', '.join(SETTINGS)}")
    return service


def probe_url(service: str, path: str) -> str:
    """The URL the service itself listens on, from its settings (which read the environment)."""
    module, cls = SETTINGS[service]
    settings = getattr(importlib.import_module(module), cls)()
    host = str(settings.host)
    if host in _WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}{path}"


def check(url: str, timeout_s: float = 4.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = args[0] if args else "/healthz"
    url = probe_url(current_service(os.environ, pid1_cmdline()), path)
    ok = check(url)
    print(f"{url}: {'ok' if ok else 'not ok'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
