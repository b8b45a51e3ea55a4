-- Issue 11: TikTok-side changes in seconds. An order whose TikTok status moved (the orders service learned
-- it from TikTok's webhook and said so on orders.status-changed) is asked about at once, not at the shop's
-- next shipping-change query (R14, R22); the periodic query stays as the safety net.
CREATE TABLE order_checks (
    order_id   text        PRIMARY KEY,
    shop_id    text        NOT NULL,
    due_at     timestamptz NOT NULL DEFAULT now(),
    attempts   integer     NOT NULL DEFAULT 0
);
CREATE INDEX order_checks_due ON order_checks (due_at);
