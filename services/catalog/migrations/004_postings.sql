-- Issue 10 (catalog part 2): posting products to TikTok.

-- Each file uploaded to TikTok for a shop, by the content hash of its bytes and the use it was uploaded
-- for: an image already on TikTok is never sent again.
CREATE TABLE posted_media (
    shop_id      text        NOT NULL,
    sha256       text        NOT NULL,
    use_case     text        NOT NULL,   -- MAIN_IMAGE | ATTRIBUTE_IMAGE | CERTIFICATION_IMAGE | FILE
    ref          text        NOT NULL,   -- TikTok's image uri, or its file id
    url          text,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, sha256, use_case)
);

-- One TikTok product per (shop, our SKU): the post in flight (its idempotency key, kept until TikTok's
-- answer is stored, so a crash or a retry can never create a second product) and what TikTok answered.
CREATE TABLE postings (
    shop_id               text        NOT NULL,
    seller_sku            text        NOT NULL,
    state                 text        NOT NULL CHECK (state IN ('posting', 'posted', 'failed')),
    idempotency_key       text,
    posting_version       integer,
    product_id            text,
    sku_ids               jsonb       NOT NULL DEFAULT '{}',   -- seller SKU -> TikTok SKU id
    tiktok_status         text,
    audit_failed_reasons  jsonb       NOT NULL DEFAULT '[]',
    errors                jsonb       NOT NULL DEFAULT '[]',
    posted_at             timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, seller_sku)
);
CREATE UNIQUE INDEX postings_product ON postings (shop_id, product_id) WHERE product_id IS NOT NULL;

-- Products whose review state must be read from TikTok: a PRODUCT_STATUS_CHANGE webhook arrived (stored on
-- receipt, TikTok wants its 200 within 3 s), or the reconciliation poll is due for the shop.
CREATE TABLE review_checks (
    shop_id      text        NOT NULL,
    product_id   text        NOT NULL,
    due_at       timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    PRIMARY KEY (shop_id, product_id)
);
-- Per shop: the update time the reconciliation poll has read up to, and whether the webhook is registered.
CREATE TABLE review_watermarks (
    shop_id              text        PRIMARY KEY,
    update_time_ge       bigint      NOT NULL,
    webhook_registered   boolean     NOT NULL DEFAULT false,
    polled_at            timestamptz
);
