CREATE TABLE shops (
    shop_id                   text PRIMARY KEY,
    name                      text NOT NULL,
    tax_id                    text NOT NULL,
    shop_cipher               text,
    shop_code                 text,
    region                    text,
    seller_type               text,
    seller_name               text,
    seller_base_region        text,
    open_id                   text,
    default_warehouse_id      text,
    status                    text NOT NULL DEFAULT 'active'
                              CHECK (status IN ('active', 'needs_reauthorization', 'disconnected')),
    status_reason             text,
    access_token              bytea,   -- Fernet ciphertext (R6)
    access_token_expires_at   timestamptz,
    refresh_token             bytea,   -- Fernet ciphertext (R6)
    refresh_token_expires_at  timestamptz,
    granted_scopes            text[] NOT NULL DEFAULT '{}',
    settings                  jsonb NOT NULL,
    last_tested_at            timestamptz,
    last_refreshed_at         timestamptz,
    connected_at              timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX shops_name_unique ON shops (lower(name));
CREATE INDEX shops_tax_id ON shops (tax_id) WHERE status <> 'disconnected';
CREATE INDEX shops_refresh_due ON shops (access_token_expires_at) WHERE status = 'active';

CREATE TABLE audit_log (
    id       bigserial PRIMARY KEY,
    shop_id  text,
    action   text NOT NULL,
    outcome  text NOT NULL,
    detail   jsonb NOT NULL DEFAULT '{}',
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_shop ON audit_log (shop_id, at DESC);
