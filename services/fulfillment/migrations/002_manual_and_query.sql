-- Manual tracking (R21) and the shipping-change query (R22, R23, R14).

-- Where a shipment came from: the WMS (ShipmentCreated), an operator (`ttshop orders ship`),
-- or TikTok itself (found by the query: FBT or shipped outside our system; already on TikTok).
ALTER TABLE shipments ADD COLUMN source text NOT NULL DEFAULT 'wms'
    CHECK (source IN ('wms', 'manual', 'tiktok'));
-- TikTok's side of the package (R23): AWAITING_COLLECTION, IN_TRANSIT, DELIVERED, …, as last queried.
ALTER TABLE shipments ADD COLUMN tiktok_status text;
ALTER TABLE shipments ADD COLUMN tiktok_status_at timestamptz;

-- TikTok's order status as the query last saw it (orders.tiktok_status follows the events instead).
ALTER TABLE orders ADD COLUMN queried_tiktok_status text;
ALTER TABLE orders ADD COLUMN queried_at timestamptz;
-- Set once OrderStatusChanged(completed) was published by fulfillment (manual ship, FBT).
ALTER TABLE orders ADD COLUMN completed_at timestamptz;

-- When each shop's next shipping-change query is due (a lease, so replicas never query one shop at once).
ALTER TABLE shops ADD COLUMN shipping_query_due_at timestamptz NOT NULL DEFAULT now();
