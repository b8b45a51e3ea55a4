"""``python -m services.orders``: serve the orders service."""

from __future__ import annotations

from libs.common.runtime import serve
from services.orders.app import build_app
from services.orders.settings import OrdersSettings


def main() -> None:
    settings = OrdersSettings()
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
