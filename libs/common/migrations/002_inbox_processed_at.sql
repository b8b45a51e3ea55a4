-- The retention pass (libs/common/retention.py) deletes inbox rows by age: find them without a full scan.
CREATE INDEX inbox_processed_at ON inbox (processed_at);
