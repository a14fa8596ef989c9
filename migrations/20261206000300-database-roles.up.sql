-- Roles per database. Role names are per server, NEXUS databases per database: while every NEXUS
-- database granted to one shared nexus_app, the runtime login of one database could write
-- another's rows, undoing a migration in a scratch database revoked the membership for all of
-- them, and two apps on one server re-passworded each other's login. From here on each database
-- has roles of its own, named after it: the migrations name them by placeholders, and the
-- migrator writes this database's names in their place (src/db/database-roles.ts).

-- Moves every privilege p_from holds on this database's schema, tables, sequences and functions
-- to p_to. For a copy of a database (CREATE DATABASE ... TEMPLATE, a restore under another name,
-- a rename), which still grants to its source's roles, and for the upgrade below. Column
-- privileges are not used by NEXUS; anything left behind is an error, not a silent half-move.
CREATE FUNCTION nexus_move_grants(p_from text, p_to text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_from oid := (SELECT oid FROM pg_roles WHERE rolname = p_from);
  v_moved integer := 0;
  r record;
BEGIN
  IF v_from IS NULL OR p_from = p_to THEN
    RETURN 0;
  END IF;
  FOR r IN
    SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind, c.oid::regclass::text AS object, a.privilege_type AS privilege
      FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
     WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = v_from
    UNION ALL
    SELECT 'FUNCTION', p.oid::regprocedure::text, a.privilege_type
      FROM pg_proc p CROSS JOIN LATERAL aclexplode(p.proacl) a
     WHERE p.pronamespace = 'public'::regnamespace AND a.grantee = v_from
    UNION ALL
    SELECT 'SCHEMA', 'public', a.privilege_type
      FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
     WHERE n.nspname = 'public' AND a.grantee = v_from
  LOOP
    EXECUTE format('GRANT %s ON %s %s TO %I', r.privilege, r.kind, r.object, p_to);
    EXECUTE format('REVOKE %s ON %s %s FROM %I', r.privilege, r.kind, r.object, p_from);
    v_moved := v_moved + 1;
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = v_from)
     OR EXISTS (SELECT 1 FROM pg_proc p CROSS JOIN LATERAL aclexplode(p.proacl) a WHERE p.pronamespace = 'public'::regnamespace AND a.grantee = v_from)
     OR EXISTS (SELECT 1 FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee = v_from) THEN
    RAISE EXCEPTION '% still holds privileges in database % that % could not revoke (granted by someone else): revoke them as a superuser, then run again',
      p_from, current_database(), current_user;
  END IF;
  RETURN v_moved;
END $$;
REVOKE ALL ON FUNCTION nexus_move_grants(text, text) FROM PUBLIC;

-- Which roles this database's grants are made to. One row; the runtime may read it (the app
-- checks at start that its login belongs to the right group).
CREATE TABLE nexus_roles (
  only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  app_role     text NOT NULL CHECK (app_role ~ '^[a-z_][a-z0-9_]{0,62}$'),
  runtime_role text NOT NULL CHECK (runtime_role ~ '^[a-z_][a-z0-9_]{0,62}$'),
  CHECK (app_role <> runtime_role)
);

-- A database migrated before this point that is not called nexus granted to the shared
-- nexus_app: it gets its own roles now (made here when missing, as the first migrations do, so
-- a DBA may have made them already for an owner without CREATEROLE) and the grants move to them.
-- The app's start (which migrates first) makes its DATABASE_URL login a member of the new group
-- (src/db/runtime-role.ts), so a running installation keeps its login.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${app_role}') THEN
    CREATE ROLE ${app_role} NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${runtime_role}') THEN
    CREATE ROLE ${runtime_role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT;
  END IF;
  IF NOT pg_has_role('${runtime_role}', '${app_role}', 'MEMBER') THEN
    GRANT ${app_role} TO ${runtime_role};
  END IF;
  IF '${app_role}' <> 'nexus_app' THEN
    PERFORM nexus_move_grants('nexus_app', '${app_role}');
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE EXCEPTION 'database % needs roles of its own and % may not create roles or grant them: have an administrator run CREATE ROLE ${app_role} NOLOGIN; CREATE ROLE ${runtime_role} LOGIN; GRANT ${app_role} TO ${runtime_role}; then migrate again',
    current_database(), current_user;
END $$;

INSERT INTO nexus_roles (app_role, runtime_role) VALUES ('${app_role}', '${runtime_role}');
GRANT SELECT ON nexus_roles TO ${app_role};
