import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize, withDatabase } from '../../src/db/database.js';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createMigrator } from '../../src/db/migrator.js';
import { ensureRuntimeLogin, runtimeUrlFor } from '../../src/db/runtime-role.js';

/**
 * The benchmark's own database, never the developer's: a throwaway embedded PostgreSQL 15 in a
 * folder under the OS temp dir (durable settings, as in production), or a new database on the
 * server named by BENCH_DATABASE_URL. Either is removed afterwards, on failure and on Ctrl-C too.
 */
export interface BenchDatabase {
  /** The owner (superuser for the embedded server): migrations, generation, trigger switches. */
  ownerUrl: string;
  /** A runtime login, member of the database's group role, as the app uses in production. */
  runtimeUrl: string;
  runtimeRole: string;
  database: string;
  where: string;
  superuser: boolean;
  /** The embedded server's postmaster (its CPU is this run's own work); unknown for BENCH_DATABASE_URL. */
  serverPid: number | null;
  /** Stops and removes everything this run created; safe to call more than once. */
  cleanup(): Promise<void>;
}

export async function openBenchDatabase(serverUrl: string | undefined, log: (line: string) => void): Promise<BenchDatabase> {
  const tag = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const runtimeRole = `nexus_bench_rt_${tag}`;
  const runtimePassword = crypto.randomBytes(18).toString('base64url');
  let embedded: EmbeddedPostgres | undefined;
  let tempRoot: string | undefined;
  let adminUrl: string;
  let database: string;
  let where: string;

  if (serverUrl) {
    adminUrl = withDatabase(serverUrl, 'postgres');
    database = `nexus_bench_${tag}`;
    where = `BENCH_DATABASE_URL server (${new URL(serverUrl).host}), throwaway database ${database}`;
  } else {
    // Parents of the cluster must be traversable by the postgres OS user when running as root.
    tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-bench-'));
    fs.chmodSync(tempRoot, 0o755);
    const port = await freeLocalPort();
    try {
      embedded = await startEmbeddedPostgres({ dataDir: path.join(tempRoot, 'postgres'), port, durable: true, removeOnStop: true, log });
    } catch (error) {
      fs.rmSync(tempRoot, { recursive: true, force: true });
      throw error;
    }
    adminUrl = withDatabase(embedded.url, 'postgres');
    database = 'nexus_bench';
    where = 'embedded PostgreSQL (a throwaway cluster under the OS temp dir, fsync on)';
    log(`throwaway cluster in ${tempRoot}, port ${port}`);
  }

  let cleaned = false;
  let created = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (embedded) {
      await embedded.stop().catch((error: unknown) => log(`stopping the embedded PostgreSQL: ${(error as Error).message}`));
      if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
      return;
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    try {
      await admin.connect();
      if (created) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(runtimeRole)}`);
    } catch (error) {
      log(`removing database ${database}: ${(error as Error).message}`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  };

  try {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    let superuser = false;
    try {
      superuser = (await admin.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0]?.s ?? false;
      if (embedded) {
        // Room for the bulk load between checkpoints; everything else stays at PostgreSQL's defaults.
        await admin.query(`ALTER SYSTEM SET max_wal_size = '4GB'`);
        await admin.query('SELECT pg_reload_conf()');
      }
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
      created = true;
    } finally {
      await admin.end();
    }
    const ownerUrl = withDatabase(adminUrl, database);
    const runtimeUrl = runtimeUrlFor(ownerUrl, runtimeRole, runtimePassword);
    const pidFile = embedded ? path.join(embedded.dataDir, 'postmaster.pid') : null;
    const serverPid = pidFile && fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) || null : null;
    return { ownerUrl, runtimeUrl, runtimeRole, database, where, superuser, serverPid, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Applies every migration as the owner and creates the runtime login. */
export async function migrateBenchDatabase(db: BenchDatabase): Promise<void> {
  const owner = createSequelize({ url: db.ownerUrl, poolMax: 2, acquireTimeoutMs: 30_000 });
  try {
    await createMigrator(owner).up();
    if ((await ensureRuntimeLogin(owner, db.runtimeUrl)).outcome !== 'ready') {
      throw new Error('the BENCH_DATABASE_URL login may not create roles: the benchmark needs CREATEROLE (or a superuser) for its runtime login');
    }
  } finally {
    await owner.close();
  }
}

export interface ServerFacts {
  version: string;
  settings: Record<string, string>;
}

export async function serverFacts(sequelize: Sequelize): Promise<ServerFacts> {
  const [row] = await sequelize.query<{ v: string }>('SHOW server_version', { type: QueryTypes.SELECT, raw: true });
  const names = ['shared_buffers', 'work_mem', 'effective_cache_size', 'max_wal_size', 'fsync', 'synchronous_commit', 'max_connections', 'jit'];
  const rows = await sequelize.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN (:names)`,
    { type: QueryTypes.SELECT, replacements: { names } },
  );
  return {
    version: Object.values(row ?? {})[0] as string,
    settings: Object.fromEntries(names.map((n) => [n, rows.find((r) => r.name === n)?.setting ?? '?'])),
  };
}
