-- A work order is made open: one made as in progress, completed or cancelled would skip its
-- whole life (no traveler, no labor, no sign-off behind its status). The model says so at the
-- Status field; this holds for every writer, scripts and raw SQL included. An unknown status is
-- left to the CHECK constraint, which names itself.
CREATE FUNCTION work_order_starts_open() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status IN ('in_progress', 'on_hold', 'completed', 'cancelled') THEN
    RAISE EXCEPTION 'A new work order starts open, not %', replace(NEW.status, '_', ' ') USING ERRCODE = 'NXT01';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER work_orders_start_open BEFORE INSERT ON work_orders
  FOR EACH ROW EXECUTE FUNCTION work_order_starts_open();
