-- Issue 8: a shipment that could not be uploaded because the shop is not authorised (needs
-- re-authorisation, token refused) is held, without counting attempts, until the shop is active again.
ALTER TABLE shipments ADD COLUMN held_for_authorization boolean NOT NULL DEFAULT false;
CREATE INDEX shipments_held ON shipments (shop_id) WHERE held_for_authorization;
