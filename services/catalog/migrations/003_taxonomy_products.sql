-- Issue 9 (catalog part 1): TikTok's taxonomy per shop, our product records, their media, readiness.

-- The shop's region decides the category tree version (US: v2).
ALTER TABLE shops ADD COLUMN region text;

-- R30: the shop's category tree as TikTok last answered it.
CREATE TABLE categories (
    shop_id              text        NOT NULL,
    category_id          text        NOT NULL,
    parent_id            text,
    name                 text        NOT NULL,
    is_leaf              boolean     NOT NULL,
    permission_statuses  text[]      NOT NULL DEFAULT '{}',
    downloaded_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, category_id)
);
CREATE INDEX categories_parent ON categories (shop_id, parent_id);

-- R31/R37: a category's attributes and rules, as downloaded (downloaded_at says it was, even with none).
CREATE TABLE category_details (
    shop_id                     text        NOT NULL,
    category_id                 text        NOT NULL,
    attributes                  jsonb       NOT NULL DEFAULT '[]',
    certifications              jsonb       NOT NULL DEFAULT '[]',
    size_chart                  jsonb       NOT NULL DEFAULT '{}',
    package_dimension_required  boolean     NOT NULL DEFAULT false,
    downloaded_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, category_id)
);

-- R35: the shop's brands and, per category asked, whether the brand is authorised there.
CREATE TABLE brands (
    shop_id       text        NOT NULL,
    brand_id      text        NOT NULL,
    name          text        NOT NULL,
    brand_status  text,
    downloaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, brand_id)
);
CREATE INDEX brands_name ON brands (shop_id, lower(name));
CREATE TABLE brand_authorizations (
    shop_id      text    NOT NULL,
    category_id  text    NOT NULL,
    brand_id     text    NOT NULL,
    authorized   boolean NOT NULL,
    PRIMARY KEY (shop_id, category_id, brand_id)
);
-- Categories whose brand authorisations were downloaded (so "not authorised" is known, not guessed).
CREATE TABLE brand_categories (
    shop_id       text        NOT NULL,
    category_id   text        NOT NULL,
    downloaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, category_id)
);

-- Queued taxonomy downloads (attributes for many categories): leased like the orders' download jobs,
-- one item per category so a crashed worker's job resumes where it stopped.
CREATE TABLE taxonomy_jobs (
    id           uuid        PRIMARY KEY,
    shop_id      text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('attributes')),
    status       text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total        integer     NOT NULL DEFAULT 0,
    done         integer     NOT NULL DEFAULT 0,
    failed       integer     NOT NULL DEFAULT 0,
    error        text,
    lease_owner  uuid,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE TABLE taxonomy_job_items (
    job_id       uuid    NOT NULL REFERENCES taxonomy_jobs (id) ON DELETE CASCADE,
    category_id  text    NOT NULL,
    status       text    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    error        text,
    PRIMARY KEY (job_id, category_id)
);
CREATE INDEX taxonomy_job_items_pending ON taxonomy_job_items (job_id) WHERE status = 'pending';

-- Our product records: the whole record as JSON (products/domain.Product), a version raised by every
-- change that alters it, and the columns queries need.
ALTER TABLE products ADD COLUMN record jsonb NOT NULL DEFAULT '{}';
ALTER TABLE products ADD COLUMN version integer NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN category_id text;
CREATE INDEX products_parent ON products (parent_sku) WHERE parent_sku IS NOT NULL;

-- Media, content-addressed: the same image used by 50 SKUs is one row. Facts from the real bytes.
CREATE TABLE media (
    sha256        text        PRIMARY KEY,
    data          bytea       NOT NULL,
    size_bytes    integer     NOT NULL,
    content_type  text,
    image_format  text,
    width         integer,
    height        integer,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Where a URL's bytes were fetched from (fetched once), or why it could not be fetched.
CREATE TABLE media_sources (
    source      text        PRIMARY KEY,
    sha256      text        REFERENCES media (sha256),
    error       text,
    fetched_at  timestamptz NOT NULL DEFAULT now()
);

-- R32-R37: the last readiness of each product for each shop; ProductReady goes out on not ready -> ready.
CREATE TABLE readiness (
    shop_id          text        NOT NULL,
    seller_sku       text        NOT NULL,
    ready            boolean     NOT NULL,
    problems         jsonb       NOT NULL DEFAULT '[]',
    product_version  integer     NOT NULL,
    checked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, seller_sku)
);
