-- For restoring a plain-SQL backup into a new stack (docker-compose.restore.yml; README,
-- "Disaster recovery from a plain-SQL backup"): the database stays empty for
-- `psql < backup.sql`, with its owner (00-owner.sh) and the roles a NEXUS dump grants to, which
-- are per server and never in a dump. The app gives nexus_runtime its password at its first start.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nexus_app') THEN
    CREATE ROLE nexus_app NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nexus_runtime') THEN
    CREATE ROLE nexus_runtime LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT;
  END IF;
  IF NOT pg_has_role('nexus_runtime', 'nexus_app', 'MEMBER') THEN
    GRANT nexus_app TO nexus_runtime;
  END IF;
END $$;
