-- Least privilege at run time. Two kinds of connection reach this database: the owner (whoever
-- runs the migrations: it owns every table and function) and the running app, which logs in
-- as a member of ${app_role} and may only do what ${app_role} was granted: read and write business
-- rows, read the audit trail, append to the audit chain. No DDL, no UPDATE/DELETE/TRUNCATE of
-- audit rows, nothing it does not need.

-- The login role the app uses unless told otherwise. It has no password here: the deployment
-- (or the app at start, through the owner connection) sets one; until then it cannot log in
-- with password authentication.
-- Made (and made a member) only when missing: a DBA may have done both for an owner that may
-- not create roles or grant memberships.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${runtime_role}') THEN
    CREATE ROLE ${runtime_role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT;
  END IF;
  IF NOT pg_has_role('${runtime_role}', '${app_role}', 'MEMBER') THEN
    GRANT ${app_role} TO ${runtime_role};
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE EXCEPTION 'database % needs the login ${runtime_role} in ${app_role} and % may not create roles or grant them: have an administrator run CREATE ROLE ${runtime_role} LOGIN; GRANT ${app_role} TO ${runtime_role}; then migrate again',
    current_database(), current_user;
END $$;

-- PostgreSQL 15 no longer lets PUBLIC create in schema public; clusters upgraded from older
-- versions still might. Nobody but the owner creates objects here.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- What ${app_role} may touch, restated in one place for every table that exists now (earlier
-- migrations granted table by table; this makes the set explicit and complete).
GRANT USAGE ON SCHEMA public TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON users, customers, work_centers, parts, revisions, process_steps, sub_steps,
  work_orders, travelers, traveler_steps, traveler_sub_steps, manual_steps, labor_entries, approvals, sessions TO ${app_role};
GRANT SELECT, INSERT, UPDATE ON mail_outbox TO ${app_role};
GRANT SELECT ON audit_logs, audit_archives TO ${app_role};
GRANT SELECT, INSERT ON audit_chain, audit_seals TO ${app_role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app_role};
-- Not granted, on purpose: schema_migrations and schema_seeds (the owner's tools' bookkeeping).
