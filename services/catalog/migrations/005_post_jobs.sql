-- R44 bulk post: one queued job per request, one item per product to post, leased like the other jobs;
-- TikTok's daily listing limit pauses the job (status 'paused' with the reason) until TikTok allows more.
CREATE TABLE post_jobs (
    id           uuid        PRIMARY KEY,
    shop_id      text        NOT NULL,
    status       text        NOT NULL DEFAULT 'queued'
                             CHECK (status IN ('queued', 'running', 'paused', 'done', 'failed')),
    total        integer     NOT NULL DEFAULT 0,
    error        text,
    lease_owner  uuid,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE TABLE post_job_items (
    job_id      uuid    NOT NULL REFERENCES post_jobs (id) ON DELETE CASCADE,
    seller_sku  text    NOT NULL,
    status      text    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'posted', 'failed')),
    error       text,
    PRIMARY KEY (job_id, seller_sku)
);
CREATE INDEX post_job_items_pending ON post_job_items (job_id) WHERE status = 'pending';
