-- Issue 8: every new access token (connect, reconnect, refresh) raises the shop's token generation.
-- Services name the generation TikTok refused, so auth refreshes once instead of handing it out again,
-- and shops.changed carries it, so every service drops an older cached token at once.
ALTER TABLE shops ADD COLUMN token_generation bigint NOT NULL DEFAULT 0;
