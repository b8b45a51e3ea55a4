-- Settlements (R15): TikTok's per-order statement transactions, imported periodically. A
-- transaction for an order not downloaded yet stays pending (applied_at NULL) and is applied when
-- the order arrives; OrderStatusChanged(settled) is published once per transaction.
CREATE TABLE settlements (
    transaction_id    text PRIMARY KEY,
    statement_id      text NOT NULL,
    shop_id           text NOT NULL,
    order_id          text NOT NULL,
    statement_time    timestamptz NOT NULL,
    currency          text NOT NULL,
    revenue_amount    numeric(14, 2) NOT NULL,
    fee_amount        numeric(14, 2) NOT NULL,   -- fees charged, as a positive amount
    settlement_amount numeric(14, 2) NOT NULL,
    payout_status     text,                      -- the statement's payment_status
    applied_at        timestamptz,
    imported_at       timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX settlements_pending ON settlements (order_id) WHERE applied_at IS NULL;
CREATE INDEX settlements_order ON settlements (order_id);

ALTER TABLE orders ADD COLUMN settlement_amount numeric(14, 2);
ALTER TABLE orders ADD COLUMN settlement_fees numeric(14, 2);
ALTER TABLE orders ADD COLUMN payout_status text;
ALTER TABLE orders ADD COLUMN settled_at timestamptz;

CREATE TABLE statement_watermarks (
    shop_id           text PRIMARY KEY,
    statement_time_ge bigint NOT NULL,
    last_import_at    timestamptz,
    last_error        text,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
