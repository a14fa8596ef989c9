DROP TRIGGER work_orders_start_open ON work_orders;
DROP FUNCTION work_order_starts_open();
