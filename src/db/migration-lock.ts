import pg from 'pg';
import type { DatabaseSsl } from './database-tls.js';

/** One key for "someone is migrating or seeding this database" (hashtext of a fixed name). */
const LOCK_SQL = `SELECT pg_advisory_lock(hashtext('nexus.migrations'))`;

/**
 * Several app instances may start at once (a rolling deploy, two containers). Migrations and
 * seeding must run once: each starter holds a session-level advisory lock on a connection of
 * its own while it migrates, so the second waits and then finds nothing pending. The lock dies
 * with its connection, so a starter that crashes never leaves it behind. It needs a direct
 * connection to PostgreSQL (not PgBouncer in transaction mode): it is the owner's URL.
 */
export async function withMigrationLock<T>(url: string, ssl: DatabaseSsl | undefined, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'nexus-migrate', ...(ssl !== undefined && { ssl }) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(LOCK_SQL);
    return await work();
  } finally {
    await client.end().catch(() => undefined);
  }
}
