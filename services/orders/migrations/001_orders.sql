-- Orders service schema: its projection of shops, the orders it downloaded, and the work queues
-- (poll watermarks, manual download jobs, webhook notifications) that feed the download.

-- Projection of auth's shops (from `shops.changed`); only what this service needs, no secrets.
CREATE TABLE shops (
    shop_id                   text PRIMARY KEY,
    allow_order_download      boolean NOT NULL DEFAULT false,
    query_order_status_change boolean NOT NULL DEFAULT false,
    publish_on_hold_orders    boolean NOT NULL DEFAULT false,
    status                    text NOT NULL DEFAULT 'active'
                              CHECK (status IN ('active', 'needs_reauthorization', 'disconnected')),
    updated_at                timestamptz NOT NULL DEFAULT now()  -- time of the last applied event
);

CREATE TABLE orders (
    order_id             text PRIMARY KEY,
    shop_id              text NOT NULL,
    tiktok_status        text NOT NULL,
    status               text NOT NULL,          -- ours: In Process, On Hold, Shipped, Completed, Cancelled
    shipping_status      text NOT NULL,          -- Unshipped, Partially Shipped, Shipped
    fulfillment_type     text NOT NULL CHECK (fulfillment_type IN ('SELLER', 'TIKTOK')),
    subtype              text,                   -- 'Fulfilled by TikTok' for FBT (R14)
    is_on_hold           boolean NOT NULL DEFAULT false,
    is_replacement       boolean NOT NULL DEFAULT false,
    replaced_order_id    text,
    notes                jsonb NOT NULL DEFAULT '[]',
    created_at           timestamptz NOT NULL,   -- TikTok's create_time
    paid_at              timestamptz,
    payment_method       text,
    currency             text NOT NULL,
    sub_total            numeric(14, 2) NOT NULL,
    shipping_fee         numeric(14, 2) NOT NULL,
    tax                  numeric(14, 2) NOT NULL,
    total                numeric(14, 2) NOT NULL,
    recipient            jsonb NOT NULL DEFAULT '{}',
    tracking             jsonb NOT NULL DEFAULT '[]',
    order_source         text NOT NULL DEFAULT 'Website',
    channel              text NOT NULL DEFAULT 'TikTok Shop',
    update_time          bigint NOT NULL,        -- TikTok's update_time: newer wins, older is ignored
    downloaded_published boolean NOT NULL DEFAULT false,  -- OrderDownloaded went to the outbox (once)
    raw                  jsonb NOT NULL,
    inserted_at          timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_shop_created ON orders (shop_id, created_at DESC);
CREATE INDEX orders_shop_status_created ON orders (shop_id, status, created_at DESC);
CREATE INDEX orders_status_created ON orders (status, created_at DESC);
CREATE INDEX orders_created ON orders (created_at DESC);

-- TikTok has one line item per unit; a line here is one (sku, unit price) with its quantity.
CREATE TABLE order_lines (
    order_id      text NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    line_no       int  NOT NULL,
    seller_sku    text NOT NULL,
    sku_id        text NOT NULL,
    product_id    text NOT NULL,
    product_name  text,
    quantity      int  NOT NULL CHECK (quantity >= 1),
    unit_price    numeric(14, 2) NOT NULL,
    line_item_ids text[] NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_seller_sku ON order_lines (seller_sku);

-- Reconciliation poll: the next poll reads update_time >= update_time_ge - overlap.
CREATE TABLE poll_watermarks (
    shop_id        text PRIMARY KEY,
    update_time_ge bigint NOT NULL,
    last_poll_at   timestamptz,
    last_error     text,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Manual range downloads (R11). A worker holds a lease; the page token is stored with each page's
-- ingest, in the same transaction, so a crash resumes at the next page without duplicates.
CREATE TABLE download_jobs (
    id              uuid PRIMARY KEY,
    shop_id         text NOT NULL,
    from_ts         timestamptz NOT NULL,
    to_ts           timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    pages_done      int NOT NULL DEFAULT 0,
    orders_seen     int NOT NULL DEFAULT 0,
    orders_new      int NOT NULL DEFAULT 0,
    next_page_token text,
    error           text,
    lease_owner     uuid,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    CHECK (from_ts < to_ts)
);
CREATE INDEX download_jobs_pending ON download_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX download_jobs_shop ON download_jobs (shop_id, created_at DESC);

-- TikTok webhooks, stored on receipt (answer within 3 s), processed by a worker.
CREATE TABLE webhook_inbox (
    tts_notification_id text PRIMARY KEY,
    type                int  NOT NULL,
    shop_id             text NOT NULL,
    order_id            text,
    payload             jsonb NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    attempts            int NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    last_error          text,
    outcome             text,
    processed_at        timestamptz
);
CREATE INDEX webhook_inbox_pending ON webhook_inbox (type, next_attempt_at) WHERE processed_at IS NULL;
