"""SQL for R40: the latest stock and price levels upstream reported, and the upload queue (one row per
listing SKU, kind and warehouse: the latest level to send, coalesced, and the outcome of sending it).
Claims use ``FOR UPDATE SKIP LOCKED`` plus a lease (``leased_until``) so replicas never send the same
row at once and a crashed worker's claim expires."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from libs.common import leased_queue
from services.catalog.sync.domain import InventoryLevel, Kind, LevelKey, PriceLevel, UploadStatus

_INVENTORY_KEY = (
    "seller_sku = $1 AND coalesce(shop_id, '') = coalesce($2, '') AND coalesce(warehouse_id, '') = coalesce($3, '')"
)


async def save_inventory_many(conn: asyncpg.Connection, levels: Sequence[InventoryLevel]) -> list[InventoryLevel]:
    """Store each level (one per key) unless a newer one is stored; returns those stored. One statement."""
    if not levels:
        return []
    rows = await conn.fetch(
        """
        INSERT INTO inventory_levels (seller_sku, shop_id, warehouse_id, available, occurred_at, event_id)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::text[])
        ON CONFLICT (seller_sku, (coalesce(shop_id, '')), (coalesce(warehouse_id, ''))) DO UPDATE SET
            available = EXCLUDED.available, occurred_at = EXCLUDED.occurred_at,
            event_id = EXCLUDED.event_id, updated_at = now()
        WHERE inventory_levels.occurred_at <= EXCLUDED.occurred_at
        RETURNING seller_sku, coalesce(shop_id, '') AS shop, coalesce(warehouse_id, '') AS warehouse
        """,
        [lv.key.seller_sku for lv in levels], [lv.key.shop_id for lv in levels],
        [lv.key.warehouse_id for lv in levels], [lv.available for lv in levels],
        [lv.occurred_at for lv in levels], [lv.event_id for lv in levels],
    )
    stored = {(r["seller_sku"], r["shop"], r["warehouse"]) for r in rows}
    return [lv for lv in levels if (lv.key.seller_sku, lv.key.shop_id or "", lv.key.warehouse_id or "") in stored]


async def inventory_of(conn: asyncpg.Connection, seller_sku: str) -> list[InventoryLevel]:
    rows = await conn.fetch(
        "SELECT * FROM inventory_levels WHERE seller_sku = $1 ORDER BY shop_id NULLS FIRST, warehouse_id NULLS FIRST",
        seller_sku,
    )
    return [
        InventoryLevel(
            LevelKey(r["seller_sku"], r["shop_id"], r["warehouse_id"]), r["available"], r["occurred_at"],
            r["event_id"], r["updated_at"],
        )
        for r in rows
    ]


async def save_price_many(conn: asyncpg.Connection, levels: Sequence[PriceLevel]) -> list[PriceLevel]:
    """Store each price (one per key) unless a newer one is stored; returns those stored. One statement."""
    if not levels:
        return []
    rows = await conn.fetch(
        """
        INSERT INTO price_levels (seller_sku, shop_id, amount, currency, occurred_at, event_id)
        SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::timestamptz[], $6::text[])
        ON CONFLICT (seller_sku, (coalesce(shop_id, ''))) DO UPDATE SET
            amount = EXCLUDED.amount, currency = EXCLUDED.currency, occurred_at = EXCLUDED.occurred_at,
            event_id = EXCLUDED.event_id, updated_at = now()
        WHERE price_levels.occurred_at <= EXCLUDED.occurred_at
        RETURNING seller_sku, coalesce(shop_id, '') AS shop
        """,
        [lv.key.seller_sku for lv in levels], [lv.key.shop_id for lv in levels], [lv.amount for lv in levels],
        [lv.currency for lv in levels], [lv.occurred_at for lv in levels], [lv.event_id for lv in levels],
    )
    stored = {(r["seller_sku"], r["shop"]) for r in rows}
    return [lv for lv in levels if (lv.key.seller_sku, lv.key.shop_id or "") in stored]


async def prices_of(conn: asyncpg.Connection, seller_sku: str) -> list[PriceLevel]:
    rows = await conn.fetch(
        "SELECT * FROM price_levels WHERE seller_sku = $1 ORDER BY shop_id NULLS FIRST", seller_sku
    )
    return [
        PriceLevel(LevelKey(r["seller_sku"], r["shop_id"]), r["amount"], r["currency"], r["occurred_at"],
                   r["event_id"], r["updated_at"])
        for r in rows
    ]


_KEY = "shop_id = $1 AND product_id = $2 AND sku_id = $3 AND kind = $4 AND warehouse_id = $5"


@dataclass(frozen=True)
class Upload:
    shop_id: str
    product_id: str
    sku_id: str
    kind: Kind
    warehouse_id: str  # '' = the shop's default warehouse
    seller_sku: str
    quantity: int | None
    amount: Decimal | None
    currency: str | None
    occurred_at: datetime
    version: int
    attempts: int
    updated_at: datetime | None = None  # when the row last changed (a claim is overtaken when it moves)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.shop_id, self.product_id, self.sku_id, self.kind.value, self.warehouse_id)


def _upload(r: asyncpg.Record) -> Upload:
    return Upload(r["shop_id"], r["product_id"], r["sku_id"], Kind(r["kind"]), r["warehouse_id"], r["seller_sku"],
                  r["quantity"], r["amount"], r["currency"], r["occurred_at"], r["version"], r["attempts"],
                  r["updated_at"])


@dataclass(frozen=True)
class QueuedUpload:
    """The latest level for one listing SKU, to be sent (or recorded as skipped, with the reason)."""

    shop_id: str
    product_id: str
    sku_id: str
    kind: Kind
    warehouse_id: str
    seller_sku: str
    quantity: int | None
    amount: Decimal | None
    currency: str | None
    occurred_at: datetime
    event_id: str
    skip_reason: str | None
    changes: int = 1  # upstream changes this level stands for (a batch keeps only the newest per key)


async def queue_many(conn: asyncpg.Connection, rows: Sequence[QueuedUpload], *, coalesce_s: float) -> int:
    """Record the latest level of each listing SKU (one row per key) unless a newer one is recorded; returns
    how many stored rows will be sent. One statement.

    A pending row is not sent sooner than ``coalesce_s`` after the first change waiting in it, so a burst
    of changes goes out as one call with the last value.
    """
    if not rows:
        return 0
    statuses = [(UploadStatus.SKIPPED if r.skip_reason else UploadStatus.PENDING).value for r in rows]
    stored = await conn.fetch(
        """
        INSERT INTO uploads (shop_id, product_id, sku_id, kind, warehouse_id, seller_sku, quantity, amount, currency,
                             occurred_at, event_id, status, error, changes, next_attempt_at)
        SELECT s, p, k, kd, w, sku, q, a, c, o, e, st, er, n, now() + make_interval(secs => $14)
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
                    $8::numeric[], $9::text[], $10::timestamptz[], $11::text[], $12::text[], $13::text[], $15::int[])
             AS t(s, p, k, kd, w, sku, q, a, c, o, e, st, er, n)
        ON CONFLICT (shop_id, product_id, sku_id, kind, warehouse_id) DO UPDATE SET
            seller_sku = EXCLUDED.seller_sku, quantity = EXCLUDED.quantity, amount = EXCLUDED.amount,
            currency = EXCLUDED.currency, occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id,
            version = nextval('upload_versions'), changes = uploads.changes + EXCLUDED.changes, status = EXCLUDED.status,
            error = EXCLUDED.error, error_code = NULL, attempts = 0,
            next_attempt_at = CASE WHEN uploads.status = 'pending' AND uploads.attempts = 0
                                   THEN least(uploads.next_attempt_at, EXCLUDED.next_attempt_at)
                                   ELSE EXCLUDED.next_attempt_at END,
            queued_at = now(), updated_at = now()
        WHERE uploads.occurred_at <= EXCLUDED.occurred_at
        RETURNING status
        """,
        [r.shop_id for r in rows], [r.product_id for r in rows], [r.sku_id for r in rows],
        [r.kind.value for r in rows], [r.warehouse_id for r in rows], [r.seller_sku for r in rows],
        [r.quantity for r in rows], [r.amount for r in rows], [r.currency for r in rows],
        [r.occurred_at for r in rows], [r.event_id for r in rows], statuses, [r.skip_reason for r in rows],
        coalesce_s, [r.changes for r in rows],
    )
    return sum(1 for r in stored if r["status"] == UploadStatus.PENDING.value)


async def claim_due(conn: asyncpg.Connection, *, limit: int, lease_s: float, per_shop: int | None = None) -> list[Upload]:
    """Lease the due rows of the ``limit`` products whose oldest change has waited longest, every pending SKU
    of each (one TikTok call per product: a SKU still in its coalescing window goes along, a SKU backing
    off after an error does not), at most ``per_shop`` products of one shop (default: half of ``limit``),
    so a shop with a backlog cannot crowd out the others, which each have their own limit."""
    rows = await conn.fetch(
        """
        WITH due AS (
            SELECT shop_id, product_id, kind, min(next_attempt_at) AS oldest FROM uploads
            WHERE status = 'pending' AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
            GROUP BY shop_id, product_id, kind
        ), fair AS (
            SELECT shop_id, product_id, kind, oldest,
                   row_number() OVER (PARTITION BY shop_id ORDER BY oldest) AS nth FROM due
        ), chosen AS (
            SELECT shop_id, product_id, kind FROM fair WHERE nth <= $3 ORDER BY oldest LIMIT $1
        ), claimed AS (
            SELECT u.shop_id, u.product_id, u.sku_id, u.kind, u.warehouse_id FROM uploads u
            JOIN chosen c ON (c.shop_id, c.product_id, c.kind) = (u.shop_id, u.product_id, u.kind)
            WHERE u.status = 'pending' AND (u.next_attempt_at <= now() OR u.attempts = 0)
              AND (u.leased_until IS NULL OR u.leased_until < now())
            FOR UPDATE OF u SKIP LOCKED
        )
        UPDATE uploads u SET leased_until = now() + make_interval(secs => $2)
        FROM claimed
        WHERE (u.shop_id, u.product_id, u.sku_id, u.kind, u.warehouse_id)
            = (claimed.shop_id, claimed.product_id, claimed.sku_id, claimed.kind, claimed.warehouse_id)
        RETURNING u.*
        """,
        limit, lease_s, per_shop or max(1, limit // 2),
    )
    return [_upload(r) for r in rows]


async def next_due_in_s(conn: asyncpg.Connection) -> float | None:
    value = await conn.fetchval(
        "SELECT extract(epoch FROM min(greatest(next_attempt_at, coalesce(leased_until, next_attempt_at))) - now())"
        " FROM uploads WHERE status = 'pending'"
    )
    return None if value is None else float(value)


async def finish(
    conn: asyncpg.Connection, upload: Upload, *, status: UploadStatus, error: str | None = None,
    error_code: str | None = None, sent_warehouse_id: str | None = None, called: bool = False,
    sent_quantity: int | None = None,
) -> bool:
    """Record the outcome of sending ``upload``. If a newer level arrived meanwhile (version moved on),
    the row stays pending so it goes out next; returns True when this send is the row's final word."""
    sent = status == UploadStatus.UPLOADED
    row = await conn.fetchrow(
        f"""
        UPDATE uploads SET leased_until = NULL, updated_at = now(), calls = calls + $12::int,
            status = CASE WHEN version = $6 THEN $7 ELSE 'pending' END,
            error = CASE WHEN version = $6 THEN $8 ELSE NULL END,
            error_code = CASE WHEN version = $6 THEN $9 ELSE NULL END,
            attempts = CASE WHEN version = $6 AND $7 = 'pending' THEN attempts + 1 ELSE 0 END,
            sent_quantity = CASE WHEN $10 THEN $11::int ELSE sent_quantity END,
            sent_amount = CASE WHEN $10 THEN $13::numeric ELSE sent_amount END,
            sent_currency = CASE WHEN $10 THEN $14 ELSE sent_currency END,
            sent_warehouse_id = CASE WHEN $10 THEN $15 ELSE sent_warehouse_id END,
            sent_at = CASE WHEN $10 THEN now() ELSE sent_at END,
            next_attempt_at = CASE WHEN version = $6 THEN next_attempt_at ELSE now() END
        WHERE {_KEY}
        RETURNING version = $6 AS final
        """,
        *upload.key, upload.version, status.value, error, error_code, sent,
        upload.quantity if sent_quantity is None else sent_quantity, 1 if called else 0,
        upload.amount, upload.currency, sent_warehouse_id,
    )
    return bool(row and row["final"])


