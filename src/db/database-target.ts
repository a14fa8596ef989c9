import path from 'node:path';
import type { AppConfig } from '../config/config.js';
import { projectRoot } from '../paths.js';
import { ensureDatabaseExists, withDatabase } from './database.js';
import { databaseSsl, databaseUrlForTls, type DatabaseSsl } from './database-tls.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { databaseRolesFor } from './database-roles.js';
import { embeddedRuntimePassword, runtimeUrlFor } from './runtime-role.js';

export const EMBEDDED_DATABASE = 'nexus';

export function dataRoot(config: AppConfig): string {
  return path.resolve(config.DATA_DIR ?? path.join(projectRoot, '.data'));
}

export interface DatabaseTarget {
  /** The owner's connection: migrations, seeding, maintenance, backups. */
  url: string;
  /** The running app's connection, a member of the database's group role (the same as `url` when only DATABASE_URL is set). */
  runtimeUrl: string;
  /** TLS for both connections (DATABASE_SSL_MODE); unset for the embedded server, reached on loopback. */
  ssl?: DatabaseSsl;
  /** Present when this process started (or attached to) the embedded server. */
  embedded?: EmbeddedPostgres;
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under the data folder, started on
 * demand. Either way the database itself is created when missing.
 */
export async function openDatabaseTarget(config: AppConfig, log: (line: string) => void): Promise<DatabaseTarget> {
  if (config.DATABASE_URL) {
    const ssl = databaseSsl(config);
    const owner = databaseUrlForTls(config.DATABASE_OWNER_URL ?? config.DATABASE_URL, config);
    await ensureDatabaseExists(owner, ssl);
    return { url: owner, runtimeUrl: databaseUrlForTls(config.DATABASE_URL, config), ssl };
  }
  const root = dataRoot(config);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), port: config.EMBEDDED_PG_PORT, durable: true, log });
  try {
    const url = withDatabase(embedded.url, EMBEDDED_DATABASE);
    await ensureDatabaseExists(url);
    // The app itself never runs as the embedded superuser.
    return { url, runtimeUrl: runtimeUrlFor(url, databaseRolesFor(EMBEDDED_DATABASE).runtime, embeddedRuntimePassword(root)), embedded };
  } catch (error) {
    await embedded.stop().catch(() => undefined);
    throw error;
  }
}
