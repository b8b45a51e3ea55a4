-- R41 product import and R40 inventory/price upload.

-- Our SKUs: every seller SKU the catalog knows (reported by InventoryChanged/PriceChanged, or
-- registered through PUT /products/{seller_sku}); parent_sku links a variation child to its matrix parent.
CREATE TABLE products (
    seller_sku  text PRIMARY KEY,
    parent_sku  text,
    title       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The TikTok product (and SKU) id each of our SKUs has on a shop. A matrix parent has a product id
-- but no SKU id: it can only ever be matched by product id (R41).
CREATE TABLE product_links (
    shop_id     text        NOT NULL,
    seller_sku  text        NOT NULL,
    product_id  text        NOT NULL,
    sku_id      text,
    source      text        NOT NULL,  -- operator | import
    linked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, seller_sku)
);
CREATE INDEX product_links_product ON product_links (shop_id, product_id);

-- TikTok's active listings as the last import saw them. sku_id '' is the matrix parent row of a
-- product with variations; its children carry parent_product_id. our_sku is the matched SKU of ours.
CREATE TABLE listings (
    shop_id            text        NOT NULL,
    product_id         text        NOT NULL,
    sku_id             text        NOT NULL DEFAULT '',
    seller_sku         text,
    title              text        NOT NULL,
    status             text        NOT NULL,
    parent_product_id  text,
    our_sku            text,
    matched_by         text,       -- seller_sku | product_id
    imported_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, product_id, sku_id)
);
CREATE INDEX listings_our_sku ON listings (our_sku) WHERE our_sku IS NOT NULL;

-- The shop's default warehouse as GET /logistics/202309/warehouses last said (NULL: it has none).
CREATE TABLE shop_warehouses (
    shop_id               text PRIMARY KEY,
    default_warehouse_id  text,
    fetched_at            timestamptz NOT NULL DEFAULT now()
);

-- One row per listing SKU, kind (inventory|price) and warehouse ('' = the shop's default): the latest
-- level to send (coalesced: a newer change replaces an unsent one), what was sent, and the outcome.
CREATE TABLE uploads (
    shop_id            text        NOT NULL,
    product_id         text        NOT NULL,
    sku_id             text        NOT NULL,
    kind               text        NOT NULL CHECK (kind IN ('inventory', 'price')),
    warehouse_id       text        NOT NULL DEFAULT '',
    seller_sku         text        NOT NULL,
    quantity           integer     CHECK (quantity >= 0),
    amount             numeric     CHECK (amount >= 0),
    currency           text,
    occurred_at        timestamptz NOT NULL,
    event_id           text        NOT NULL,
    version            bigint      NOT NULL DEFAULT 1,
    changes            integer     NOT NULL DEFAULT 1,  -- changes received (coalesced into fewer calls)
    status             text        NOT NULL CHECK (status IN ('pending', 'uploaded', 'failed', 'skipped')),
    error              text,
    error_code         text,
    attempts           integer     NOT NULL DEFAULT 0,
    calls              integer     NOT NULL DEFAULT 0,  -- TikTok calls made for this row
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    leased_until       timestamptz,
    sent_quantity      integer,
    sent_amount        numeric,
    sent_currency      text,
    sent_warehouse_id  text,
    sent_at            timestamptz,
    queued_at          timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, product_id, sku_id, kind, warehouse_id)
);
CREATE INDEX uploads_due ON uploads (next_attempt_at) WHERE status = 'pending';
CREATE INDEX uploads_sku ON uploads (seller_sku);
