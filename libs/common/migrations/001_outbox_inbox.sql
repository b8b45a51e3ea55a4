-- Transactional outbox: an event row is written in the same transaction as the state change;
-- the relay publishes it and marks it sent. Inbox: processed event ids, written in the same
-- transaction as the consumer's effect, so a redelivered event is recognised and skipped.
CREATE TABLE outbox (
    seq         bigserial PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    event_type  text        NOT NULL,
    topic       text        NOT NULL,
    key         bytea,
    payload     bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

CREATE TABLE inbox (
    consumer     text        NOT NULL,
    event_id     text        NOT NULL,
    event_type   text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