async def reschedule(conn: asyncpg.Connection, upload: Upload, *, delay_s: float, error: str,
                     error_code: str | None) -> None:
    """A transient failure: try the row again after ``delay_s`` (a newer level resets the count)."""
    await conn.execute(
        f"""
        UPDATE uploads SET leased_until = NULL, updated_at = now(), calls = calls + 1,
            attempts = CASE WHEN version = $6 THEN attempts + 1 ELSE 0 END,
            error = CASE WHEN version = $6 THEN $7 ELSE NULL END,
            error_code = CASE WHEN version = $6 THEN $8 ELSE NULL END,
            next_attempt_at = CASE WHEN version = $6 THEN now() + make_interval(secs => $9) ELSE now() END
        WHERE {_KEY}
        """,
        *upload.key, upload.version, error, error_code, delay_s,
    )


#: ``error_code`` of a pending row held because the shop is not authorised (issue 8).
NOT_AUTHORIZED = leased_queue.NOT_AUTHORIZED


async def hold(conn: asyncpg.Connection, upload: Upload, *, recheck_s: float, error: str, called: bool) -> bool:
    """The shop is not authorised: keep the row pending without counting an attempt; it goes out when
    the shop is active again (:func:`requeue_skipped`), or is looked at after ``recheck_s``.

    A row that changed since its claim (``updated_at``: a newer level, or a re-authorisation released the
    shop's rows while this one was in flight) is due at once instead (returns False). Both statements lock
    the row, so one of them sees the other."""
    held: bool | None = await conn.fetchval(
        f"""
        UPDATE uploads SET leased_until = NULL, updated_at = now(), calls = calls + $10::int,
            error = CASE WHEN version = $6 THEN $7 ELSE NULL END,
            error_code = CASE WHEN version = $6 AND updated_at IS NOT DISTINCT FROM $11::timestamptz
                              THEN $8 ELSE NULL END,
            next_attempt_at = CASE WHEN version = $6 AND updated_at IS NOT DISTINCT FROM $11::timestamptz
                                   THEN now() + make_interval(secs => $9) ELSE now() END
        WHERE {_KEY}
        RETURNING error_code IS NOT NULL
        """,
        *upload.key, upload.version, error, NOT_AUTHORIZED, recheck_s, int(called), upload.updated_at,
    )
    return held is not False


