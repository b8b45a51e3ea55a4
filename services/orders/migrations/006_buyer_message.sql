-- The buyer's message to the seller (TikTok's buyer_message), shown with the order and sent on OrderDownloaded.
ALTER TABLE orders ADD COLUMN buyer_message text;
