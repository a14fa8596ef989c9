import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PG_MAJOR } from '../../src/db/backup/pg-tools.js';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { postgresOsUser } from './postgres-os-user.js';

/**
 * A primary and a streaming replica of it on this machine, made as an operator makes one: the
 * primary a throwaway embedded cluster, the replica a `pg_basebackup -R` of it (PostgreSQL 15's
 * own tool: Debian's /usr/lib/postgresql/15/bin, or PG_BIN_DIR) started as a hot standby.
 */

const CANDIDATES = [process.env.PG_BIN_DIR, `/usr/lib/postgresql/${PG_MAJOR}/bin`, `/usr/libexec/postgresql${PG_MAJOR}`];

/** pg_basebackup of PostgreSQL 15, or null when the machine has none. */
export function pgBasebackupBinary(): string | null {
  for (const dir of CANDIDATES) {
    if (!dir) continue;
    const bin = path.join(dir, 'pg_basebackup');
    if (!fs.existsSync(bin)) continue;
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
    if (new RegExp(`\\(PostgreSQL\\) ${PG_MAJOR}\\.`).test(version)) return bin;
  }
  return null;
}

export interface ReplicatedPair {
  primary: EmbeddedPostgres;
  replica: EmbeddedPostgres;
  /** A URL to `database` on the primary or the replica as `user` (the superuser's password by default). */
  url(on: 'primary' | 'replica', database: string, login?: { user: string; password: string }): string;
  /** A statement as the superuser on one of them, in `database` (the server's postgres by default). */
  query<R extends pg.QueryResultRow>(on: 'primary' | 'replica', sql: string, params?: unknown[], database?: string): Promise<R[]>;
  /** Stops the replica (its folder kept): an outage. */
  stopReplica(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the primary, lets `prepare` fill it (migrations, logins, rows: all of it reaches the
 * replica through the base backup or the stream), then makes and starts the replica.
 */
export async function startReplicatedPair(prepare: (primaryUrl: string) => Promise<void> = async () => undefined): Promise<ReplicatedPair> {
  const basebackup = pgBasebackupBinary();
  if (!basebackup) throw new Error(`pg_basebackup ${PG_MAJOR} is not installed (Debian: apt-get install postgresql-${PG_MAJOR}, or set PG_BIN_DIR)`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-replica-'));
  fs.chmodSync(root, 0o755);
  const primary = await startEmbeddedPostgres({ dataDir: path.join(root, 'primary'), port: await freeLocalPort(), durable: false, removeOnStop: true });
  let replica: EmbeddedPostgres | undefined;
  try {
    await prepare(primary.url);
    const password = decodeURIComponent(new URL(primary.url).password);
    const replicaDir = path.join(root, 'replica');
    const runAs = postgresOsUser();
    fs.mkdirSync(replicaDir, { mode: 0o700 });
    if (runAs.uid !== undefined) fs.chownSync(replicaDir, runAs.uid, runAs.gid ?? runAs.uid);
    // -R writes standby.signal and the primary's connection (with its password) into the copy.
    const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres password=${password} application_name=nexus_replica`;
    const run = spawnSync(basebackup, ['-d', conninfo, '-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast'], { encoding: 'utf8', ...runAs, cwd: os.tmpdir() });
    if (run.status !== 0) throw new Error(`pg_basebackup failed: ${run.stderr || run.stdout}`);
    // The embedded starter reads the superuser's password beside the folder; the copy has the primary's.
    fs.writeFileSync(path.join(root, 'replica.password'), password, { mode: 0o600 });
    replica = await startEmbeddedPostgres({ dataDir: replicaDir, port: await freeLocalPort(), durable: false, removeOnStop: true });
  } catch (error) {
    await primary.stop().catch(() => undefined);
    throw error;
  }
  const standby = replica;
  const servers = { primary, replica: standby };
  let replicaStopped = false;
  const url = (on: 'primary' | 'replica', database: string, login?: { user: string; password: string }) => {
    const u = new URL(servers[on].url);
    u.pathname = `/${database}`;
    if (login) {
      u.username = login.user;
      u.password = login.password;
    }
    return u.toString();
  };
  return {
    primary,
    replica: standby,
    url,
    async query<R extends pg.QueryResultRow>(on: 'primary' | 'replica', sql: string, params: unknown[] = [], database = 'postgres') {
      const client = new pg.Client({ connectionString: url(on, database) });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async stopReplica() {
      replicaStopped = true;
      await standby.stop();
    },
    async stop() {
      if (!replicaStopped) await standby.stop().catch(() => undefined);
      await primary.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