async def requeue_skipped(conn: asyncpg.Connection, shop_id: str, kinds: list[str]) -> int:
    """A shop's switch came on (or it became active again): send the latest skipped levels now, and
    the pending ones held while the shop was not authorised. Its rows in flight (leased, so not held yet)
    are marked as overtaken first (clock time, not the transaction's), so a call refused for the old
    authorisation is not held after this release (:func:`hold`)."""
    await conn.execute(
        "UPDATE uploads SET updated_at = clock_timestamp() WHERE shop_id = $1 AND kind = ANY($2::text[])"
        " AND status = 'pending' AND leased_until > now()",
        shop_id, kinds,
    )
    result: str = await conn.execute(
        """
        UPDATE uploads SET status = 'pending', error = NULL, error_code = NULL, attempts = 0,
            next_attempt_at = now(), updated_at = now()
        WHERE shop_id = $1 AND kind = ANY($2::text[])
          AND (status = 'skipped' OR (status = 'pending' AND error_code = $3))
        """,
        shop_id, kinds, NOT_AUTHORIZED,
    )
    return int(result.split()[-1])


async def resend(conn: asyncpg.Connection, shop_id: str, kind: Kind) -> int:
    """Send the shop's last levels of ``kind`` again (e.g. its inventory buffer changed, R46)."""
    result: str = await conn.execute(
        "UPDATE uploads SET status = 'pending', error = NULL, error_code = NULL, attempts = 0,"
        " version = nextval('upload_versions'),"
        " next_attempt_at = now(), updated_at = now() WHERE shop_id = $1 AND kind = $2 AND status = 'uploaded'",
        shop_id, kind.value)
    return int(result.split()[-1])


