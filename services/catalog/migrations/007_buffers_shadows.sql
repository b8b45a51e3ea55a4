-- Issue 11: stock buffers per shop (R46) and shadow SKUs (R42).

-- R46: safety stock held back from TikTok ('N' units or 'P%') and the out-of-stock threshold (at or below it,
-- 0 is sent); applied when a level is sent, so a change of either re-sends the shop's stock.
ALTER TABLE shops ADD COLUMN inventory_buffer text NOT NULL DEFAULT '0';
ALTER TABLE shops ADD COLUMN out_of_stock_threshold integer NOT NULL DEFAULT 0;

-- R42: a shadow SKU's listings take the stock of its master SKU (one level deep: a master is never a shadow).
CREATE TABLE shadows (
    shadow_sku  text        PRIMARY KEY,
    master_sku  text        NOT NULL,
    linked_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (shadow_sku <> master_sku)
);
CREATE INDEX shadows_master ON shadows (master_sku);
