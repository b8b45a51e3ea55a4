-- Issue 11: the sync status. Each inventory/price update call the uploader made (kept two minutes: the
-- status counts the last minute's calls against TikTok's limit), and per shop and kind the last success.
CREATE TABLE sync_calls (
    shop_id  text        NOT NULL,
    kind     text        NOT NULL,
    at       timestamptz NOT NULL DEFAULT now(),
    skus     integer     NOT NULL,
    ok       boolean     NOT NULL,
    code     text
);
CREATE INDEX sync_calls_recent ON sync_calls (shop_id, at);
CREATE TABLE sync_successes (
    shop_id  text        NOT NULL,
    kind     text        NOT NULL,
    at       timestamptz NOT NULL,
    PRIMARY KEY (shop_id, kind)
);
