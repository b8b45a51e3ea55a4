-- Issue 8: a webhook notification whose orders could not be fetched because the shop is not
-- authorised is held (attempts not counted, never given up) until the shop is active again.
ALTER TABLE webhook_inbox ADD COLUMN held_for_authorization boolean NOT NULL DEFAULT false;
CREATE INDEX webhook_inbox_held ON webhook_inbox (shop_id) WHERE held_for_authorization AND processed_at IS NULL;
