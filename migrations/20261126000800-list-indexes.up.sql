-- Lists page through travelers newest first (the panel's default sort, with the key breaking
-- ties) and by status: composite indexes serve those orders directly, so a page — deep ones
-- included — reads only its rows and the ones it skips, from the index, never sorting the table.
CREATE INDEX travelers_updated_at_id_idx ON travelers (updated_at, id);
CREATE INDEX travelers_status_updated_at_id_idx ON travelers (status, updated_at, id);
DROP INDEX travelers_updated_at_idx;
-- Work orders list by due date (their default sort), earliest first.
CREATE INDEX work_orders_due_date_id_idx ON work_orders (due_date, id);
DROP INDEX work_orders_due_date_idx;
