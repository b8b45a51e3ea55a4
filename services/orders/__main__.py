"""``python -m services.orders``: serve the orders service."""

from __future__ import annotations

from libs.common.runtime import serve
from services.orders.app import build
from services.orders.settings import OrdersSettings


def main() -> None:
    settings = OrdersSettings()
    app, _, _ = build(settings)
    serve(app, settings)


if __name__ == "__main__":
    main()
