"""`.ttshop/dev.env`: where a running `ttshop dev` stack can be found.

Written by `ttshop dev` (mode 0600, it holds the run's INTERNAL_API_TOKEN), read by the other
commands and by tests. Plain ``KEY=VALUE`` lines so a shell can ``set -a; . .ttshop/dev.env``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .infra import state_dir

SERVICE_DEFAULTS: dict[str, str] = {
    "sandbox": "http://127.0.0.1:8100",
    "auth": "http://127.0.0.1:8101",
    "catalog": "http://127.0.0.1:8102",
    "orders": "http://127.0.0.1:8103",
    "fulfillment": "http://127.0.0.1:8104",
}


def dev_env_path() -> Path:
    return state_dir() / "dev.env"


def write_dev_env(values: Mapping[str, str], path: Path | None = None) -> Path:
    """Write ``values`` atomically with mode 0600 (created that way, never world-readable)."""
    path = path or dev_env_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# written by `ttshop dev`; removed when it stops\n")
        for key, value in values.items():
            handle.write(f"{key}={value}\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def read_dev_env(path: Path | None = None) -> dict[str, str]:
    """The values of a dev.env file; empty when there is none."""
    path = path or dev_env_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def lookup(key: str, default: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """``key`` from the environment, else from dev.env, else ``default``."""
    environ = os.environ if env is None else env
    if environ.get(key):
        return environ[key]
    return read_dev_env().get(key) or default


def service_url(service: str, env: Mapping[str, str] | None = None) -> str:
    """Base URL of ``service`` (``auth``, ``orders`` …): ``<SERVICE>_URL``, dev.env, then the default port."""
    url = lookup(f"{service.upper()}_URL", SERVICE_DEFAULTS[service], env)
    assert url is not None
    return url.rstrip("/")
