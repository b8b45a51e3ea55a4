"""``python -m libs.console``: serve the console on CONSOLE_HOST:CONSOLE_PORT (default 127.0.0.1:8105)."""

from __future__ import annotations

import uvicorn

from libs.common.logging import configure_logging
from libs.console.app import create_app
from libs.console.settings import ConsoleSettings


def main() -> None:
    settings = ConsoleSettings()
    configure_logging(service="console", level=settings.log_level, json=settings.log_json)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