async def forget(conn: asyncpg.Connection, seller_sku: str, kind: Kind) -> None:
    """Drop the SKU's queued levels of ``kind``: the next level queued for its listings wins whatever its time
    (R42: a shadow switching between its own stock and its master's, two clocks that do not compare)."""
    await conn.execute("DELETE FROM uploads WHERE seller_sku = $1 AND kind = $2", seller_sku, kind.value)


async def forget_skus(conn: asyncpg.Connection, shop_id: str, product_id: str, sku_ids: Sequence[str]) -> None:
    """SKUs gone from a TikTok product (removed by an edit): nothing is sent to them any more."""
    await conn.execute("DELETE FROM uploads WHERE shop_id = $1 AND product_id = $2 AND sku_id = ANY($3::text[])",
                       shop_id, product_id, list(sku_ids))


async def uploads_of(conn: asyncpg.Connection, seller_sku: str, kind: Kind) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT * FROM uploads WHERE seller_sku = $1 AND kind = $2 ORDER BY shop_id, product_id, sku_id, warehouse_id",
        seller_sku, kind.value,
    ))


async def uploads_of_product(conn: asyncpg.Connection, shop_id: str, product_id: str, kind: Kind,
                             seller_skus: Sequence[str]) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT * FROM uploads WHERE shop_id = $1 AND product_id = $2 AND kind = $3 AND seller_sku = ANY($4::text[])"
        " ORDER BY seller_sku, warehouse_id", shop_id, product_id, kind.value, list(seller_skus)))


async def requeue_skipped_product(conn: asyncpg.Connection, shop_id: str, product_id: str) -> int:
    """A product went on sale: its levels skipped meanwhile are sent now (still-closed switches skip again)."""
    result: str = await conn.execute(
        "UPDATE uploads SET status = 'pending', error = NULL, error_code = NULL, attempts = 0, next_attempt_at = now(),"
        " updated_at = now() WHERE shop_id = $1 AND product_id = $2 AND status = 'skipped'", shop_id, product_id)
    return int(result.split()[-1])
