-- audit_seal() as it was: every pending row in one run, the chain's recent entries by a range on position.
DROP FUNCTION audit_seal();
CREATE FUNCTION audit_seal()
RETURNS TABLE (rows_sealed integer, last_position bigint, head_hash bytea, txid_horizon xid8, out_of_order integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  last_seal record;
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  from_txid xid8;
  pos bigint;
  head bytea;
  newest timestamptz;
  sealed integer := 0;
  flagged integer := 0;
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('nexus.audit.seal'));
  SELECT s.txid_horizon, s.last_position, s.head_hash INTO last_seal FROM audit_seals s ORDER BY s.id DESC LIMIT 1;
  from_txid := coalesce(last_seal.txid_horizon, '0'::xid8);
  pos := coalesce(last_seal.last_position, 0);
  head := coalesce(last_seal.head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  SELECT max(c.audit_occurred_at) INTO newest FROM audit_chain c WHERE c.position > pos - 1000;
  FOR r IN
    SELECT a.id, a.occurred_at, audit_row_hash(a) AS h
      FROM audit_logs a
     WHERE a.txid >= from_txid AND a.txid < horizon
     ORDER BY a.id
  LOOP
    pos := pos + 1;
    head := sha256(head || r.h);
    INSERT INTO audit_chain (position, audit_id, audit_occurred_at, row_hash, chain_hash) VALUES (pos, r.id, r.occurred_at, r.h, head);
    IF newest IS NOT NULL AND r.occurred_at < newest - audit_clock_tolerance() THEN
      flagged := flagged + 1;
    END IF;
    newest := greatest(newest, r.occurred_at);
    sealed := sealed + 1;
  END LOOP;
  -- A run that found nothing records nothing: the next one scans from the same horizon, and no
  -- row can appear below a horizon once it has passed.
  IF sealed > 0 THEN
    INSERT INTO audit_seals (txid_horizon, last_position, rows_sealed, head_hash, out_of_order_rows)
      VALUES (horizon, pos, sealed, head, flagged);
  END IF;
  RETURN QUERY SELECT sealed, pos, CASE WHEN pos > 0 THEN head END, horizon, flagged;
END $$;

REVOKE ALL ON FUNCTION audit_seal() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_seal() TO ${app_role};
