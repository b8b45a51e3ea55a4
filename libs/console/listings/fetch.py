"""What several listings pages read from the admin APIs: the connected shops."""

from __future__ import annotations

from ..client import ServiceError
from ..web import Operator
from . import rows


async def shop_choices(signed: Operator) -> tuple[list[tuple[str, str]], str | None]:
    """The connected shops for the shop picker (auth's ``GET /shops``), or the error saying why not."""
    try:
        return rows.shop_choices(await signed.api.get("auth", "/shops")), None
    except ServiceError as exc:
        return [], f"Error: {exc.shown}"
