DROP INDEX work_orders_number_trgm_idx;
DROP INDEX travelers_number_trgm_idx;
-- The extension stays: other objects of the database may have come to use it.
