DROP INDEX work_orders_number_trgm_idx;
DROP INDEX travelers_number_trgm_idx;
-- The extension goes too, unless something else of the database has come to use it (undoing to
-- zero leaves nothing behind; a DBA's own use of pg_trgm is left alone).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
     AND NOT EXISTS (
       SELECT 1 FROM pg_depend d
        WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_trgm')
          AND d.deptype = 'n') THEN
    DROP EXTENSION pg_trgm;
  END IF;
END $$;
