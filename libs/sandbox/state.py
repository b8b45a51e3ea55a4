"""The sandbox's whole world, in memory: sellers, shops, warehouses, tokens, auth codes, orders,
uploaded media and per-shop category permissions (the category tree itself is static: ``taxonomy.py``).

All mutations are synchronous methods (no ``await`` inside), so on the single event loop each one
is atomic; no lock is needed around them. ``clock`` is injectable so tests can move time.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import secrets
import time
from collections.abc import Callable
from typing import Any

from libs.sandbox.errors import AUTH_CODE_INVALID, PARAM_INVALID, REFRESH_TOKEN_INVALID, SandboxError
from libs.sandbox.media import MediaStore
from libs.sandbox.models import AuthCode, Seller, Shop, Token, Warehouse
from libs.sandbox.orders import OrderBook, OrderListener
from libs.sandbox.settings import SandboxSettings
from libs.sandbox.taxonomy import CategoryPermissions

GRANTED_SCOPES = [
    "seller.authorization.info",
    "seller.shop.info",
    "seller.product.basic",
    "seller.product.write",
    "seller.order.info",
    "seller.fulfillment.basic",
    "seller.logistics",
    "seller.return_refund.basic",
    "seller.finance.info",
    "seller.event.webhook",
]


class IdFactory:
    """Numeric string ids, unique in the process and (random prefix) across sandbox restarts."""

    def __init__(self) -> None:
        self._prefix = f"57{random.randrange(10**6):06d}"
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):010d}"


def stable_numeric_id(kind: str, key: str) -> str:
    """An 18-digit id derived from ``key`` so the same SKU gets the same id every run."""
    digest = int.from_bytes(hashlib.sha256(f"{kind}:{key}".encode()).digest()[:8], "big")
    return f"17{digest % 10**16:016d}"


class SandboxState:
    def __init__(self, settings: SandboxSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.ids = IdFactory()
        self.sellers: dict[str, Seller] = {}
        self.shops: dict[str, Shop] = {}
        self.shops_by_cipher: dict[str, Shop] = {}
        self.tokens: dict[str, Token] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        #: served API calls per request path (after authentication)
        self.request_counts: dict[str, int] = {}
        #: (shop id, or "seller:<id>" for calls without a shop, path) -> calls served
        self.shop_request_counts: dict[tuple[str, str], int] = {}
        #: (caller, path) -> calls refused with 429 by the rate limit (not served, so not in the counts above)
        self.rate_limited_counts: dict[tuple[str, str], int] = {}
        #: process-wide webhook address (settings default, or POST /sandbox/webhook)
        self.webhook_url: str = settings.webhook_url
        #: seller_id -> when the seller's authorisation of the app ends (refresh tokens never outlive it)
        self.authorization_expires: dict[str, float] = {}
        self._listeners: list[OrderListener] = []
        self.orders = OrderBook(self.ids, clock, self._order_changed)
        #: images and files uploaded through /product/202309/{images,files}/upload, per seller
        self.media = MediaStore()
        #: category permission overrides (POST /sandbox/categories/{id}/permission)
        self.category_permissions = CategoryPermissions()

    # --- sellers and shops -------------------------------------------------------------------
    def create_seller(
        self, *, name: str | None, region: str, tax_id: str | None, default_warehouse: bool = True
    ) -> tuple[Seller, Shop]:
        seller_id = self.ids.next()
        seller_name = name or f"Sandbox Seller {seller_id[-4:]}"
        seller = Seller(
            id=seller_id, name=seller_name, region=region, tax_id=tax_id, open_id=secrets.token_urlsafe(16)
        )
        shop_id = f"74{self.ids.next()[2:]}"
        shop = Shop(
            id=shop_id,
            cipher=f"GCP_{secrets.token_urlsafe(24)}",
            name=f"{seller_name} Shop",
            code=f"{region}LC{secrets.token_hex(3).upper()}",
            region=region,
            seller_id=seller_id,
        )
        shop.warehouses.append(
            Warehouse(id=self.ids.next(), name=f"{shop.name} Warehouse", is_default=default_warehouse)
        )
        seller.shop_ids.append(shop_id)
        self.sellers[seller_id] = seller
        self.shops[shop_id] = shop
        self.shops_by_cipher[shop.cipher] = shop
        return seller, shop

    def shop(self, shop_id: str) -> Shop | None:
        return self.shops.get(shop_id)

    # --- auth codes and tokens ---------------------------------------------------------------
    def issue_auth_code(self, seller_id: str) -> str:
        code = f"TTP_{secrets.token_urlsafe(24)}"
        self.auth_codes[code] = AuthCode(code, seller_id, self.clock() + self.settings.auth_code_ttl_s)
        return code

    def exchange_auth_code(self, code: str) -> dict[str, Any]:
        """Single use: a second exchange of the same code fails, as does an expired one."""
        auth = self.auth_codes.get(code)
        if auth is None or auth.used or auth.expires_at <= self.clock():
            raise SandboxError(
                AUTH_CODE_INVALID,
                "auth code invalid or expired: a code works once, for 30 minutes; "
                "ask the seller to authorise again",
            )
        auth.used = True
        self.authorization_expires.pop(auth.seller_id, None)  # a new authorisation starts a new term
        return self._issue_tokens(auth.seller_id)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """New access and refresh token; the old refresh token stops working (rotation),
        the old access token keeps working until it expires."""
        token = self.tokens.get(refresh_token)
        if token is None or token.kind != "refresh" or token.revoked or token.expires_at <= self.clock():
            raise SandboxError(
                REFRESH_TOKEN_INVALID,
                "refresh token expired or revoked: the seller must authorise the app again",
            )
        token.revoked = True
        return self._issue_tokens(token.seller_id)

    def _issue_tokens(self, seller_id: str) -> dict[str, Any]:
        now = self.clock()
        access = Token(
            f"TTP_{secrets.token_urlsafe(32)}", "access", seller_id, now + self.settings.access_token_ttl_s
        )
        refresh_expires = now + self.settings.refresh_token_ttl_s
        if seller_id in self.authorization_expires:
            refresh_expires = min(refresh_expires, self.authorization_expires[seller_id])
        refresh = Token(f"TTP_{secrets.token_urlsafe(32)}", "refresh", seller_id, refresh_expires)
        self.tokens[access.value] = access
        self.tokens[refresh.value] = refresh
        seller = self.sellers[seller_id]
        return {
            "access_token": access.value,
            "access_token_expire_in": int(access.expires_at),
            "refresh_token": refresh.value,
            "refresh_token_expire_in": int(refresh.expires_at),
            "open_id": seller.open_id,
            "seller_name": seller.name,
            "seller_base_region": seller.region,
            "user_type": 0,
            "granted_scopes": list(GRANTED_SCOPES),
        }

    def _seller_tokens(self, shop_id: str | None) -> list[Token]:
        if shop_id is None:
            return list(self.tokens.values())
        shop = self.shops.get(shop_id)
        if shop is None:
            raise SandboxError(PARAM_INVALID, f"unknown shop_id {shop_id!r}", http_status=404)
        return [t for t in self.tokens.values() if t.seller_id == shop.seller_id]

    def revoke_tokens(self, shop_id: str | None) -> int:
        """Revokes access and refresh tokens of the shop's seller (all sellers when ``None``)."""
        tokens = [t for t in self._seller_tokens(shop_id) if not t.revoked]
        for token in tokens:
            token.revoked = True
        return len(tokens)

    def expire_access_tokens(self, shop_id: str) -> int:
        now = self.clock()
        tokens = [t for t in self._seller_tokens(shop_id) if t.kind == "access" and t.expires_at > now]
        for token in tokens:
            token.expires_at = now - 1
        return len(tokens)

    # --- order change notification -----------------------------------------------------------
    def add_order_listener(self, listener: OrderListener) -> None:
        self._listeners.append(listener)

    def _order_changed(self, shop_id: str, order_id: str, notify: bool) -> None:
        if notify:
            for listener in self._listeners:
                listener(shop_id, order_id)

    def count_request(self, path: str, caller: str = "") -> None:
        self.request_counts[path] = self.request_counts.get(path, 0) + 1
        self.shop_request_counts[(caller, path)] = self.shop_request_counts.get((caller, path), 0) + 1

    def count_rate_limited(self, path: str, caller: str) -> None:
        self.rate_limited_counts[(caller, path)] = self.rate_limited_counts.get((caller, path), 0) + 1
