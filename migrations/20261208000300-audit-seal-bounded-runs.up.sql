-- audit_seal(), each run bounded, and its look at the chain's recent entries planned by position.
--
-- 1. A run seals at most 50,000 rows (about a second): it stops at a transaction boundary, below
--    which every row is chained, and says whether more wait (`more`); sealAuditLog runs it again
--    until none do. Before, a run took every pending row at once, and a backlog larger than the
--    runtime login's statement timeout allows (about 1.5 million rows in 30 s) was cut off and
--    rolled back on every attempt, for ever, at full CPU: after a bulk load, or a sealer kept
--    waiting behind a long transaction. One transaction's rows are never split.
-- 2. The newest chained time was read with `WHERE position > pos - 1000`: with audit_chain's
--    statistics behind its growth (right after a large seal, before autovacuum analyses it) the
--    planner took a parallel scan of the whole chain, 90 ms at 3 million entries and more with
--    every row, on every run even with nothing to seal. It now reads the last 1,000 entries by
--    the primary key's order, which no statistics turn into a scan of the table.
DROP FUNCTION audit_seal();
CREATE FUNCTION audit_seal()
RETURNS TABLE (rows_sealed integer, last_position bigint, head_hash bytea, txid_horizon xid8, out_of_order integer, more boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  batch constant integer := 50000;
  last_seal record;
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  cut xid8;
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
  SELECT max(recent.audit_occurred_at) INTO newest
    FROM (SELECT c.audit_occurred_at FROM audit_chain c ORDER BY c.position DESC LIMIT 1000) recent;
  -- The transaction of the row after the first `batch` pending ones, in transaction order: rows of
  -- earlier transactions are at most `batch`. Should no pending row be older than that transaction
  -- (it alone holds more than `batch` rows), it is taken whole.
  SELECT a.txid INTO cut FROM audit_logs a WHERE a.txid >= from_txid AND a.txid < horizon ORDER BY a.txid OFFSET batch LIMIT 1;
  IF cut IS NOT NULL THEN
    horizon := CASE WHEN EXISTS (SELECT 1 FROM audit_logs a WHERE a.txid >= from_txid AND a.txid < cut) THEN cut
                    ELSE (cut::text::numeric + 1)::text::xid8 END;
  END IF;
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
  RETURN QUERY SELECT sealed, pos, CASE WHEN pos > 0 THEN head END, horizon, flagged, cut IS NOT NULL;
END $$;

REVOKE ALL ON FUNCTION audit_seal() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_seal() TO ${app_role};
