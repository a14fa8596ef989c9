import type pg from 'pg';
import { BackupError } from './backup-error.js';
import { connect, databaseName, withDatabaseName, type BackupConnection } from './backup-connection.js';

/**
 * The database a backup is restored into, made ready before pg_restore runs: created when
 * missing, proved empty, and given the roles the backup grants to.
 */

/** What an empty database must not have: anything a restore could collide with or mix into. */
export async function existingObjects(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ what: string }>(
    `WITH ns AS (SELECT oid, nspname FROM pg_namespace
                  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)')
     SELECT what FROM (
       SELECT CASE WHEN c.relkind IN ('r', 'p') THEN 1 WHEN c.relkind IN ('i', 'I') THEN 6 ELSE 2 END AS rank,
              CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                             WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'type' ELSE 'index' END
                || ' ' || c.oid::regclass::text AS what
         FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
       UNION ALL SELECT 3, 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
       UNION ALL SELECT 4, 'type ' || t.oid::regtype::text FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
                  WHERE t.typtype IN ('b', 'd', 'e', 'r', 'm') AND t.typcategory <> 'A'
       UNION ALL SELECT 0, 'schema ' || nspname FROM ns WHERE nspname <> 'public'
       UNION ALL SELECT 0, 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
     ) x ORDER BY rank, what LIMIT 6`,
  );
  return rows.map((r) => r.what);
}

/** Creates the target database (from template0, as pg_restore's manual advises) when missing. */
export async function ensureTargetDatabase(target: BackupConnection): Promise<boolean> {
  const name = databaseName(target.url);
  const client = await connect(withDatabaseName(target, 'postgres'));
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0`);
    return true;
  } finally {
    await client.end();
  }
}

export async function createMissingRoles(client: pg.Client, roles: string[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT r AS name FROM unnest($1::text[]) r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)',
    [roles],
  );
  const missing = rows.map((r) => r.name);
  if (missing.length === 0) return [];
  const { rows: me } = await client.query<{ can: boolean; user: string }>(
    'SELECT rolsuper OR rolcreaterole AS can, current_user AS user FROM pg_roles WHERE rolname = current_user',
  );
  if (!me[0]?.can) {
    throw new BackupError(
      `The backup grants privileges to ${missing.join(', ')}, which this server lacks, and ${me[0]?.user ?? 'this login'} may not create roles. ` +
        `Have an administrator run ${missing.map((r) => `CREATE ROLE ${client.escapeIdentifier(r)} NOLOGIN;`).join(' ')} then restore again; nothing was restored.`,
    );
  }
  for (const role of missing) {
    // Group roles only: who may log in as (a member of) them is decided on this server, not by a backup.
    await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} NOLOGIN`);
  }
  return missing;
}
