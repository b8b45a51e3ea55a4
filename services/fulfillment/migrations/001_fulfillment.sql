-- Fulfillment: what it needs to know about shops and orders (projections built from events),
-- the shipments it uploads to TikTok, and the shops' TikTok shipping providers.

CREATE TABLE shops (
    shop_id               text PRIMARY KEY,
    allow_tracking_upload boolean     NOT NULL DEFAULT false,
    query_shipping_change boolean     NOT NULL DEFAULT false,
    status                text        NOT NULL DEFAULT 'active',
    status_reason         text,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- A copy of each order, from OrderDownloaded; a row may exist before the download
-- (downloaded_at NULL) when a cancellation or status change arrived first.
CREATE TABLE orders (
    order_id                text PRIMARY KEY,
    shop_id                 text        NOT NULL,
    status                  text,
    tiktok_status           text,
    status_at               timestamptz,
    fulfillment_type        text,
    cancelled               boolean     NOT NULL DEFAULT false,
    cancel_reason           text,
    cancelled_line_item_ids text[]      NOT NULL DEFAULT '{}',
    -- partial cancellations given by SKU and quantity only: [{"seller_sku": .., "quantity": ..}]
    cancelled_units         jsonb       NOT NULL DEFAULT '[]',
    downloaded_at           timestamptz,
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_lines (
    order_id      text    NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    line_no       integer NOT NULL,
    seller_sku    text    NOT NULL,
    quantity      integer NOT NULL CHECK (quantity > 0),
    line_item_ids text[]  NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE shipments (
    shipment_id          text PRIMARY KEY,  -- the WMS's id: the same shipment twice is one shipment
    order_id             text        NOT NULL,
    shop_id              text        NOT NULL,
    carrier              text        NOT NULL,
    shipping_provider_id text,
    tracking_number      text        NOT NULL,
    -- what the event asked for, kept to resolve line items once the order is known
    requested_lines      jsonb,
    requested_line_item_ids text[],
    line_item_ids        text[]      NOT NULL DEFAULT '{}',
    upload_status        text        NOT NULL CHECK (upload_status IN
                             ('pending', 'uploaded', 'not_uploaded', 'failed', 'waiting_for_order')),
    error                text,
    tiktok_package_id    text,
    attempts             integer     NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    shipped_at           timestamptz,
    event_id             text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    uploaded_at          timestamptz
);
CREATE INDEX shipments_by_order ON shipments (order_id, created_at);
CREATE INDEX shipments_due ON shipments (next_attempt_at) WHERE upload_status = 'pending';

CREATE TABLE shipping_providers (
    shop_id            text        NOT NULL,
    delivery_option_id text        NOT NULL,
    provider_id        text        NOT NULL,
    name               text        NOT NULL,
    fetched_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, delivery_option_id, provider_id)
);
