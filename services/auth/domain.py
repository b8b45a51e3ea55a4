"""Shops and their rules (R1-R6). Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import SecretStr, ValidationError

from libs.common.events.shops import ShopSwitches
from libs.common.refusals import Conflict, NotFound, Refused

#: The on/off switches (the other settings: identifier order, inventory buffer, out-of-stock threshold).
SWITCH_NAMES = tuple(name for name in ShopSwitches.model_fields
                     if name not in ("identifier_priority", "inventory_buffer", "out_of_stock_threshold"))


class DomainError(Refused):
    """A rule refused the request; ``code`` is stable, the message says what to do. By itself the request
    was wrong; the subclasses say what else (the API maps each kind to its status)."""


class TaxIdLimitReached(Conflict, DomainError):
    """The tax ID has its most shops already (R1)."""


class ShopNotFound(NotFound, DomainError):
    """No shop by that id or name."""


class ShopUnusable(Conflict, DomainError):
    """The shop exists but cannot do this now (disconnected, needs re-authorisation)."""


@dataclass
class Shop:
    shop_id: str
    name: str
    tax_id: str
    status: str = "active"
    status_reason: str | None = None
    warning: str | None = None
    shop_cipher: str | None = None
    shop_code: str | None = None
    region: str | None = None
    seller_type: str | None = None
    seller_name: str | None = None
    seller_base_region: str | None = None
    open_id: str | None = None
    default_warehouse_id: str | None = None
    access_token: SecretStr | None = field(default=None, repr=False)
    access_token_expires_at: datetime | None = None
    refresh_token: SecretStr | None = field(default=None, repr=False)
    refresh_token_expires_at: datetime | None = None
    #: Raised with every new access token; services name the generation TikTok refused.
    token_generation: int = 0
    granted_scopes: list[str] = field(default_factory=list)
    settings: ShopSwitches = field(default_factory=ShopSwitches)
    last_tested_at: datetime | None = None
    last_refreshed_at: datetime | None = None
    connected_at: datetime | None = None
    updated_at: datetime | None = None

    def public(self) -> dict[str, Any]:
        """What the admin API shows: everything but the tokens."""
        return {
            "shop_id": self.shop_id,
            "name": self.name,
            "tax_id": self.tax_id,
            "status": self.status,
            "status_reason": self.status_reason,
            "warning": self.warning,
            "shop_cipher": self.shop_cipher,
            "shop_code": self.shop_code,
            "region": self.region,
            "seller_type": self.seller_type,
            "seller_name": self.seller_name,
            "seller_base_region": self.seller_base_region,
            "default_warehouse_id": self.default_warehouse_id,
            "access_token_expires_at": _iso(self.access_token_expires_at),
            "access_token_expires_in": _seconds_left(self.access_token_expires_at),
            "refresh_token_expires_at": _iso(self.refresh_token_expires_at),
            "token_generation": self.token_generation,
            "granted_scopes": self.granted_scopes,
            "settings": self.settings.model_dump(mode="json"),
            "last_tested_at": _iso(self.last_tested_at),
            "last_refreshed_at": _iso(self.last_refreshed_at),
            "connected_at": _iso(self.connected_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _seconds_left(value: datetime | None) -> int | None:
    if value is None:
        return None
    from datetime import UTC

    return max(0, int((value - datetime.now(UTC)).total_seconds()))


def check_tax_id_capacity(tax_id: str, shops_on_tax_id: list[Shop], adding: list[str], limit: int) -> None:
    """R1: at most ``limit`` connected shops per tax ID; reconnecting a shop already on it is fine."""
    existing_ids = {s.shop_id for s in shops_on_tax_id}
    new = [shop_id for shop_id in adding if shop_id not in existing_ids]
    if len(existing_ids) + len(new) > limit:
        names = ", ".join(f"{s.name} ({s.shop_id})" for s in shops_on_tax_id)
        raise TaxIdLimitReached(
            "tax_id_limit",
            f"tax ID {tax_id} already has {len(existing_ids)} shops ({names}); TikTok allows at most {limit} "
            "per tax ID. Disconnect one or use another tax ID.",
        )


def apply_settings(current: ShopSwitches, patch: dict[str, Any]) -> ShopSwitches:
    """R5: validate a partial settings change and return the new full settings."""
    if not patch:
        raise DomainError("no_settings", "no setting given; known settings: " + ", ".join(ShopSwitches.model_fields))
    unknown = sorted(set(patch) - set(ShopSwitches.model_fields))
    if unknown:
        raise DomainError(
            "unknown_setting",
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(ShopSwitches.model_fields)}",
        )
    for name in SWITCH_NAMES:
        if name in patch and not isinstance(patch[name], bool):
            raise DomainError("invalid_setting", f"{name} must be true or false (on|off), got {patch[name]!r}")
    try:
        return ShopSwitches.model_validate({**current.model_dump(), **patch})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DomainError("invalid_setting", f"{where}: {first['msg']}") from None


def expiry_warning(refresh_token_expires_at: datetime | None, *, now: datetime, window_s: float) -> str | None:
    """R3: the shop still works, but its refresh token (the seller's authorisation) ends within ``window_s``."""
    if refresh_token_expires_at is None or (refresh_token_expires_at - now).total_seconds() > window_s:
        return None
    days = max(0.0, (refresh_token_expires_at - now).total_seconds() / 86_400)
    return (
        f"authorisation ends {refresh_token_expires_at.isoformat(timespec='seconds')} (in {days:.1f} days): "
        "ask the seller to authorise the app again and reconnect the shop (ttshop shops connect)"
    )


def token_refused_reason(code: int, message: str) -> str:
    """R3: TikTok refuses even a freshly refreshed access token: only a new authorisation helps."""
    return (f"TikTok refuses the shop's access token even after a refresh ({code}: {message}): "
            "reconnect the shop with a new auth code (ttshop shops connect)")


def needs_reauthorization_reason(code: int | None, message: str) -> str:
    if code == 36004001:
        return "refresh token expired or revoked: reconnect the shop with a new auth code (ttshop shops connect)"
    return f"token refresh refused by TikTok ({code}: {message}): reconnect the shop with a new auth code"
