-- Audit partitions that cannot silently decay. If a month begins without its partition, its rows
-- land in audit_logs_default, and the month's partition can then never be made (the rows would
-- not fit) nor those rows archived. audit_adopt_default_rows() gives every such month its
-- partition and moves its rows there unchanged (same id, time, transaction and content, so the
-- chain verifies as before), in one transaction, as the owner: the default partition is
-- append-only to everyone else. db:maintain reports rows in the default and names this remedy.
CREATE FUNCTION audit_adopt_default_rows()
RETURNS TABLE (month date, rows_moved bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m record;
  part text;
  moved bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_logs_default) THEN
    RETURN;
  END IF;
  -- Detached, the default loses the row trigger it has as a partition; writers wait on the parent.
  ALTER TABLE audit_logs DETACH PARTITION audit_logs_default;
  FOR m IN SELECT DISTINCT date_trunc('month', d.occurred_at)::date AS month_start FROM audit_logs_default d ORDER BY 1 LOOP
    part := format('audit_logs_%s', to_char(m.month_start, 'YYYY_MM'));
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF audit_logs FOR VALUES FROM (%L) TO (%L)', part, m.month_start, (m.month_start + interval '1 month')::date);
      EXECUTE format('CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()', part);
      EXECUTE format('ALTER TABLE %I SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)', part);
    END IF;
    INSERT INTO audit_logs SELECT * FROM audit_logs_default d
     WHERE d.occurred_at >= m.month_start AND d.occurred_at < (m.month_start + interval '1 month');
    GET DIAGNOSTICS moved = ROW_COUNT;
    DELETE FROM audit_logs_default d WHERE d.occurred_at >= m.month_start AND d.occurred_at < (m.month_start + interval '1 month');
    month := m.month_start;
    rows_moved := moved;
    RETURN NEXT;
  END LOOP;
  ALTER TABLE audit_logs ATTACH PARTITION audit_logs_default DEFAULT;
END $$;

REVOKE ALL ON FUNCTION audit_adopt_default_rows() FROM PUBLIC;
