CREATE INDEX work_orders_due_date_idx ON work_orders (due_date);
DROP INDEX work_orders_due_date_id_idx;
CREATE INDEX travelers_updated_at_idx ON travelers (updated_at);
DROP INDEX travelers_status_updated_at_id_idx;
DROP INDEX travelers_updated_at_id_idx;
