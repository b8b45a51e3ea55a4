-- Issue 10 (catalog part 2): editing posted products, and auto-post.

-- The body last sent to TikTok for the product (create, PUT, or a partial edit merged in): a partial
-- update sends only the top-level fields that differ from it; the version it was built from is
-- posting_version.
ALTER TABLE postings ADD COLUMN sent_body jsonb;
ALTER TABLE postings ADD COLUMN edited_at timestamptz;
-- TikTok approved a version of the product: while an edit is in review (or was rejected) that version stays
-- on sale, so stock and price keep flowing to it.
ALTER TABLE postings ADD COLUMN live boolean NOT NULL DEFAULT false;

-- Per shop (ShopSettingsChanged): post a product as soon as it becomes ready.
ALTER TABLE shops ADD COLUMN auto_post boolean NOT NULL DEFAULT false;

-- A bulk post asked for by a seller, or the shop's running auto-post job that ready products join.
ALTER TABLE post_jobs ADD COLUMN kind text NOT NULL DEFAULT 'bulk' CHECK (kind IN ('bulk', 'auto'));
CREATE UNIQUE INDEX post_jobs_one_open_auto ON post_jobs (shop_id)
    WHERE kind = 'auto' AND status IN ('queued', 'running', 'paused');
