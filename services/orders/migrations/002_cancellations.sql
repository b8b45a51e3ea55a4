-- Cancellations in (R18) and out (R17). Each cancellation TikTok reports is recorded once: the
-- order keeps the line item ids already recorded, so the same cancellation seen again by webhook,
-- poll or range job is not recorded (nor published) twice.
ALTER TABLE orders ADD COLUMN cancelled_line_item_ids text[] NOT NULL DEFAULT '{}';
-- A cancellation that arrived after the order shipped: recorded, not applied, needs a person.
ALTER TABLE orders ADD COLUMN cancellation_flagged boolean NOT NULL DEFAULT false;

CREATE TABLE order_cancellations (
    id                 bigserial PRIMARY KEY,
    order_id           text NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    shop_id            text NOT NULL,
    line_item_ids      text[] NOT NULL,
    whole_order        boolean NOT NULL,
    initiated_by       text NOT NULL CHECK (initiated_by IN ('BUYER', 'SELLER', 'SYSTEM')),
    reason             text,
    tiktok_status      text NOT NULL,
    applied            boolean NOT NULL,
    not_applied_reason text,
    published          boolean NOT NULL,      -- CancellationDetected went to the outbox
    detected_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_cancellations_order ON order_cancellations (order_id);

-- Cancellations we sent to TikTok (R17).
CREATE TABLE cancel_requests (
    id               uuid PRIMARY KEY,
    order_id         text NOT NULL,
    shop_id          text NOT NULL,
    line_item_ids    text[] NOT NULL,
    reason           text NOT NULL,
    tiktok_status    text NOT NULL,           -- TikTok's status when we asked
    cancellation_id  text,                    -- TikTok's id of the cancellation
    cancel_status    text,
    requested_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cancel_requests_order ON cancel_requests (order_id);
