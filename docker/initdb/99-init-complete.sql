-- Runs last of the init scripts (they run in name order and the first failure stops the rest).
-- The compose healthcheck looks for this mark: a database whose init stopped half-way (the
-- container's next start skips the init scripts) never reports healthy, so the app is never
-- started against a schema without its data. See README, "When the database's first start fails".
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET nexus.init_complete = %L', current_database(), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
END $$;
