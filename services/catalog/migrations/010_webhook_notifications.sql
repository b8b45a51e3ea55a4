-- Issue 12: TikTok re-sends a notification it thinks was not taken (same tts_notification_id). Each one
-- acted on is recorded here in the transaction of its effect (the queued read-back), so a re-send is
-- acknowledged and skipped.
CREATE TABLE webhook_notifications (
    tts_notification_id  text PRIMARY KEY,
    type                 int  NOT NULL,
    shop_id              text NOT NULL,
    received_at          timestamptz NOT NULL DEFAULT now()
);
