"""``python -m services.fulfillment``: run the fulfillment service."""

from __future__ import annotations

from libs.common.runtime import serve
from services.fulfillment.app import build_app
from services.fulfillment.settings import FulfillmentSettings


def main() -> None:
    settings = FulfillmentSettings()
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
