-- A shop authorised again while some of its notifications were in flight (claimed, fetching): the release
-- stamps them, so an attempt refused for the old authorisation is not held after the release (issue 13).
ALTER TABLE webhook_inbox ADD COLUMN released_at timestamptz;
