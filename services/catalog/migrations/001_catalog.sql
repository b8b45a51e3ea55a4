-- Catalog: the shops it serves (projection of shops.changed) and the latest inventory and price
-- of each SKU as upstream systems reported them (InventoryChanged / PriceChanged).

CREATE TABLE shops (
    shop_id                text PRIMARY KEY,
    allow_inventory_upload boolean     NOT NULL DEFAULT false,
    allow_price_upload     boolean     NOT NULL DEFAULT false,
    send_brand_info        boolean     NOT NULL DEFAULT true,
    send_matrix_image      boolean     NOT NULL DEFAULT false,
    identifier_priority    text[]      NOT NULL DEFAULT '{UPC,EAN,GTIN,ISBN}',
    status                 text        NOT NULL DEFAULT 'active',
    status_reason          text,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- shop_id NULL: every shop that lists the SKU; warehouse_id NULL: the shop's default warehouse.
CREATE TABLE inventory_levels (
    seller_sku   text        NOT NULL,
    shop_id      text,
    warehouse_id text,
    available    integer     NOT NULL CHECK (available >= 0),
    occurred_at  timestamptz NOT NULL,
    event_id     text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX inventory_levels_key
    ON inventory_levels (seller_sku, (coalesce(shop_id, '')), (coalesce(warehouse_id, '')));

CREATE TABLE price_levels (
    seller_sku  text          NOT NULL,
    shop_id     text,
    amount      numeric       NOT NULL CHECK (amount >= 0),
    currency    text          NOT NULL,
    occurred_at timestamptz   NOT NULL,
    event_id    text          NOT NULL,
    updated_at  timestamptz   NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX price_levels_key ON price_levels (seller_sku, (coalesce(shop_id, '')));
