-- Seller-side refunds sent through TikTok's return/refund API (R16), one row per accepted request.
CREATE TABLE order_refunds (
    return_id      text PRIMARY KEY,          -- TikTok's id of the refund request
    order_id       text NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    shop_id        text NOT NULL,
    line_item_ids  text[] NOT NULL,
    reason         text NOT NULL,
    return_status  text,
    currency       text,
    amount         numeric(14, 2),
    requested_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_refunds_order ON order_refunds (order_id);
