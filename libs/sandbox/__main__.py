"""``python -m libs.sandbox``: serve the sandbox on SANDBOX_HOST:SANDBOX_PORT (default 127.0.0.1:8100)."""

from __future__ import annotations

import logging

import uvicorn

from libs.sandbox.app import create_app
from libs.sandbox.redaction import RedactQueryFilter
from libs.sandbox.settings import SandboxSettings


def main() -> None:
    settings = SandboxSettings()
    logging.getLogger("uvicorn.access").addFilter(RedactQueryFilter())
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level.lower()
    )


if __name__ == "__main__":
    main()
