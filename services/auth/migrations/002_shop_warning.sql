-- A warning an operator should act on while the shop still works, e.g. the seller's authorisation
-- (and with it the refresh token) ends soon (UPCOMING_AUTHORIZATION_EXPIRATION, R3).
ALTER TABLE shops ADD COLUMN warning text;
