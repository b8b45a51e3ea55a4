-- The review reconciliation poll is a watermarked import (libs/common/watermark.py) like the order poll and the
-- settlements import: its row keeps the last error and when it changed.
ALTER TABLE review_watermarks
    ADD COLUMN last_error text,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
