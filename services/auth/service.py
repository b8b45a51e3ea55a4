"""Auth use cases (R1-R6). Each owns its transaction; events go out through the outbox."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import structlog

from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.outbox import enqueue_data
from libs.common.tiktok.auth_client import TikTokAuthClient, TokenGrant
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.errors import TikTokError, TokenRefused
from libs.common.tiktok.tokens import ShopAccess
from services.auth import repo, tiktok
from services.auth.domain import (
    DomainError,
    Shop,
    ShopUnusable,
    apply_settings,
    check_tax_id_capacity,
    expiry_warning,
    needs_reauthorization_reason,
    token_refused_reason,
)
from services.auth.secrets_box import SecretBox
from services.auth.settings import AuthSettings
from services.auth.webhooks.service import register_webhooks

log = structlog.get_logger(__name__)

#: A token closer than this to expiry is refreshed before it is handed out.
HANDOUT_MARGIN = timedelta(minutes=5)


def _ts(unix: float) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AuthService:
    pool: asyncpg.Pool
    box: SecretBox
    auth_client: TikTokAuthClient
    api: TikTokClient
    settings: AuthSettings
    source: str = "ttshop/auth"
    wake_relay: Any = None

    def _woke(self) -> None:
        if self.wake_relay is not None:
            self.wake_relay()

    async def _publish_state(self, conn: asyncpg.Connection, shop: Shop) -> None:
        await enqueue_data(
            conn,
            ShopSettingsChanged(
                shop_id=shop.shop_id,
                status=shop.status,  # type: ignore[arg-type]
                reason=shop.status_reason,
                token_generation=shop.token_generation,
                changed_at=_now(),
                **shop.settings.model_dump(),
            ),
            source=self.source,
        )

    # -- R1, R2: connect ---------------------------------------------------------------------
    async def connect(self, *, auth_code: str, tax_id: str, name: str | None) -> list[Shop]:
        tax_id, name = tax_id.strip(), (name or "").strip() or None
        if not tax_id:
            raise DomainError("invalid_tax_id", "tax ID must not be empty")
        try:
            grant = await self.auth_client.get_token(auth_code)
            authorized = await tiktok.authorized_shops(self.api, access_token=grant.access_token)
        except TikTokError as exc:
            async with self.pool.acquire() as conn:
                await repo.audit(conn, shop_id=None, action="connect", outcome="failed", tax_id=tax_id, error=str(exc))
            raise
        if not authorized:
            raise DomainError("no_shops", "TikTok authorised no shop for this seller; check the seller account")
        if name and len(authorized) > 1:
            raise DomainError("name_ambiguous", f"the authorisation covers {len(authorized)} shops; omit --name")
        async with self.pool.acquire() as conn, conn.transaction():
            await repo.lock_tax_id(conn, tax_id=tax_id)
            on_tax = await repo.on_tax_id(conn, self.box, tax_id=tax_id)
            check_tax_id_capacity(tax_id, on_tax, [str(s["id"]) for s in authorized], self.settings.max_shops_per_tax_id)
            shops = [await self._upsert_connected(conn, data, grant, tax_id, name) for data in authorized]
        self._woke()
        for shop in shops:
            try:
                await self.test(shop.shop_id)
            except (TikTokError, DomainError) as exc:
                log.warning("test after connect failed", shop_id=shop.shop_id, error=str(exc))
            await register_webhooks(self, shop.shop_id)
        async with self.pool.acquire() as conn:
            return [await repo.find(conn, self.box, ref=s.shop_id) for s in shops]

    async def _upsert_connected(
        self, conn: asyncpg.Connection, data: dict[str, Any], grant: TokenGrant, tax_id: str, name: str | None
    ) -> Shop:
        shop_id = str(data["id"])
        try:
            shop = await repo.find(conn, self.box, ref=shop_id, for_update=True)
            if shop.shop_id != shop_id:
                raise LookupError
        except (DomainError, LookupError):
            shop = Shop(shop_id=shop_id, name=name or str(data.get("name") or shop_id), tax_id=tax_id)
        if name:
            shop.name = name
        if await repo.name_taken(conn, name=shop.name, other_than=shop_id):
            raise DomainError("name_taken", f"another shop is already called {shop.name!r}; pass a different --name")
        shop.tax_id = tax_id
        shop.status, shop.status_reason = "active", None
        shop.shop_cipher = data.get("cipher")
        shop.shop_code = data.get("code")
        shop.region = data.get("region")
        shop.seller_type = data.get("seller_type")
        self._apply_grant(shop, grant)
        shop.warning = self._warning(shop)
        await repo.save(conn, self.box, shop)
        await enqueue_data(
            conn,
            ShopConnected(
                shop_id=shop.shop_id, shop_name=data.get("name"), shop_cipher=shop.shop_cipher, region=shop.region,
                seller_name=shop.seller_name, seller_base_region=shop.seller_base_region,
                token_generation=shop.token_generation, connected_at=_now(),
            ),
            source=self.source,
        )
        await self._publish_state(conn, shop)
        await repo.audit(conn, shop_id=shop.shop_id, action="connect", outcome="ok", tax_id=tax_id, name=shop.name)
        return shop

    @staticmethod
    def _apply_grant(shop: Shop, grant: TokenGrant) -> None:
        shop.access_token = grant.access_token
        shop.token_generation += 1
        shop.access_token_expires_at = _ts(grant.access_token_expire_in)
        shop.refresh_token = grant.refresh_token
        shop.refresh_token_expires_at = _ts(grant.refresh_token_expire_in)
        shop.open_id = grant.open_id or shop.open_id
        shop.seller_name = grant.seller_name or shop.seller_name
        shop.seller_base_region = grant.seller_base_region or shop.seller_base_region
        shop.granted_scopes = list(grant.granted_scopes or [])
        shop.last_refreshed_at = _now()

    # -- queries ---------------------------------------------------------------------------
    async def list_shops(self) -> list[Shop]:
        async with self.pool.acquire() as conn:
            return await repo.list_all(conn, self.box)

    async def get(self, ref: str) -> tuple[Shop, list[dict[str, Any]]]:
        async with self.pool.acquire() as conn:
            shop = await repo.find(conn, self.box, ref=ref)
            return shop, await repo.audit_trail(conn, shop_id=shop.shop_id)

    # -- R4: test settings -------------------------------------------------------------------
    async def test(self, ref: str) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            shop = await repo.find(conn, self.box, ref=ref)
        problems: list[str] = []
        try:
            authorized = await tiktok.authorized_shops(self.api, shop_id=shop.shop_id)
            mine = next((s for s in authorized if str(s.get("id")) == shop.shop_id), None)
            if mine is None:
                problems.append("the token no longer grants access to this shop: reconnect it")
            warehouses = await tiktok.warehouses(self.api, shop_id=shop.shop_id) if mine else []
        except TokenRefused as exc:  # refused again right after the client's refresh: the authorisation is gone
            async with self.pool.acquire() as conn, conn.transaction():
                refused = await repo.find(conn, self.box, ref=shop.shop_id, for_update=True)
                if refused.status == "active":
                    await self.mark_needs_reauthorization(conn, refused, token_refused_reason(exc.code, exc.message),
                                                          action="test", error=str(exc))
            self._woke()
            raise
        except TikTokError as exc:
            async with self.pool.acquire() as conn:
                await repo.audit(conn, shop_id=shop.shop_id, action="test", outcome="failed", error=str(exc))
            raise
        default = next((w for w in warehouses if w.get("is_default")), None)
        if mine is not None and default is None:
            problems.append("no default warehouse on the TikTok shop: inventory upload needs one (R40)")
        async with self.pool.acquire() as conn, conn.transaction():
            shop = await repo.find(conn, self.box, ref=shop.shop_id, for_update=True)
            if mine is not None:
                shop.shop_cipher = mine.get("cipher") or shop.shop_cipher
                shop.region = mine.get("region") or shop.region
                shop.shop_code = mine.get("code") or shop.shop_code
                shop.seller_type = mine.get("seller_type") or shop.seller_type
            shop.default_warehouse_id = str(default["id"]) if default else None
            shop.last_tested_at = _now()
            await repo.save(conn, self.box, shop)
            await repo.audit(conn, shop_id=shop.shop_id, action="test", outcome="ok" if not problems else "problems",
                             problems=problems)
        return {
            "ok": not problems,
            "problems": problems,
            "shop": shop.public(),
            "tiktok_shop_name": mine.get("name") if mine else None,
            "warehouses": [{"id": w.get("id"), "name": w.get("name"), "is_default": bool(w.get("is_default"))}
                           for w in warehouses],
        }

    # -- R5: switches ------------------------------------------------------------------------
    async def update_settings(self, ref: str, patch: dict[str, Any]) -> Shop:
        async with self.pool.acquire() as conn, conn.transaction():
            shop = await repo.find(conn, self.box, ref=ref, for_update=True)
            before = shop.settings
            shop.settings = apply_settings(before, patch)
            await repo.save(conn, self.box, shop)
            await self._publish_state(conn, shop)
            changed = {k: v for k, v in shop.settings.model_dump().items() if before.model_dump().get(k) != v}
            await repo.audit(conn, shop_id=shop.shop_id, action="settings", outcome="ok", changed=changed)
        self._woke()
        return shop

    async def disconnect(self, ref: str, *, reason: str = "disconnected by operator") -> Shop:
        async with self.pool.acquire() as conn, conn.transaction():
            shop = await repo.find(conn, self.box, ref=ref, for_update=True)
            shop.status, shop.status_reason = "disconnected", reason
            shop.access_token = shop.refresh_token = None
            await repo.save(conn, self.box, shop)
            await enqueue_data(conn, ShopDisconnected(shop_id=shop.shop_id, reason=reason, disconnected_at=_now()),
                               source=self.source)
            await self._publish_state(conn, shop)
            await repo.audit(conn, shop_id=shop.shop_id, action="disconnect", outcome="ok", reason=reason)
        self._woke()
        return shop

    # -- R3: refresh ---------------------------------------------------------------------------
    async def refresh(self, ref: str, *, force: bool = True, newer_than: int | None = None) -> Shop:
        """Refresh a shop's tokens. Row-locked, so two replicas never refresh the same shop at once;
        without ``force`` a shop someone else just refreshed is left alone. ``newer_than``: TikTok
        refused that token generation; a shop already past it (another caller refreshed) is left alone,
        so one refused token costs one refresh however many services report it."""
        try:
            return await self._refresh(ref, force=force, newer_than=newer_than)
        except TikTokError as exc:
            if not exc.transient:
                raise
            async with self.pool.acquire() as conn:
                shop = await repo.find(conn, self.box, ref=ref)
                await repo.audit(conn, shop_id=shop.shop_id, action="refresh", outcome="retry", error=str(exc))
            raise

    async def _refresh(self, ref: str, *, force: bool, newer_than: int | None) -> Shop:
        async with self.pool.acquire() as conn, conn.transaction():
            shop = await repo.find(conn, self.box, ref=ref, for_update=True)
            if shop.status != "active" or shop.refresh_token is None:
                raise ShopUnusable("shop_not_active", f"shop {shop.name} is {shop.status}: {shop.status_reason or ''}".strip())
            if newer_than is not None and shop.token_generation > newer_than:
                return shop
            if not force and not self._due(shop):
                return shop
            try:
                grant = await self.auth_client.refresh(shop.refresh_token)
            except TikTokError as exc:
                if exc.transient:
                    raise  # rolled back; audited below, outside the transaction, so the entry is kept
                await self.mark_needs_reauthorization(conn, shop, needs_reauthorization_reason(exc.code, exc.message),
                                                      action="refresh", error=str(exc))
                failed: Shop | None = shop
            else:
                self._apply_grant(shop, grant)
                shop.warning = self._warning(shop)
                await repo.save(conn, self.box, shop)
                await self._publish_state(conn, shop)  # every service drops its older cached token
                await repo.audit(conn, shop_id=shop.shop_id, action="refresh", outcome="ok",
                                 token_generation=shop.token_generation,
                                 refused_generation=newer_than,
                                 access_token_expires_at=shop.access_token_expires_at.isoformat()
                                 if shop.access_token_expires_at else None)
                failed = None
        self._woke()
        if failed is not None:
            raise ShopUnusable("needs_reauthorization", f"shop {failed.name}: {failed.status_reason}")
        return shop

    async def mark_needs_reauthorization(self, conn: asyncpg.Connection, shop: Shop, reason: str, *, action: str,
                                         **detail: Any) -> None:
        """R3: the shop stops working until reconnected; every service hears it (ShopSettingsChanged)."""
        shop.status, shop.status_reason = "needs_reauthorization", reason
        await repo.save(conn, self.box, shop)
        await self._publish_state(conn, shop)
        await repo.audit(conn, shop_id=shop.shop_id, action=action, outcome="needs_reauthorization", reason=reason,
                         **detail)

    def _warning(self, shop: Shop) -> str | None:
        return expiry_warning(shop.refresh_token_expires_at, now=_now(), window_s=self.settings.authorization_warning_s)

    async def rotate_keys(self) -> dict[str, int]:
        """R6: re-encrypt every stored token with the first key of AUTH_ENCRYPTION_KEYS."""
        async with self.pool.acquire() as conn, conn.transaction():
            counts = await repo.rotate_secrets(conn, self.box)
            await repo.audit(conn, shop_id=None, action="rotate_keys", outcome="ok", **counts)
        return counts

    def _due(self, shop: Shop, *, now: datetime | None = None) -> bool:
        if shop.access_token_expires_at is None:
            return True
        digest = hashlib.sha256(shop.shop_id.encode()).digest()
        jitter = self.settings.refresh_jitter_s * (digest[0] / 255)
        threshold = (now or _now()) + timedelta(seconds=self.settings.refresh_margin_s - jitter)
        return shop.access_token_expires_at <= threshold

    async def refresh_due_shops(self) -> int:
        """One pass of the automatic refresh (R3): every active shop whose token is within the margin."""
        before = _now() + timedelta(seconds=self.settings.refresh_margin_s)
        async with self.pool.acquire() as conn:
            due = await repo.due_for_refresh(conn, before=before)
        refreshed = 0
        for shop_id in due:
            try:
                await self.refresh(shop_id, force=False)
                refreshed += 1
            except (TikTokError, DomainError) as exc:
                log.warning("automatic refresh failed", shop_id=shop_id, error=str(exc))
        return refreshed

    # -- token hand-out for the other services ---------------------------------------------------
    async def access_for(self, shop_id: str, refused_generation: int | None = None) -> ShopAccess:
        """The shop's access token for a service. ``refused_generation``: TikTok refused that token
        (expired early, revoked), so hand out a newer one, refreshing it now if nobody has yet; a failed
        refresh makes the shop ``needs_reauthorization`` (ShopUnusable)."""
        async with self.pool.acquire() as conn:
            shop = await repo.find(conn, self.box, ref=shop_id)
        if shop.status != "active" or shop.access_token is None:
            raise ShopUnusable(shop.status, f"shop {shop.shop_id} is {shop.status}: {shop.status_reason or 'no token'}")
        expires = shop.access_token_expires_at
        refused = refused_generation is not None and shop.token_generation <= refused_generation
        if refused:
            log.info("access token refused by TikTok; refreshing", shop_id=shop.shop_id,
                     refused_generation=refused_generation)
            shop = await self.refresh(shop.shop_id, force=True, newer_than=refused_generation)
        elif expires is None or expires - _now() < HANDOUT_MARGIN:
            shop = await self.refresh(shop.shop_id, force=False)
        assert shop.access_token is not None and shop.access_token_expires_at is not None
        return ShopAccess(
            shop_id=shop.shop_id,
            shop_cipher=shop.shop_cipher,
            access_token=shop.access_token,
            expires_at=shop.access_token_expires_at.timestamp(),
            generation=shop.token_generation,
        )
