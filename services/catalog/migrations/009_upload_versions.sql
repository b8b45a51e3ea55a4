-- Every version an upload row takes is unique across the table (one sequence), so the outcome of a call
-- in flight can never be recorded on a row that was deleted and queued again meanwhile (R42: linking a
-- shadow drops its queued levels and queues its master's; with per-row counters the new row started at
-- version 1 again and an in-flight send of the old level marked the new one as sent).
CREATE SEQUENCE upload_versions;
SELECT setval('upload_versions', coalesce((SELECT max(version) FROM uploads), 0) + 1);
ALTER TABLE uploads ALTER COLUMN version SET DEFAULT nextval('upload_versions');
